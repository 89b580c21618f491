import { ColorSwatch, Group, Input, Radio, SegmentedControl, Select, Stack, Text, type ComboboxItem, type ComboboxItemGroup } from '@mantine/core';
import type { EntityType, PropertyDefinition, PropertyGroup, Tag, TagGroup, TreeNode } from '../../bindings';
import { NodeIcon } from '../../shared/nodeIcons';
import { describeNodes } from '../tree';
import { editors } from '../properties';
import { capitalized, isPropertyAction, type ActionKind, type Draft, type DraftField, type GivenTarget } from './bulkModel';

/** Messages under the inputs of the first step. */
export type ChooseErrors = Partial<Record<DraftField | 'target', string>>;

type Props = {
  nodes: readonly TreeNode[];
  /** A target fixed by the caller: shown, not chosen. */
  given: GivenTarget | null;
  draft: Draft;
  onDraft: (patch: Partial<Draft>) => void;
  definitions: readonly PropertyDefinition[];
  propertyGroups: readonly PropertyGroup[];
  tags: readonly Tag[];
  tagGroups: readonly TagGroup[];
  types: readonly EntityType[];
  loading: { definitions: boolean; tags: boolean; types: boolean };
  errors: ChooseErrors;
  disabled: boolean;
};

const ACTIONS: { value: ActionKind; label: string }[] = [
  { value: 'set', label: 'Set property' },
  { value: 'clear', label: 'Clear property' },
  { value: 'addTag', label: 'Add tag' },
  { value: 'removeTag', label: 'Remove tag' },
];

/** The Select value standing for "any type" (Select values are strings). */
const ANY_TYPE = '*';

const VALUE_TYPE_LABEL: Record<PropertyDefinition['valueType'], string> = {
  text: 'text',
  number: 'number',
  boolean: 'yes / no',
  date: 'date',
  json: 'JSON',
  ip_address: 'IP address',
  url: 'URL',
  secret_reference: 'secret',
  single_select: 'single select',
  multi_select: 'multi select',
};

/** Definitions by property group, in the groups' order; those without a group last. */
function definitionOptions(definitions: readonly PropertyDefinition[], groups: readonly PropertyGroup[]): ComboboxItemGroup<ComboboxItem>[] {
  const byName = (a: PropertyDefinition, b: PropertyDefinition) => a.name.localeCompare(b.name);
  const item = (d: PropertyDefinition): ComboboxItem => ({ value: d.id, label: d.name });
  const ordered = [...groups].sort((a, b) => a.displayOrder - b.displayOrder);
  const result = ordered
    .map((group) => ({ group: group.name, items: definitions.filter((d) => d.groupId === group.id).sort(byName).map(item) }))
    .filter((group) => group.items.length > 0);
  const known = new Set(groups.map((g) => g.id));
  const others = definitions.filter((d) => d.groupId === null || !known.has(d.groupId)).sort(byName);
  if (others.length > 0) result.push({ group: 'Other', items: others.map(item) });
  return result;
}

/** Tags by tag group (single-choice groups say so); tags without a group last. */
function tagOptions(tags: readonly Tag[], groups: readonly TagGroup[]): ComboboxItemGroup<ComboboxItem>[] {
  const byName = (a: Tag, b: Tag) => a.name.localeCompare(b.name);
  const item = (t: Tag): ComboboxItem => ({ value: t.id, label: t.name });
  const result = groups
    .filter((group) => group.deletedAt === null)
    .map((group) => ({
      group: group.selectionMode === 'single' ? `${group.name} (one per entity)` : group.name,
      items: tags.filter((t) => t.groupId === group.id).sort(byName).map(item),
    }))
    .filter((group) => group.items.length > 0);
  const known = new Set(groups.map((g) => g.id));
  const others = tags.filter((t) => t.groupId === null || !known.has(t.groupId)).sort(byName);
  if (others.length > 0) result.push({ group: 'No group', items: others.map(item) });
  return result;
}

/** A tag's colour dot (grey when it has none). */
export function TagDot({ color, size = 12 }: { color: string | null | undefined; size?: number }) {
  return <ColorSwatch component="span" color={color ?? 'var(--mantine-color-gray-4)'} size={size} withShadow={false} style={{ flex: '0 0 auto' }} />;
}

/** Step 1: which entities, and what to do to them. */
export function ChooseEdit({ nodes, given, draft, onDraft, definitions, propertyGroups, tags, tagGroups, types, loading, errors, disabled }: Props) {
  const definition = definitions.find((d) => d.id === draft.definitionId);
  const tag = tags.find((t) => t.id === draft.tagId);
  const typeOf = (key: string) => types.find((t) => t.key === key);

  return (
    <Stack gap="md">
      {given ? (
        <Input.Wrapper label="Entities" labelElement="div" error={errors.target}>
          <Text size="sm" data-testid="bulk-target">
            {capitalized(given.label)}
          </Text>
        </Input.Wrapper>
      ) : (
        <TargetChoice nodes={nodes} draft={draft} onDraft={onDraft} types={types} typesLoading={loading.types} errors={errors} disabled={disabled} typeOf={typeOf} />
      )}

      <Input.Wrapper label="Action" labelElement="div">
        <SegmentedControl
          fullWidth
          data={ACTIONS}
          value={draft.action}
          onChange={(value) => onDraft({ action: value as ActionKind })}
          disabled={disabled}
          aria-label="Action"
          data-testid="bulk-action"
        />
      </Input.Wrapper>

      {isPropertyAction(draft.action) && (
        <Select
          label="Property"
          placeholder={loading.definitions ? 'Loading properties…' : 'Choose a property'}
          data={definitionOptions(definitions, propertyGroups)}
          value={draft.definitionId}
          onChange={(value) => onDraft({ definitionId: value, text: '' })}
          error={errors.definition}
          searchable
          nothingFoundMessage="No such property"
          disabled={disabled}
          maxDropdownHeight={280}
          renderOption={({ option }) => {
            const d = definitions.find((x) => x.id === option.value);
            return (
              <Group gap="xs" justify="space-between" wrap="nowrap" w="100%">
                <Text size="sm">{option.label}</Text>
                {d && (
                  <Text size="xs" c="dimmed">
                    {VALUE_TYPE_LABEL[d.valueType]}
                    {d.isSensitive ? ', sensitive' : ''}
                  </Text>
                )}
              </Group>
            );
          }}
          openOnFocus={false}
          comboboxProps={{ withinPortal: false }}
          data-bulk-field="definition"
          data-autofocus
          data-testid="bulk-property"
        />
      )}

      {draft.action === 'set' && definition && <ValueInput definition={definition} text={draft.text} onText={(text) => onDraft({ text })} error={errors.value} disabled={disabled} />}

      {!isPropertyAction(draft.action) && (
        <Select
          label="Tag"
          placeholder={loading.tags ? 'Loading tags…' : 'Choose a tag'}
          data={tagOptions(tags, tagGroups)}
          value={draft.tagId}
          onChange={(value) => onDraft({ tagId: value })}
          error={errors.tag}
          searchable
          nothingFoundMessage="No such tag"
          disabled={disabled}
          maxDropdownHeight={280}
          leftSection={tag ? <TagDot color={tag.color} /> : undefined}
          renderOption={({ option }) => (
            <Group gap={8} wrap="nowrap">
              <TagDot color={tags.find((t) => t.id === option.value)?.color} />
              <Text size="sm">{option.label}</Text>
            </Group>
          )}
          openOnFocus={false}
          comboboxProps={{ withinPortal: false }}
          data-bulk-field="tag"
          data-testid="bulk-tag"
        />
      )}
    </Stack>
  );
}

function TargetChoice({
  nodes,
  draft,
  onDraft,
  types,
  typesLoading,
  errors,
  disabled,
  typeOf,
}: {
  nodes: readonly TreeNode[];
  draft: Draft;
  onDraft: (patch: Partial<Draft>) => void;
  types: readonly EntityType[];
  typesLoading: boolean;
  errors: ChooseErrors;
  disabled: boolean;
  typeOf: (key: string) => EntityType | undefined;
}) {
  if (nodes.length !== 1) {
    const names = nodes.slice(0, 3).map((n) => n.name);
    const more = nodes.length - names.length;
    return (
      <Input.Wrapper label="Entities" labelElement="div" error={errors.target}>
        <Text size="sm" data-testid="bulk-target">
          The {nodes.length.toLocaleString('en-US')} selected entities: {names.join(', ')}
          {more > 0 ? ` and ${more.toLocaleString('en-US')} more` : ''}
        </Text>
      </Input.Wrapper>
    );
  }
  const node = nodes[0];
  const typeValue = draft.typeChosen ? (draft.typeKey ?? ANY_TYPE) : null;
  const typeData = [
    { value: ANY_TYPE, label: 'Any type' },
    ...types
      .filter((t) => t.deletedAt === null)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((t) => ({ value: t.key, label: t.name })),
  ];
  const chooseType = (value: string | null) =>
    onDraft({ target: 'subtree', typeChosen: value !== null, typeKey: value === null || value === ANY_TYPE ? null : value });
  return (
    <Radio.Group
      label="Entities"
      value={draft.target}
      onChange={(value) => onDraft({ target: value === 'subtree' ? 'subtree' : 'selection' })}
      error={errors.target}
      data-testid="bulk-target"
    >
      <Stack gap="xs" mt={6}>
        <Radio value="selection" label={`This entity: ${describeNodes([node])}`} disabled={disabled} data-autofocus data-testid="bulk-target-selection" />
        <Group gap="xs" wrap="nowrap" align="center">
          <Radio value="subtree" label={`Every entity under ${node.name} of type`} disabled={disabled} data-testid="bulk-target-subtree" style={{ flex: '0 0 auto' }} />
          <Select
            aria-label="Type"
            placeholder={typesLoading ? 'Loading types…' : 'Choose a type'}
            data={typeData}
            value={typeValue}
            onChange={chooseType}
            onFocus={() => draft.target !== 'subtree' && onDraft({ target: 'subtree' })}
            error={errors.type}
            searchable
            disabled={disabled}
            size="xs"
            w={220}
            leftSection={typeValue && typeValue !== ANY_TYPE ? <NodeIcon icon={typeOf(typeValue)?.icon ?? null} size={14} /> : undefined}
            renderOption={({ option }) => (
              <Group gap="xs" wrap="nowrap">
                {option.value !== ANY_TYPE && <NodeIcon icon={typeOf(option.value)?.icon ?? null} size={14} />}
                <Text size="sm">{option.label}</Text>
              </Group>
            )}
            openOnFocus={false}
          comboboxProps={{ withinPortal: false }}
            data-bulk-field="type"
            data-testid="bulk-target-type"
          />
        </Group>
      </Stack>
    </Radio.Group>
  );
}

/** The value to set, in the editor of its value type. */
function ValueInput({ definition, text, onText, error, disabled }: { definition: PropertyDefinition; text: string; onText: (text: string) => void; error: string | undefined; disabled: boolean }) {
  const editor = editors[definition.valueType];
  const id = `bulk-value-${definition.id}`;
  const multiple = definition.valueType === 'single_select' || definition.valueType === 'multi_select' || definition.valueType === 'boolean';
  return (
    <Input.Wrapper
      id={id}
      label={`New ${definition.name}`}
      labelElement={multiple ? 'div' : 'label'}
      description={[editor.hint(definition.rules), definition.isSensitive ? 'Sensitive: the preview does not show it' : null].filter(Boolean).join(' · ') || undefined}
      error={error}
      inputWrapperOrder={['label', 'description', 'input', 'error']}
      errorProps={{ 'data-testid': 'bulk-value-error' }}
      data-bulk-field="value"
    >
      <editor.Editor id={id} definition={definition} text={text} onChange={onText} invalid={error !== undefined} required disabled={disabled} />
    </Input.Wrapper>
  );
}
