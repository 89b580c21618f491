import { ActionIcon, Alert, Badge, Button, Center, Code, Group, Kbd, Loader, Paper, Select, Stack, Switch, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconAlertTriangle, IconArrowDown, IconArrowUp, IconDeviceFloppy, IconGripVertical, IconRefresh, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { EntityType, LayoutEntry, PropertyDefinition, PropertyGroup } from '../../bindings';
import { isConflict } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { NodeIcon } from '../../shared/nodeIcons';
import { entityTypesQuery } from '../entity-types/api';
import { propertyDefinitionsQuery, propertyGroupsQuery, typeLayoutQuery, useReloadSchema, useSetTypeLayout } from './api';
import classes from './PropertyAdmin.module.css';
import { moveItem, useRowReorder } from './reorder';
import { valueTypeLabel } from './rules';

/** An edited layout, and the version of the type it was loaded at (sent back on save). */
type Draft = { base: string; entries: LayoutEntry[] };

const sameEntries = (a: readonly LayoutEntry[], b: readonly LayoutEntry[]) =>
  a.length === b.length && a.every((e, i) => e.definitionId === b[i].definitionId && e.isRequired === b[i].isRequired);

/** Which properties an entity type shows, in which order, and which it requires (read-only while `refused` says why). */
export function TypeLayoutPanel({ refused }: { refused: string | null }) {
  const types = useQuery(entityTypesQuery(false));
  const [typeId, setTypeId] = useState<string | null>(null);
  // Unsaved layouts by type, kept while another type is looked at.
  const [drafts, setDrafts] = useState<ReadonlyMap<string, Draft>>(new Map());
  const entityType = types.data?.find((t) => t.id === typeId) ?? null;

  const setDraft = useCallback(
    (id: string, draft: Draft | null) =>
      setDrafts((current) => {
        const next = new Map(current);
        if (draft) next.set(id, draft);
        else next.delete(id);
        return next;
      }),
    [],
  );

  const typeOptions = (types.data ?? []).map((t) => ({ value: t.id, label: drafts.has(t.id) ? `${t.name} (unsaved)` : t.name }));
  const iconOf = (id: string) => types.data?.find((t) => t.id === id)?.icon ?? null;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Select
          label="Entity type"
          placeholder="Pick a type"
          data={typeOptions}
          value={typeId}
          onChange={setTypeId}
          searchable
          nothingFoundMessage="No such type"
          leftSection={typeId ? <NodeIcon icon={iconOf(typeId)} size={16} /> : undefined}
          renderOption={({ option }) => (
            <Group gap="xs" wrap="nowrap">
              <NodeIcon icon={iconOf(option.value)} size={16} />
              {option.label}
            </Group>
          )}
          w={320}
          disabled={!types.data}
          data-testid="layout-type"
        />
        <Text size="sm" c="dimmed" maw={560}>
          The properties an entity of this type shows, in order (its name always comes first).
          {refused === null && (
            <>
              {' '}
              Drag a row, or focus it and press <Kbd size="xs">Alt ↑</Kbd> / <Kbd size="xs">Alt ↓</Kbd>; <Kbd size="xs">Delete</Kbd> removes it.
            </>
          )}
        </Text>
      </Group>
      {types.isError && <ErrorNotice error={types.error} />}
      {entityType ? (
        <LayoutEditor key={entityType.id} entityType={entityType} draft={drafts.get(entityType.id) ?? null} refused={refused} onDraft={(d) => setDraft(entityType.id, d)} />
      ) : (
        <Paper withBorder radius="md" p="lg">
          <Text size="sm" c="dimmed" data-testid="layout-none">
            {refused === null ? 'Pick an entity type to see and edit its properties.' : 'Pick an entity type to see its properties.'}
          </Text>
        </Paper>
      )}
    </Stack>
  );
}

type EditorProps = { entityType: EntityType; draft: Draft | null; refused: string | null; onDraft: (draft: Draft | null) => void };

function LayoutEditor({ entityType, draft, refused, onDraft }: EditorProps) {
  const layout = useQuery(typeLayoutQuery(entityType.id));
  const definitions = useQuery(propertyDefinitionsQuery(false));
  const groups = useQuery(propertyGroupsQuery(false));
  const setTypeLayout = useSetTypeLayout();
  const reload = useReloadSchema();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const addSelect = useRef<HTMLInputElement>(null);

  const entries = useMemo(() => draft?.entries ?? layout.data?.entries ?? [], [draft, layout.data]);
  const ids = useMemo(() => entries.map((e) => e.definitionId), [entries]);
  const byId = useMemo(() => new Map((definitions.data ?? []).map((d) => [d.id, d])), [definitions.data]);
  const groupName = useMemo(() => new Map((groups.data ?? []).map((g) => [g.id, g.name])), [groups.data]);
  const dirty = draft !== null && layout.data !== undefined && !sameEntries(draft.entries, layout.data.entries);

  const edit = useCallback(
    (next: LayoutEntry[]) => {
      if (!layout.data || refused !== null) return;
      setSaved(false);
      setError(null);
      onDraft({ base: draft?.base ?? layout.data.updatedAt, entries: next });
    },
    [draft, layout.data, onDraft, refused],
  );

  const nameOf = useCallback((id: string) => byId.get(id)?.name ?? 'Unknown property', [byId]);

  const onMove = useCallback(
    (from: number, to: number) => {
      edit(moveItem(entries, from, to));
      setAnnouncement(`${nameOf(entries[from].definitionId)} moved to position ${to + 1} of ${entries.length}`);
    },
    [edit, entries, nameOf],
  );

  const remove = (index: number) => {
    if (refused !== null) return;
    const removed = entries[index];
    edit(entries.filter((_, i) => i !== index));
    setAnnouncement(`${nameOf(removed.definitionId)} removed`);
    // The keyboard continues on the next row, or at "Add a property".
    const next = ids[index + 1] ?? ids[index - 1];
    requestAnimationFrame(() => {
      const row = next ? document.querySelector<HTMLElement>(`[data-definition-id="${next}"]`) : null;
      (row ?? addSelect.current)?.focus();
    });
  };

  const reorder = useRowReorder({ ids, onMove, onRemove: remove, readOnly: refused !== null });
  const title = refused ?? undefined;

  const setRequired = (index: number, isRequired: boolean) => edit(entries.map((e, i) => (i === index ? { ...e, isRequired } : e)));

  const add = (definitionId: string | null) => {
    if (!definitionId || ids.includes(definitionId) || refused !== null) return;
    edit([...entries, { definitionId, isRequired: false }]);
    setAnnouncement(`${nameOf(definitionId)} added`);
  };

  const save = async () => {
    if (!draft || refused !== null) return;
    setBusy(true);
    setError(null);
    try {
      await setTypeLayout({ entityTypeId: entityType.id, expectedUpdatedAt: draft.base, entries: draft.entries });
      onDraft(null);
      setSaved(true);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  const discard = () => {
    onDraft(null);
    setError(null);
  };

  if (layout.isPending || definitions.isPending) {
    return (
      <Center p="xl">
        <Loader size="sm" />
      </Center>
    );
  }
  if (layout.isError) return <ErrorNotice error={layout.error} />;
  if (definitions.isError) return <ErrorNotice error={definitions.error} />;

  const addOptions = groupedChoices(
    definitions.data.filter((d) => !d.isSystem && !ids.includes(d.id)),
    groups.data ?? [],
  );

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Select
          ref={addSelect}
          label="Add a property"
          placeholder={addOptions.length === 0 ? 'Every property is in the layout' : 'Search properties…'}
          data={addOptions}
          value={null}
          onChange={add}
          searchable
          clearable={false}
          nothingFoundMessage="No such property"
          disabled={addOptions.length === 0 || refused !== null}
          title={title}
          w={360}
          data-testid="layout-add"
        />
        <Group gap="sm">
          {dirty && (
            <Badge variant="light" color="yellow" data-testid="layout-unsaved">
              Unsaved changes
            </Badge>
          )}
          {saved && !dirty && (
            <Text size="sm" c="var(--eco-success-text)" data-testid="layout-saved">
              Saved.
            </Text>
          )}
          <Button variant="default" onClick={discard} disabled={draft === null || busy} data-testid="layout-discard">
            Discard changes
          </Button>
          <Button leftSection={<IconDeviceFloppy size={16} />} onClick={() => void save()} loading={busy} disabled={!dirty || refused !== null} title={title} data-testid="layout-save">
            Save layout
          </Button>
        </Group>
      </Group>
      {isConflict(error) ? (
        <Alert color="orange" variant="light" title="Changed by someone else" icon={<IconAlertTriangle size={18} />} role="alert" data-testid="layout-conflict">
          <Stack gap={6} align="flex-start">
            <Text size="sm">
              {entityType.name} or its layout changed since you loaded it, so your layout was not saved. Reload to see the layout as it is now; your changes here are
              discarded.
            </Text>
            <Button
              size="compact-sm"
              variant="light"
              color="orange"
              leftSection={<IconRefresh size={14} />}
              onClick={() => {
                discard();
                reload();
              }}
              data-testid="layout-reload"
            >
              Reload
            </Button>
          </Stack>
        </Alert>
      ) : (
        error !== null && <ErrorNotice error={error} />
      )}
      <Paper withBorder radius="md" style={{ overflow: 'hidden' }} role="list" aria-label={`Properties of ${entityType.name}`} data-testid="layout-list">
        {entries.length === 0 && (
          <Text size="sm" c="dimmed" p="md" data-testid="layout-empty">
            {entityType.name} shows no properties besides its name yet.{refused === null && ' Add one above.'}
          </Text>
        )}
        {entries.map((entry, index) => {
          const definition = byId.get(entry.definitionId);
          const key = definition?.key ?? entry.definitionId;
          return (
            <div
              key={entry.definitionId}
              className={classes.row}
              role="listitem"
              aria-label={`${nameOf(entry.definitionId)}, position ${index + 1} of ${entries.length}`}
              data-definition-id={entry.definitionId}
              data-testid={`layout-row-${key}`}
              {...reorder.rowProps(entry.definitionId)}
            >
              <IconGripVertical size={16} className={classes.grip} aria-hidden />
              <LayoutLabel definition={definition} group={definition?.groupId ? (groupName.get(definition.groupId) ?? null) : null} fallback={entry.definitionId} />
              {definition?.isRequired && (
                <Tooltip label="The property itself is required on every entity" withArrow>
                  <Badge size="xs" variant="outline" color="red">
                    Always required
                  </Badge>
                </Tooltip>
              )}
              <Switch
                label="Required for this type"
                checked={entry.isRequired}
                onChange={(e) => setRequired(index, e.currentTarget.checked)}
                disabled={refused !== null}
                title={title}
                data-testid={`layout-required-${key}`}
              />
              <Group gap={2} wrap="nowrap">
                <Tooltip label="Move up (Alt+↑)" disabled={refused !== null} withArrow>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    disabled={index === 0 || refused !== null}
                    title={title}
                    onClick={() => reorder.move(index, index - 1)}
                    aria-label={`Move ${nameOf(entry.definitionId)} up`}
                    data-testid={`layout-up-${key}`}
                  >
                    <IconArrowUp size={16} />
                  </ActionIcon>
                </Tooltip>
                <Tooltip label="Move down (Alt+↓)" disabled={refused !== null} withArrow>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    disabled={index === entries.length - 1 || refused !== null}
                    title={title}
                    onClick={() => reorder.move(index, index + 1)}
                    aria-label={`Move ${nameOf(entry.definitionId)} down`}
                    data-testid={`layout-down-${key}`}
                  >
                    <IconArrowDown size={16} />
                  </ActionIcon>
                </Tooltip>
                <Tooltip label="Remove (Delete)" disabled={refused !== null} withArrow>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    disabled={refused !== null}
                    title={title}
                    onClick={() => remove(index)}
                    aria-label={`Remove ${nameOf(entry.definitionId)}`}
                    data-testid={`layout-remove-${key}`}
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Tooltip>
              </Group>
            </div>
          );
        })}
      </Paper>
      <VisuallyHidden aria-live="polite">{announcement}</VisuallyHidden>
    </Stack>
  );
}

function LayoutLabel({ definition, group, fallback }: { definition: PropertyDefinition | undefined; group: string | null; fallback: string }) {
  if (!definition) {
    return (
      <div className={classes.grow}>
        <Text size="sm" c="dimmed">
          Unknown property <Code>{fallback}</Code>
        </Text>
      </div>
    );
  }
  return (
    <div className={classes.grow}>
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" fw={500} truncate="end">
          {definition.name}
        </Text>
        <Code>{definition.key}</Code>
        <Badge size="xs" variant="light" color="gray" tt="none">
          {valueTypeLabel(definition.valueType)}
        </Badge>
      </Group>
      {group && (
        <Text size="xs" c="dimmed">
          {group}
        </Text>
      )}
    </div>
  );
}

/** Properties to add, grouped like the definitions table ("No group" last). */
function groupedChoices(definitions: readonly PropertyDefinition[], groups: readonly PropertyGroup[]) {
  const choice = (d: PropertyDefinition) => ({ value: d.id, label: `${d.name} (${d.key})` });
  const known = new Set(groups.map((g) => g.id));
  const sections = groups
    .map((g) => ({ group: g.name, items: definitions.filter((d) => d.groupId === g.id).map(choice) }))
    .filter((s) => s.items.length > 0);
  const rest = definitions.filter((d) => d.groupId === null || !known.has(d.groupId)).map(choice);
  if (rest.length > 0) sections.push({ group: 'No group', items: rest });
  return sections;
}
