import { ActionIcon, Autocomplete, Badge, Button, Group, MultiSelect, Paper, SegmentedControl, Select, Stack, Switch, Text, TextInput, Tooltip } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconBracketsContain, IconFolderPlus, IconPlus, IconTrash } from '@tabler/icons-react';
import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import type { Op, RelatedDirection, TagMatch } from '../../../bindings';
import {
  CONDITION_KINDS,
  TIME_OPERATORS,
  addNode,
  emptyCondition,
  filterRefusal,
  moveNode,
  newCondition,
  newGroup,
  opLabel,
  operatorsFor,
  removeNode,
  setCondition,
  setGroupKind,
  timeShape,
  toggleNegated,
  valueShape,
  withOp,
  withProperty,
  withTimeOp,
  wrapInGroup,
  type Built,
  type Condition,
  type ConditionKind,
  type ConditionNode,
  type ErrorPart,
  type GroupKind,
  type GroupNode,
} from './model';
import { propertyItems, renderPropertyOption, TagDot, tagItems, typeItems, withMissing } from './options';
import type { Catalog } from './useCatalog';
import { UnderPicker } from './UnderPicker';
import { ValueInput } from './ValueInput';

/** A position as people count: "0" is condition 1, "1.0" is 2.1 (test ids keep the index). */
const spoken = (position: string) => position.split('.').map((i) => (/^\d+$/.test(i) ? String(Number(i) + 1) : i)).join('.');

/** A server error pinned to one node of the tree. */
export type Highlight = { id: string; part: ErrorPart; message: string };

type Editor = {
  catalog: Catalog;
  built: Built;
  positions: ReadonlyMap<string, string>;
  highlight: Highlight | null;
  relationshipTypes: readonly string[];
  /** The node whose first control takes the focus once it shows (just added). */
  focusId: string | null;
  edit: (change: (root: GroupNode) => GroupNode, focusId?: string) => void;
};

const EditorContext = createContext<Editor | null>(null);

function useEditor(): Editor {
  const editor = useContext(EditorContext);
  if (!editor) throw new Error('outside the filter editor');
  return editor;
}

type Props = Omit<Editor, 'edit'> & {
  root: GroupNode;
  edit: Editor['edit'];
};

const NO_PORTAL = { withinPortal: false } as const;

/** The filter as nested groups of condition rows. */
export function FilterEditor({ root, ...editor }: Props) {
  return (
    <EditorContext.Provider value={editor}>
      <GroupEditor group={root} place="root" siblings={1} index={0} />
    </EditorContext.Provider>
  );
}

/** Where a group sits: the whole filter, a related condition's sub-filter, or inside another group. */
type Place = 'root' | 'related' | 'nested';

function GroupEditor({ group, place, index, siblings }: { group: GroupNode; place: Place; index: number; siblings: number }) {
  const { positions, built, edit } = useEditor();
  const position = positions.get(group.id) ?? '?';
  const problem = built.problems.get(group.id);
  const addCondition = () => {
    const node = newCondition();
    edit((root) => addNode(root, group.id, node), node.id);
  };
  const addGroup = () => {
    const inner = newCondition();
    edit((root) => addNode(root, group.id, newGroup(group.kind === 'all' ? 'any' : 'all', [inner])), inner.id);
  };
  const kindLabel = (kind: GroupKind, text: string) => <span data-testid={`group-kind-${position}-${kind}`}>{text}</span>;
  const empty = place === 'root' ? 'No conditions: the view shows every entity you can see.' : place === 'related' ? 'No conditions: any entity at the other end will do.' : 'An empty group is left out.';
  const ids =
    place === 'root' ? { condition: 'builder-add-condition', group: 'builder-add-group' } : { condition: `group-add-condition-${position}`, group: `group-add-group-${position}` };
  const title = place === 'related' ? 'The entity at the other end matches' : 'Matching';

  return (
    <Stack gap="xs" role="group" aria-label={place === 'root' ? 'Filter' : place === 'related' ? `Condition ${spoken(position)}: the entity at the other end` : `Group ${spoken(position)}`} data-testid={place === 'root' ? 'builder-filter' : `group-${position}`} data-kind={group.kind} data-negated={group.negated}>
      <Group gap="sm" wrap="wrap">
        <Text size="sm" fw={500}>
          {title}
        </Text>
        <SegmentedControl
          size="xs"
          value={group.kind}
          onChange={(kind) => edit((root) => setGroupKind(root, group.id, kind as GroupKind))}
          data={[
            { value: 'all', label: kindLabel('all', 'All') },
            { value: 'any', label: kindLabel('any', 'Any') },
          ]}
          aria-label={`Group ${spoken(position)}: all or any of its conditions`}
          data-testid={`group-kind-${position}`}
        />
        <Text size="sm" c="dimmed">
          of these
        </Text>
        <Switch
          size="xs"
          label="Not (leave these out)"
          checked={group.negated}
          onChange={() => edit((root) => toggleNegated(root, group.id))}
          data-testid={`group-not-${position}`}
        />
        {place === 'nested' && (
          <Group gap={2} ml="auto">
            <RowActions id={group.id} position={position} prefix="group" index={index} siblings={siblings} what="group" />
          </Group>
        )}
      </Group>
      {group.children.length === 0 && (
        <Text size="sm" c="dimmed" data-testid={`group-empty-${position}`}>
          {empty}
        </Text>
      )}
      {group.children.map((child, i) =>
        child.node === 'group' ? (
          <Paper key={child.id} withBorder p="xs" radius="sm" ml="md" bg={child.negated ? 'var(--mantine-color-red-light)' : undefined}>
            <GroupEditor group={child} place="nested" index={i} siblings={group.children.length} />
          </Paper>
        ) : (
          <ConditionRow key={child.id} node={child} index={i} siblings={group.children.length} />
        ),
      )}
      {problem && group.children.length > 0 && (
        <Text size="xs" c="var(--eco-warning-text)" data-testid={`group-problem-${position}`}>
          {problem}
        </Text>
      )}
      <Group gap="xs">
        <Button size="compact-sm" variant="light" leftSection={<IconPlus size={14} />} onClick={addCondition} data-testid={ids.condition}>
          Add condition
        </Button>
        <Button size="compact-sm" variant="subtle" leftSection={<IconFolderPlus size={14} />} onClick={addGroup} data-testid={ids.group}>
          Add group
        </Button>
      </Group>
    </Stack>
  );
}

/** Move up and down, wrap in a group (conditions), remove. */
function RowActions({ id, position, prefix, index, siblings, what }: { id: string; position: string; prefix: 'condition' | 'group'; index: number; siblings: number; what: string }) {
  const { edit } = useEditor();
  return (
    <>
      <Tooltip label="Move up" withinPortal={false}>
        <ActionIcon variant="subtle" size="sm" aria-label={`Move ${what} ${spoken(position)} up`} disabled={index === 0} onClick={() => edit((root) => moveNode(root, id, -1))} data-testid={`${prefix}-up-${position}`}>
          <IconArrowUp size={14} />
        </ActionIcon>
      </Tooltip>
      <Tooltip label="Move down" withinPortal={false}>
        <ActionIcon
          variant="subtle"
          size="sm"
          aria-label={`Move ${what} ${spoken(position)} down`}
          disabled={index >= siblings - 1}
          onClick={() => edit((root) => moveNode(root, id, 1))}
          data-testid={`${prefix}-down-${position}`}
        >
          <IconArrowDown size={14} />
        </ActionIcon>
      </Tooltip>
      {prefix === 'condition' && (
        <Tooltip label="Put in a group of its own" withinPortal={false}>
          <ActionIcon variant="subtle" size="sm" aria-label={`Put ${what} ${spoken(position)} in a group`} onClick={() => edit((root) => wrapInGroup(root, id))} data-testid={`${prefix}-wrap-${position}`}>
            <IconBracketsContain size={14} />
          </ActionIcon>
        </Tooltip>
      )}
      <Tooltip label="Remove" withinPortal={false}>
        <ActionIcon variant="subtle" color="red" size="sm" aria-label={`Remove ${what} ${spoken(position)}`} onClick={() => edit((root) => removeNode(root, id))} data-testid={`${prefix}-remove-${position}`}>
          <IconTrash size={14} />
        </ActionIcon>
      </Tooltip>
    </>
  );
}

function ConditionRow({ node, index, siblings }: { node: ConditionNode; index: number; siblings: number }) {
  const { positions, built, highlight, edit, focusId } = useEditor();
  const position = positions.get(node.id) ?? '?';
  const problem = built.problems.get(node.id) ?? null;
  const blamed = highlight?.id === node.id ? highlight : null;
  const kindRef = useRef<HTMLInputElement>(null);
  const set = (condition: Condition) => edit((root) => setCondition(root, node.id, condition));
  const c = node.condition;

  useEffect(() => {
    if (focusId === node.id) kindRef.current?.focus();
  }, [focusId, node.id]);

  const kindName = CONDITION_KINDS.find((k) => k.value === c.kind)?.label ?? c.kind;
  return (
    <Paper
      withBorder
      p="xs"
      radius="sm"
      style={blamed ? { borderColor: 'var(--mantine-color-red-6)' } : problem ? { borderStyle: 'dashed' } : undefined}
      data-testid={`condition-${position}`}
      data-state={problem ? 'incomplete' : 'complete'}
      data-path={built.pathOf.get(node.id) ?? ''}
      data-error={blamed ? 'true' : undefined}
      role="group"
      aria-label={`Condition ${spoken(position)}: ${kindName}${problem ? ' (incomplete)' : ''}`}
    >
      <Stack gap={6}>
        <Group gap="xs" wrap="nowrap">
          <Select
            ref={kindRef}
            aria-label={`Condition ${spoken(position)}: kind`}
            data={CONDITION_KINDS.map((k) => ({ value: k.value, label: k.label }))}
            value={c.kind}
            onChange={(kind) => kind && kind !== c.kind && set(emptyCondition(kind as ConditionKind))}
            allowDeselect={false}
            comboboxProps={NO_PORTAL}
            flex="0 1 160px"
            miw={120}
            data-testid={`condition-kind-${position}`}
          />
          <Group gap={2} ml="auto" wrap="nowrap">
            <Switch size="xs" label="Not" checked={node.negated} onChange={() => edit((root) => toggleNegated(root, node.id))} aria-label={`Condition ${spoken(position)}: not`} data-testid={`condition-not-${position}`} mr="xs" />
            <RowActions id={node.id} position={position} prefix="condition" index={index} siblings={siblings} what="condition" />
          </Group>
        </Group>
        <Group gap="xs" wrap="wrap" align="flex-start">
          <ConditionBody node={node} position={position} set={set} blamed={blamed} />
        </Group>
        {blamed ? (
          <Text size="xs" c="red" role="alert" data-testid={`condition-error-${position}`}>
            {blamed.message}
          </Text>
        ) : (
          problem && (
            <Text size="xs" c="var(--eco-warning-text)" data-testid={`condition-problem-${position}`}>
              Incomplete, left out of the view: {problem}
            </Text>
          )
        )}
        {c.kind === 'related' && (
          <Paper withBorder p="xs" radius="sm" ml="md">
            <GroupEditor group={c.filter} place="related" index={0} siblings={1} />
          </Paper>
        )}
      </Stack>
    </Paper>
  );
}

type BodyProps = { node: ConditionNode; position: string; set: (c: Condition) => void; blamed: Highlight | null };

function ConditionBody(props: BodyProps) {
  switch (props.node.condition.kind) {
    case 'property':
      return <PropertyBody {...props} />;
    case 'type':
      return <TypeBody {...props} />;
    case 'tag':
      return <TagBody {...props} />;
    case 'under':
      return <UnderBody {...props} />;
    case 'text':
      return <TextBody {...props} />;
    case 'updated':
    case 'created':
      return <TimeBody {...props} />;
    case 'related':
      return <RelatedBody {...props} />;
  }
}

const errorOf = (blamed: Highlight | null, part: ErrorPart) => (blamed && blamed.part === part ? true : undefined);

function PropertyBody({ node, position, set, blamed }: BodyProps) {
  const { catalog } = useEditor();
  const c = node.condition as Extract<Condition, { kind: 'property' }>;
  const definition = c.key ? catalog.byKey?.get(c.key) : undefined;
  const ops = definition ? operatorsFor(definition.valueType) : c.op ? [c.op] : [];
  const items = propertyItems(catalog.definitions, catalog.groups, { refusal: filterRefusal, hidden: (d) => d.isSystem });
  const subject = definition?.name ?? c.key ?? 'Property';
  return (
    <>
      <Select
        aria-label={`Condition ${spoken(position)}: property`}
        placeholder={catalog.loading.definitions ? 'Loading properties…' : 'Choose a property'}
        data={withMissing(items, c.key ? [c.key] : [], (key) => (catalog.byKey ? `${key} (no such property)` : key))}
        value={c.key}
        onChange={(key) => {
          const chosen = key ? catalog.byKey?.get(key) : undefined;
          if (chosen) set(withProperty(chosen));
        }}
        searchable
        allowDeselect={false}
        nothingFoundMessage="No such property"
        renderOption={renderPropertyOption}
        maxDropdownHeight={280}
        comboboxProps={{ ...NO_PORTAL, width: 320, position: 'bottom-start' }}
        error={errorOf(blamed, 'key')}
        flex="2 1 180px"
        data-testid={`condition-key-${position}`}
      />
      <Select
        aria-label={`Condition ${spoken(position)}: operator`}
        placeholder="Operator"
        data={ops.map((op) => ({ value: op, label: opLabel(op, definition?.valueType) }))}
        value={c.op && ops.includes(c.op) ? c.op : null}
        onChange={(op) => op && set(withOp(c, definition?.valueType, op as Op))}
        disabled={!c.key}
        allowDeselect={false}
        comboboxProps={NO_PORTAL}
        error={errorOf(blamed, 'op')}
        flex="1 1 130px"
        data-testid={`condition-op-${position}`}
      />
      {definition && c.op && ops.includes(c.op) && (
        <ValueInput
          shape={valueShape(definition.valueType, c.op)}
          op={c.op}
          value={c.value}
          onChange={(value) => set({ ...c, value })}
          definition={definition}
          subject={`Condition ${spoken(position)}, ${subject}`}
          testId={`condition-value-${position}`}
          error={errorOf(blamed, 'value')}
        />
      )}
    </>
  );
}

function TypeBody({ node, position, set, blamed }: BodyProps) {
  const { catalog } = useEditor();
  const c = node.condition as Extract<Condition, { kind: 'type' }>;
  return (
    <MultiSelect
      aria-label={`Condition ${spoken(position)}: entity types`}
      placeholder={c.types.length === 0 ? (catalog.loading.types ? 'Loading types…' : 'Choose types') : ''}
      data={withMissing(typeItems(catalog.types), c.types, (key) => (catalog.loading.types ? key : `${key} (no such type)`))}
      value={c.types}
      onChange={(types) => set({ ...c, types })}
      searchable
      nothingFoundMessage="No such type"
      comboboxProps={NO_PORTAL}
      error={errorOf(blamed, 'value')}
      flex="1 1 240px"
      data-testid={`condition-value-${position}`}
    />
  );
}

function TagBody({ node, position, set, blamed }: BodyProps) {
  const { catalog } = useEditor();
  const c = node.condition as Extract<Condition, { kind: 'tag' }>;
  const label = (match: TagMatch, text: string) => <span data-testid={`condition-match-${position}-${match}`}>{text}</span>;
  return (
    <>
      <SegmentedControl
        size="xs"
        value={c.match}
        onChange={(match) => set({ ...c, match: match as TagMatch })}
        data={[
          { value: 'any', label: label('any', 'Any of') },
          { value: 'all', label: label('all', 'All of') },
          { value: 'none', label: label('none', 'None of') },
        ]}
        aria-label={`Condition ${spoken(position)}: which tags must be carried`}
        data-testid={`condition-match-${position}`}
      />
      <MultiSelect
        aria-label={`Condition ${spoken(position)}: tags`}
        placeholder={c.tags.length === 0 ? (catalog.loading.tags ? 'Loading tags…' : 'Choose tags') : ''}
        data={withMissing(tagItems(catalog.tags, catalog.tagGroups), c.tags, () => (catalog.loading.tags ? 'Loading…' : 'A tag that is gone'))}
        value={c.tags}
        onChange={(tags) => set({ ...c, tags })}
        renderOption={({ option }) => (
          <Group gap={8} wrap="nowrap">
            <TagDot color={catalog.tags.find((t) => t.id === option.value)?.color} />
            <Text size="sm">{option.label}</Text>
          </Group>
        )}
        searchable
        nothingFoundMessage="No such tag"
        comboboxProps={NO_PORTAL}
        error={errorOf(blamed, 'value')}
        flex="1 1 220px"
        data-testid={`condition-value-${position}`}
      />
    </>
  );
}

function UnderBody({ node, position, set, blamed }: BodyProps) {
  const c = node.condition as Extract<Condition, { kind: 'under' }>;
  return <UnderPicker entityId={c.entityId} onChange={(entityId) => set({ ...c, entityId })} testId={`condition-value-${position}`} error={blamed?.part === 'value' ? blamed.message : null} />;
}

function TextBody({ node, position, set, blamed }: BodyProps) {
  const c = node.condition as Extract<Condition, { kind: 'text' }>;
  return (
    <TextInput
      aria-label={`Condition ${spoken(position)}: text the name holds`}
      placeholder="Part of the name (any case)"
      value={c.text}
      onChange={(e) => set({ ...c, text: e.currentTarget.value })}
      error={errorOf(blamed, 'value')}
      flex="1 1 220px"
      data-testid={`condition-value-${position}`}
    />
  );
}

const TIME_LABEL: Partial<Record<Op, string>> = { inLastDays: 'in the last', before: 'before', after: 'on or after' };

function TimeBody({ node, position, set, blamed }: BodyProps) {
  const c = node.condition as Extract<Condition, { kind: 'updated' | 'created' }>;
  return (
    <>
      <Select
        aria-label={`Condition ${spoken(position)}: operator`}
        data={TIME_OPERATORS.map((op) => ({ value: op, label: TIME_LABEL[op] ?? op }))}
        value={c.op && TIME_OPERATORS.includes(c.op) ? c.op : null}
        onChange={(op) => op && set(withTimeOp(c, op as Op))}
        placeholder="Operator"
        allowDeselect={false}
        comboboxProps={NO_PORTAL}
        error={errorOf(blamed, 'op')}
        flex="0 1 150px"
        data-testid={`condition-op-${position}`}
      />
      {c.op && TIME_OPERATORS.includes(c.op) && (
        <ValueInput
          shape={timeShape(c.op)}
          op={c.op}
          value={c.value}
          onChange={(value) => set({ ...c, value })}
          subject={`Condition ${spoken(position)}, ${c.kind === 'updated' ? 'updated' : 'created'}`}
          testId={`condition-value-${position}`}
          error={errorOf(blamed, 'value')}
        />
      )}
    </>
  );
}

function RelatedBody({ node, position, set, blamed }: BodyProps) {
  const { relationshipTypes } = useEditor();
  const c = node.condition as Extract<Condition, { kind: 'related' }>;
  const label = (direction: RelatedDirection, text: ReactNode) => <span data-testid={`condition-direction-${position}-${direction}`}>{text}</span>;
  return (
    <>
      <Autocomplete
        aria-label={`Condition ${spoken(position)}: relationship type`}
        placeholder="Relationship type, e.g. feeds"
        data={relationshipTypes.filter((t) => t !== c.relationshipType)}
        value={c.relationshipType}
        onChange={(relationshipType) => set({ ...c, relationshipType })}
        comboboxProps={NO_PORTAL}
        error={errorOf(blamed, 'type')}
        flex="1 1 180px"
        data-testid={`condition-reltype-${position}`}
      />
      <SegmentedControl
        size="xs"
        value={c.direction}
        onChange={(direction) => set({ ...c, direction: direction as RelatedDirection })}
        data={[
          { value: 'outgoing', label: label('outgoing', 'To (→)') },
          { value: 'incoming', label: label('incoming', 'From (←)') },
          { value: 'either', label: label('either', 'Either way') },
        ]}
        aria-label={`Condition ${spoken(position)}: direction of the relationship`}
        data-testid={`condition-direction-${position}`}
      />
      {c.filter.children.length === 0 && (
        <Badge variant="light" color="gray" size="sm" mt={6}>
          any entity
        </Badge>
      )}
    </>
  );
}
