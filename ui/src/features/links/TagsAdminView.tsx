import { ActionIcon, Anchor, Badge, Button, Center, Code, Group, Loader, Modal, Paper, ScrollArea, Stack, Switch, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconListDetails, IconPencil, IconPlus, IconRestore, IconSearch, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Tag, TagGroup } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { EmptyState } from '../../shared/EmptyState';
import { showActionUnavailable } from '../../shared/actionNotice';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { useActionRequests } from '../../shared/WorkspaceContext';
import { formatCount } from '../../shared/format';
import { NodeIcon } from '../../shared/nodeIcons';
import { ReadOnlyNotice } from '../../shared/ReadOnlyNotice';
import { useWorkspace } from '../../shared/WorkspaceContext';
import { useDefinitionsRefusal } from '../people';
import { useTreeController } from '../tree';
import { TAGGED_LIMIT, taggedEntitiesQuery, tagGroupsQuery, tagsQuery, useDeleteTagGroup, useRestoreTagGroup } from './api';
import { TagDialog } from './TagDialog';
import { TagGroupDialog } from './TagGroupDialog';
import { ModeBadge, TagChip } from './tagParts';

type Editing =
  | { kind: 'new-group' }
  | { kind: 'edit-group'; group: TagGroup }
  | { kind: 'new-tag'; groupId: string | null }
  | { kind: 'edit-tag'; tag: Tag }
  | { kind: 'tagged'; tag: Tag };

/** Tag groups (with their mode) and tags: create, edit, delete and restore groups; create and recolour tags (administrators only). */
export function TagsAdminView() {
  const [showDeleted, setShowDeleted] = useState(false);
  const groups = useQuery(tagGroupsQuery(showDeleted));
  const tags = useQuery(tagsQuery());
  const [editing, setEditing] = useState<Editing | null>(null);
  // Tags are global: only an administrator changes them (the database checks it too).
  const refused = useDefinitionsRefusal();
  const title = refused ?? undefined;
  // No editing dialog stays open for someone refused (one opened before the session was known).
  const open = refused === null || editing?.kind === 'tagged' ? editing : null;
  const close = () => setEditing(null);
  const liveGroups = (groups.data ?? []).filter((g) => g.deletedAt === null);
  const unlessRefused = (next: Editing) => () => (refused !== null ? showActionUnavailable(refused) : setEditing(next));
  useActionRequests('tags', { 'new-group': unlessRefused({ kind: 'new-group' }), 'new-tag': unlessRefused({ kind: 'new-tag', groupId: null }) });

  return (
    <ScrollArea h="100%">
      <Stack p="lg" gap="lg" maw={1100} data-testid="tags-admin">
        <Group justify="space-between">
          <Title order={3}>Tags</Title>
          <Group gap="md">
            <Switch label="Show deleted groups" checked={showDeleted} onChange={(e) => setShowDeleted(e.currentTarget.checked)} data-testid="tag-groups-show-deleted" />
            <Button
              variant="light"
              leftSection={<IconPlus size={16} />}
              onClick={() => setEditing({ kind: 'new-group' })}
              disabled={refused !== null}
              title={title}
              data-testid="tag-group-new"
            >
              New tag group
            </Button>
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() => setEditing({ kind: 'new-tag', groupId: null })}
              disabled={refused !== null}
              title={title}
              data-testid="tag-new"
            >
              New tag
            </Button>
          </Group>
        </Group>
        {refused !== null && <ReadOnlyNotice reason={refused} testId="tags-read-only" />}
        {groups.isPending || tags.isPending ? (
          <Center p="xl">
            <Loader size="sm" />
          </Center>
        ) : groups.isError ? (
          <ErrorNotice error={groups.error} />
        ) : tags.isError ? (
          <ErrorNotice error={tags.error} />
        ) : (
          <>
            <GroupsTable
              groups={groups.data}
              tags={tags.data}
              refused={refused}
              onEdit={(group) => setEditing({ kind: 'edit-group', group })}
              onNewTag={(groupId) => setEditing({ kind: 'new-tag', groupId })}
            />
            <TagsTable
              tags={tags.data}
              groups={groups.data}
              refused={refused}
              onEdit={(tag) => setEditing({ kind: 'edit-tag', tag })}
              onShowTagged={(tag) => setEditing({ kind: 'tagged', tag })}
            />
          </>
        )}
      </Stack>
      {open?.kind === 'new-group' && <TagGroupDialog group={null} onClose={close} />}
      {open?.kind === 'edit-group' && <TagGroupDialog group={open.group} onClose={close} />}
      {open?.kind === 'new-tag' && <TagDialog tag={null} groups={liveGroups} defaultGroupId={open.groupId} onClose={close} />}
      {open?.kind === 'edit-tag' && <TagDialog tag={open.tag} groups={liveGroups} onClose={close} />}
      {open?.kind === 'tagged' && <TaggedEntitiesDialog tag={open.tag} onClose={close} />}
    </ScrollArea>
  );
}

type GroupsTableProps = { groups: TagGroup[]; tags: Tag[]; refused: string | null; onEdit: (group: TagGroup) => void; onNewTag: (groupId: string) => void };

function GroupsTable({ groups, tags, refused, onEdit, onNewTag }: GroupsTableProps) {
  return (
    <Stack gap="xs">
      <Title order={4}>Tag groups</Title>
      <Paper withBorder radius="md">
        <Table highlightOnHover verticalSpacing="sm" data-testid="tag-groups-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Key</Table.Th>
              <Table.Th>Mode</Table.Th>
              <Table.Th ta="right">Tags</Table.Th>
              <Table.Th w={150} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {groups.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={5}>
                  <EmptyState size="compact" title="No tag groups yet.">
                    A group says whether an entity may carry one of its tags or several: make one with New tag group.
                  </EmptyState>
                </Table.Td>
              </Table.Tr>
            )}
            {groups.map((group) => (
              <GroupRow
                key={group.id}
                group={group}
                tagCount={tags.filter((t) => t.groupId === group.id).length}
                refused={refused}
                onEdit={() => onEdit(group)}
                onNewTag={() => onNewTag(group.id)}
              />
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

type GroupRowProps = { group: TagGroup; tagCount: number; refused: string | null; onEdit: () => void; onNewTag: () => void };

function GroupRow({ group, tagCount, refused, onEdit, onNewTag }: GroupRowProps) {
  const deleteGroup = useDeleteTagGroup();
  const restoreGroup = useRestoreTagGroup();
  const [busy, setBusy] = useState(false);
  const deleted = group.deletedAt !== null;
  const title = refused ?? undefined;

  const run = async (verb: string, action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      const { title, message } = describeError(error);
      notifications.show({ color: 'red', title: `Could not ${verb} "${group.name}": ${title}`, message });
    }
    setBusy(false);
  };

  return (
    <Table.Tr data-testid={`tag-group-row-${group.key}`} style={deleted ? { opacity: 0.6 } : undefined}>
      <Table.Td>
        <Group gap="xs">
          <Text size="sm" fw={500}>
            {group.name}
          </Text>
          {deleted && (
            <Badge size="xs" color="red" variant="light">
              Deleted
            </Badge>
          )}
        </Group>
        {group.description && (
          <Text size="xs" c="dimmed">
            {group.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Code>{group.key}</Code>
      </Table.Td>
      <Table.Td>
        <ModeBadge mode={group.selectionMode} />
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm">{formatCount(tagCount)}</Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4} justify="flex-end" wrap="nowrap">
          {deleted ? (
            <Button
              size="compact-sm"
              variant="light"
              leftSection={<IconRestore size={14} />}
              loading={busy}
              disabled={refused !== null}
              title={title}
              onClick={() => void run('restore', () => restoreGroup(group.id))}
              data-testid={`tag-group-restore-${group.key}`}
            >
              Restore
            </Button>
          ) : (
            <>
              <Tooltip label="New tag in this group" disabled={refused !== null} withArrow>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  disabled={refused !== null}
                  title={title}
                  onClick={onNewTag}
                  aria-label={`New tag in ${group.name}`}
                  data-testid={`tag-group-new-tag-${group.key}`}
                >
                  <IconPlus size={16} />
                </ActionIcon>
              </Tooltip>
              <Tooltip label="Edit" disabled={refused !== null} withArrow>
                <ActionIcon variant="subtle" color="gray" disabled={refused !== null} title={title} onClick={onEdit} aria-label={`Edit ${group.name}`} data-testid={`tag-group-edit-${group.key}`}>
                  <IconPencil size={16} />
                </ActionIcon>
              </Tooltip>
              <Tooltip label={tagCount > 0 ? 'Move or delete its tags first' : 'Delete'} disabled={refused !== null} withArrow>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  loading={busy}
                  disabled={refused !== null}
                  title={title}
                  onClick={() => void run('delete', () => deleteGroup(group))}
                  aria-label={`Delete ${group.name}`}
                  data-testid={`tag-group-delete-${group.key}`}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Tooltip>
            </>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

type TagsTableProps = { tags: Tag[]; groups: TagGroup[]; refused: string | null; onEdit: (tag: Tag) => void; onShowTagged: (tag: Tag) => void };

function TagsTable({ tags, groups, refused, onEdit, onShowTagged }: TagsTableProps) {
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  // By group (tags without one last), then by name.
  const sortKey = (tag: Tag) => [tag.groupId === null ? 1 : 0, groupName.get(tag.groupId ?? '') ?? '', tag.name] as const;
  const shown = tags
    .filter((tag) => needle === '' || tag.name.toLowerCase().includes(needle) || tag.key.includes(needle) || (groupName.get(tag.groupId ?? '') ?? '').toLowerCase().includes(needle))
    .sort((a, b) => {
      const [ka, kb] = [sortKey(a), sortKey(b)];
      return ka[0] - kb[0] || ka[1].localeCompare(kb[1]) || ka[2].localeCompare(kb[2]);
    });
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={4}>Tags ({formatCount(tags.length)})</Title>
        <TextInput size="xs" placeholder="Filter by name, key or group" leftSection={<IconSearch size={14} />} value={filter} onChange={(e) => setFilter(e.currentTarget.value)} aria-label="Filter tags" w={260} />
      </Group>
      <Paper withBorder radius="md">
        <Table highlightOnHover verticalSpacing="xs" data-testid="tags-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Tag</Table.Th>
              <Table.Th>Key</Table.Th>
              <Table.Th>Group</Table.Th>
              <Table.Th>Colour</Table.Th>
              <Table.Th w={110} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={5}>
                  <EmptyState size="compact" title={tags.length === 0 ? 'No tags yet.' : 'No tag matches the filter.'}>
                    {tags.length === 0 ? 'Make one with New tag, in a tag group.' : 'Clear the filter to see every tag.'}
                  </EmptyState>
                </Table.Td>
              </Table.Tr>
            )}
            {shown.map((tag) => (
              <Table.Tr key={tag.id} data-testid={`tag-row-${tag.key}`}>
                <Table.Td>
                  <TagChip tag={tag} />
                </Table.Td>
                <Table.Td>
                  <Code>{tag.key}</Code>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={tag.groupId ? undefined : 'dimmed'}>
                    {tag.groupId ? (groupName.get(tag.groupId) ?? 'Unknown group') : 'No group'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Code>{tag.color ?? '—'}</Code>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Tooltip label="Entities with this tag" withArrow>
                      <ActionIcon variant="subtle" color="gray" onClick={() => onShowTagged(tag)} aria-label={`Entities tagged ${tag.name}`} data-testid={`tag-tagged-${tag.key}`}>
                        <IconListDetails size={16} />
                      </ActionIcon>
                    </Tooltip>
                    <Tooltip label="Change group or colour" disabled={refused !== null} withArrow>
                      <ActionIcon
                        variant="subtle"
                        color="gray"
                        disabled={refused !== null}
                        title={refused ?? undefined}
                        onClick={() => onEdit(tag)}
                        aria-label={`Edit ${tag.name}`}
                        data-testid={`tag-edit-${tag.key}`}
                      >
                        <IconPencil size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

/** The entities carrying a tag; picking one shows it in the registry. */
function TaggedEntitiesDialog({ tag, onClose }: { tag: Tag; onClose: () => void }) {
  const tagged = useQuery(taggedEntitiesQuery(tag.id));
  const workspace = useWorkspace();
  const tree = useTreeController();
  const open = (id: string) => {
    onClose();
    workspace.setView('registry');
    void tree.reveal(id);
  };
  return (
    <Modal
      opened
      onClose={onClose}
      centered
      size="lg"
      title={
        <Group gap="xs">
          Entities tagged <TagChip tag={tag} />
        </Group>
      }
    >
      {tagged.isPending ? (
        <Loader size="sm" />
      ) : tagged.isError ? (
        <ErrorNotice error={tagged.error} />
      ) : tagged.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          No entity carries this tag.
        </Text>
      ) : (
        <Stack gap={4} data-testid="tagged-entities">
          <Text size="xs" c="dimmed">
            {formatCount(tagged.data.length)}
            {tagged.data.length >= TAGGED_LIMIT ? '+' : ''} {tagged.data.length === 1 ? 'entity' : 'entities'} — choose one to show it in the registry
          </Text>
          {tagged.data.map((node) => (
            <Group key={node.id} gap="xs" wrap="nowrap">
              <NodeIcon icon={node.icon} size={16} style={{ flexShrink: 0 }} />
              <Anchor component="button" type="button" size="sm" ta="left" style={{ flexShrink: 0, whiteSpace: 'nowrap' }} onClick={() => open(node.id)} data-testid={`tagged-${node.id}`}>
                {node.name}
              </Anchor>
              <Text size="xs" c="dimmed" ff="monospace" truncate="start" style={{ minWidth: 0 }} title={node.pathLabel}>
                {node.pathLabel}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
    </Modal>
  );
}
