import { Anchor, Badge, Button, CloseButton, Group, Loader, Paper, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { IconUsersGroup } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import type { EntityGroup, TreeNode } from '../../bindings';
import { fieldError, isFieldError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { formatCount } from '../../shared/format';
import { NodeIcon } from '../../shared/nodeIcons';
import { useTreeController } from '../tree';
import { entityGroupQuery, groupMembersQuery, groupsOfQuery, MEMBERS_LIMIT, useConfigureGroup, useEditGroupMembers, useReloadGroup } from './api';
import { EntityPicker } from './EntityPicker';

/**
 * The groups an entity belongs to; and, for a group, its configuration and
 * members. While `refused` says why the person may not change the entity,
 * all of it is shown and none of it edited.
 */
export function GroupsSection({ entity, refused = null }: { entity: TreeNode; refused?: string | null }) {
  const config = useQuery(entityGroupQuery(entity.id));
  return (
    <Stack gap="md" data-testid="entity-groups">
      <MemberOf entityId={entity.id} />
      {config.isPending ? (
        <Loader size="sm" />
      ) : config.isError ? (
        <ErrorNotice error={config.error} compact />
      ) : config.data === null ? (
        <MakeGroup entity={entity} refused={refused} />
      ) : (
        <GroupEditor key={config.data.updatedAt} group={config.data} refused={refused} />
      )}
    </Stack>
  );
}

function MemberOf({ entityId }: { entityId: string }) {
  const tree = useTreeController();
  const groups = useQuery(groupsOfQuery(entityId));
  if (groups.isPending) return <Loader size="sm" />;
  if (groups.isError) return <ErrorNotice error={groups.error} compact />;
  return (
    <Group gap="xs" data-testid="member-of">
      <Text size="sm" c="dimmed">
        Member of:
      </Text>
      {groups.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          no group
        </Text>
      ) : (
        groups.data.map((group) => (
          <Anchor
            key={group.entityId}
            component="button"
            type="button"
            size="sm"
            onClick={() => void tree.reveal(group.entityId)}
            data-testid={`member-of-${group.entityId}`}
          >
            <Group gap={4} wrap="nowrap">
              <IconUsersGroup size={14} />
              {group.name}
            </Group>
          </Anchor>
        ))
      )}
    </Group>
  );
}

function MakeGroup({ entity, refused }: { entity: TreeNode; refused: string | null }) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <Group gap="sm">
        <Text size="sm" c="dimmed">
          This entity is not a group.
        </Text>
        <Button
          size="compact-sm"
          variant="light"
          leftSection={<IconUsersGroup size={14} />}
          onClick={() => setOpen(true)}
          disabled={refused !== null}
          title={refused ?? undefined}
          data-testid="group-make"
        >
          Make this a group
        </Button>
      </Group>
    );
  }
  return (
    <Paper withBorder p="sm" radius="md">
      <GroupConfigForm entityId={entity.id} group={null} defaultName={entity.name} refused={refused} onCancel={() => setOpen(false)} />
    </Paper>
  );
}

/** The inputs of the group form, as the core names them in a Validation error. */
const GROUP_FIELDS = ['name', 'key', 'description', 'allowsMixedTypes'] as const;

type FormProps = { entityId: string; group: EntityGroup | null; defaultName?: string; refused: string | null; onCancel?: () => void };

/** Makes an entity a group (group === null) or edits its configuration. */
function GroupConfigForm({ entityId, group, defaultName = '', refused, onCancel }: FormProps) {
  const configure = useConfigureGroup();
  const reload = useReloadGroup();
  const [name, setName] = useState(group?.name ?? defaultName);
  const [key, setKey] = useState(group?.key ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const [oneType, setOneType] = useState(group ? !group.allowsMixedTypes : false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const dirty = group === null || name !== group.name || key !== (group.key ?? '') || description !== (group.description ?? '') || oneType === group.allowsMixedTypes;
  const locked = refused !== null;
  const canSave = name.trim() !== '' && dirty && !busy && !locked;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSave) return;
    setBusy(true);
    setError(null);
    try {
      await configure({
        entityId,
        expectedUpdatedAt: group?.updatedAt ?? null,
        key: key.trim() || null,
        name: name.trim(),
        description: description.trim() || null,
        allowsMixedTypes: !oneType,
      });
      // The saved configuration comes back with a new version, which remounts this form.
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} data-testid="group-form">
      <Stack gap="xs">
        <Group grow align="flex-start">
          <TextInput
            label="Group name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, 'name')}
            required
            disabled={locked}
            data-testid="group-name"
          />
          <TextInput
            label="Key"
            placeholder="Optional, e.g. chiller_plant"
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
            error={fieldError(error, 'key')}
            disabled={locked}
            data-testid="group-key"
          />
        </Group>
        <Textarea
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={fieldError(error, 'description')}
          autosize
          minRows={1}
          disabled={locked}
          data-testid="group-description"
        />
        <Switch
          label="Members of one type only"
          checked={oneType}
          onChange={(e) => setOneType(e.currentTarget.checked)}
          error={fieldError(error, 'allowsMixedTypes')}
          disabled={locked}
          data-testid="group-one-type"
        />
        {error !== null && !isFieldError(error, GROUP_FIELDS) && (
          <ErrorNotice
            error={error}
            compact
            onReload={() => {
              setError(null);
              reload(entityId);
            }}
          />
        )}
        <Group gap="xs">
          <Button type="submit" size="compact-sm" loading={busy} disabled={!canSave} title={refused ?? undefined} data-testid="group-save">
            {group === null ? 'Make group' : 'Save group'}
          </Button>
          {onCancel && (
            <Button size="compact-sm" variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}

function GroupEditor({ group, refused }: { group: EntityGroup; refused: string | null }) {
  return (
    <Stack gap="md">
      <Paper withBorder p="sm" radius="md">
        <Group gap="xs" mb="xs">
          <IconUsersGroup size={16} />
          <Text size="sm" fw={600}>
            This entity is a group
          </Text>
          <Badge size="xs" variant="light" color={group.allowsMixedTypes ? 'gray' : 'orange'}>
            {group.allowsMixedTypes ? 'Any types' : 'One type only'}
          </Badge>
        </Group>
        <GroupConfigForm entityId={group.entityId} group={group} refused={refused} />
      </Paper>
      <GroupMembers group={group} refused={refused} />
    </Stack>
  );
}

function GroupMembers({ group, refused }: { group: EntityGroup; refused: string | null }) {
  const tree = useTreeController();
  const members = useQuery(groupMembersQuery(group.entityId));
  const editMembers = useEditGroupMembers();
  const pickerRef = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const edit = async (add: string[], remove: string[]) => {
    if (busy || refused !== null) return;
    setBusy(true);
    setError(null);
    try {
      await editMembers({ groupId: group.entityId, add, remove });
      if (remove.length > 0) requestAnimationFrame(() => pickerRef.current?.focus());
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  if (members.isPending) return <Loader size="sm" />;
  if (members.isError) return <ErrorNotice error={members.error} compact />;
  const exclude = new Set([group.entityId, ...members.data.map((m) => m.id)]);
  const types = [...new Set(members.data.map((m) => m.typeName))];

  return (
    <Stack gap="xs" data-testid="group-members">
      <Text size="sm" fw={600}>
        Members ({formatCount(members.data.length)}
        {members.data.length >= MEMBERS_LIMIT ? '+, the first shown' : ''})
        {!group.allowsMixedTypes && types.length === 1 && (
          <Text span size="xs" c="dimmed" fw={400}>
            {' '}
            — all {types[0]}
          </Text>
        )}
      </Text>
      {members.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          No members yet.
        </Text>
      ) : (
        <Stack gap={2} role="list" aria-label="Members">
          {members.data.map((member) => (
            <Group key={member.id} gap="xs" wrap="nowrap" role="listitem" data-testid={`group-member-${member.id}`}>
              <NodeIcon icon={member.icon} size={16} />
              <Anchor component="button" type="button" size="sm" onClick={() => void tree.reveal(member.id)} title={member.pathLabel} truncate="end">
                {member.name}
              </Anchor>
              <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
                {member.typeName}
              </Text>
              <CloseButton
                size="sm"
                ml="auto"
                disabled={busy || refused !== null}
                title={refused ?? undefined}
                onClick={() => void edit([], [member.id])}
                aria-label={`Remove ${member.name} from the group`}
                data-testid={`group-member-remove-${member.id}`}
              />
            </Group>
          ))}
        </Stack>
      )}
      <EntityPicker
        label="Add a member"
        exclude={exclude}
        inputRef={pickerRef}
        error={fieldError(error, 'add')}
        disabled={refused !== null}
        onPick={(node) => void edit([node.id], [])}
        testId="group-member-picker"
      />
      {error !== null && fieldError(error, 'add') === null && <ErrorNotice error={error} compact />}
    </Stack>
  );
}
