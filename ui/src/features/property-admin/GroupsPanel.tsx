import { ActionIcon, Badge, Button, Center, Code, Group, Kbd, Loader, Paper, Stack, Switch, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowDown, IconArrowUp, IconGripVertical, IconPencil, IconPlus, IconRestore, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { PropertyGroup } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { showActionUnavailable } from '../../shared/actionNotice';
import { useActionRequests } from '../../shared/WorkspaceContext';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { useRestore } from '../../shared/useRestore';
import { propertyDefinitionsQuery, propertyGroupsQuery, useReloadSchema, useReorderPropertyGroups, useRestorePropertyGroup } from './api';
import { DeleteGroupDialog, GroupFormDialog } from './GroupDialogs';
import classes from './PropertyAdmin.module.css';
import { moveItem, useRowReorder } from './reorder';

type Editing = { kind: 'create' } | { kind: 'rename'; group: PropertyGroup } | { kind: 'delete'; group: PropertyGroup };

/** `wanted` (an order not yet confirmed) over the ids the server has now. */
function mergeOrder(wanted: readonly string[], current: readonly string[]): string[] {
  const known = new Set(current);
  const kept = wanted.filter((id) => known.has(id));
  return [...kept, ...current.filter((id) => !kept.includes(id))];
}

const sameOrder = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/** Property groups in display order: reorder, create, rename, delete and restore (none of it while `refused` says why). */
export function GroupsPanel({ refused }: { refused: string | null }) {
  const [showDeleted, setShowDeleted] = useState(false);
  const groups = useQuery(propertyGroupsQuery(showDeleted));
  const definitions = useQuery(propertyDefinitionsQuery(false));
  const reorderGroups = useReorderPropertyGroups();
  const reload = useReloadSchema();
  const [editing, setEditing] = useState<Editing | null>(null);
  // No dialog stays open for someone refused (one opened before the session was known).
  const open = refused === null ? editing : null;
  const title = refused ?? undefined;
  const [wanted, setWanted] = useState<string[] | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const queue = useRef<Promise<unknown>>(Promise.resolve());

  const all = useMemo(() => groups.data ?? [], [groups.data]);
  const byId = useMemo(() => new Map(all.map((g) => [g.id, g])), [all]);
  const serverIds = useMemo(() => all.filter((g) => g.deletedAt === null).map((g) => g.id), [all]);
  const ids = useMemo(() => (wanted ? mergeOrder(wanted, serverIds) : serverIds), [wanted, serverIds]);
  const deleted = all.filter((g) => g.deletedAt !== null);

  // The server has confirmed the order asked for: follow it again.
  useEffect(() => {
    if (wanted && sameOrder(wanted, serverIds)) setWanted(null);
  }, [wanted, serverIds]);

  const liveProperties = (groupId: string) => (definitions.data ?? []).filter((d) => d.groupId === groupId).length;

  const onMove = useCallback(
    (from: number, to: number) => {
      const next = moveItem(ids, from, to);
      setWanted(next);
      const moved = byId.get(ids[from]);
      setAnnouncement(`${moved?.name ?? 'Group'} moved to position ${to + 1} of ${next.length}`);
      // One reorder at a time, in the order they were asked for.
      queue.current = queue.current.then(async () => {
        try {
          await reorderGroups(next);
        } catch (error) {
          const { title, message } = describeError(error);
          notifications.show({ color: 'red', title: `Could not reorder the groups: ${title}`, message });
          setWanted(null);
          reload();
        }
      });
    },
    [byId, ids, reload, reorderGroups],
  );

  const reorder = useRowReorder({
    ids,
    onMove,
    onRename: (i) => setEditing({ kind: 'rename', group: byId.get(ids[i])! }),
    onRemove: (i) => setEditing({ kind: 'delete', group: byId.get(ids[i])! }),
    readOnly: refused !== null,
  });

  useActionRequests('properties', { 'new-group': () => (refused !== null ? showActionUnavailable(refused) : setEditing({ kind: 'create' })) });

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Text size="sm" c="dimmed" maw={620}>
          Groups are the sections of an entity's properties, shown in this order.
          {refused === null && (
            <>
              {' '}
              Drag a group, or focus it and press <Kbd size="xs">Alt ↑</Kbd> / <Kbd size="xs">Alt ↓</Kbd>; <Kbd size="xs">F2</Kbd> renames, <Kbd size="xs">Delete</Kbd> deletes.
            </>
          )}
        </Text>
        <Group gap="md">
          <Switch label="Show deleted" checked={showDeleted} onChange={(e) => setShowDeleted(e.currentTarget.checked)} data-testid="groups-show-deleted" />
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing({ kind: 'create' })} disabled={refused !== null} title={title} data-testid="groups-new">
            New group
          </Button>
        </Group>
      </Group>
      {groups.isPending ? (
        <Center p="xl">
          <Loader size="sm" />
        </Center>
      ) : groups.isError ? (
        <ErrorNotice error={groups.error} />
      ) : all.length === 0 ? (
        <Paper withBorder radius="md" p="lg">
          <Text size="sm" c="dimmed" data-testid="groups-empty">
            No property groups yet. Properties without a group are shown last.
          </Text>
        </Paper>
      ) : (
        <Paper withBorder radius="md" style={{ overflow: 'hidden' }} role="list" aria-label="Property groups" data-testid="groups-list">
          {ids.map((id, index) => {
            const group = byId.get(id)!;
            return (
              <div key={id} className={classes.row} role="listitem" aria-label={`${group.name}, position ${index + 1} of ${ids.length}`} data-testid={`group-row-${group.key}`} {...reorder.rowProps(id)}>
                <IconGripVertical size={16} className={classes.grip} aria-hidden />
                <GroupLabel group={group} liveProperties={definitions.data ? liveProperties(id) : null} />
                <Group gap={2} wrap="nowrap">
                  <Tooltip label="Move up (Alt+↑)" disabled={refused !== null} withArrow>
                    <ActionIcon
                      variant="subtle"
                      color="gray"
                      disabled={index === 0 || refused !== null}
                      title={title}
                      onClick={() => reorder.move(index, index - 1)}
                      aria-label={`Move ${group.name} up`}
                      data-testid={`group-up-${group.key}`}
                    >
                      <IconArrowUp size={16} />
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label="Move down (Alt+↓)" disabled={refused !== null} withArrow>
                    <ActionIcon
                      variant="subtle"
                      color="gray"
                      disabled={index === ids.length - 1 || refused !== null}
                      title={title}
                      onClick={() => reorder.move(index, index + 1)}
                      aria-label={`Move ${group.name} down`}
                      data-testid={`group-down-${group.key}`}
                    >
                      <IconArrowDown size={16} />
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label="Rename (F2)" disabled={refused !== null} withArrow>
                    <ActionIcon
                      variant="subtle"
                      color="gray"
                      disabled={refused !== null}
                      title={title}
                      onClick={() => setEditing({ kind: 'rename', group })}
                      aria-label={`Rename ${group.name}`}
                      data-testid={`group-rename-${group.key}`}
                    >
                      <IconPencil size={16} />
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label="Delete (Delete)" disabled={refused !== null} withArrow>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      disabled={refused !== null}
                      title={title}
                      onClick={() => setEditing({ kind: 'delete', group })}
                      aria-label={`Delete ${group.name}`}
                      data-testid={`group-delete-${group.key}`}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Group>
              </div>
            );
          })}
          {deleted.map((group) => (
            <DeletedGroupRow key={group.id} group={group} refused={refused} />
          ))}
        </Paper>
      )}
      <VisuallyHidden aria-live="polite" data-testid="groups-announcement">
        {announcement}
      </VisuallyHidden>
      {open?.kind === 'create' && <GroupFormDialog group={null} onClose={() => setEditing(null)} />}
      {open?.kind === 'rename' && <GroupFormDialog group={open.group} onClose={() => setEditing(null)} />}
      {open?.kind === 'delete' && <DeleteGroupDialog group={open.group} liveProperties={liveProperties(open.group.id)} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function GroupLabel({ group, liveProperties }: { group: PropertyGroup; liveProperties: number | null }) {
  return (
    <div className={classes.grow}>
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" fw={500} truncate="end">
          {group.name}
        </Text>
        <Code>{group.key}</Code>
        {liveProperties !== null && group.deletedAt === null && (
          <Badge size="xs" variant="light" color={liveProperties === 0 ? 'gray' : 'teal'}>
            {liveProperties === 1 ? '1 property' : `${liveProperties} properties`}
          </Badge>
        )}
        {group.deletedAt !== null && (
          <Badge size="xs" color="red" variant="light">
            Deleted
          </Badge>
        )}
      </Group>
      {group.description && (
        <Text size="xs" c="dimmed" truncate="end">
          {group.description}
        </Text>
      )}
    </div>
  );
}

function DeletedGroupRow({ group, refused }: { group: PropertyGroup; refused: string | null }) {
  const restoreGroup = useRestorePropertyGroup();
  const { busy, restore } = useRestore(() => restoreGroup(group.id), group.name);

  return (
    <div className={classes.row} role="listitem" data-deleted data-testid={`group-row-${group.key}`}>
      <span style={{ width: 16 }} />
      <GroupLabel group={group} liveProperties={null} />
      <Button
        size="compact-sm"
        variant="light"
        leftSection={<IconRestore size={14} />}
        loading={busy}
        disabled={refused !== null}
        title={refused ?? undefined}
        onClick={() => void restore()}
        data-testid={`group-restore-${group.key}`}
      >
        Restore
      </Button>
    </div>
  );
}
