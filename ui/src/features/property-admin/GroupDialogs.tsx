import { Alert, Button, Group, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { PropertyGroup } from '../../bindings';
import { fieldError, isFieldError } from '../../ipc/errors';
import { ConfirmDeleteDialog } from '../../shared/ConfirmDeleteDialog';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { useCreatePropertyGroup, useDeletePropertyGroup, useReloadSchema, useUpdatePropertyGroup } from './api';

const FIELDS = ['key', 'name', 'description'] as const;

/** Create a group (group === null) or rename one. */
export function GroupFormDialog({ group, onClose }: { group: PropertyGroup | null; onClose: () => void }) {
  const createGroup = useCreatePropertyGroup();
  const updateGroup = useUpdatePropertyGroup();
  const reload = useReloadSchema();
  const [key, setKey] = useState('');
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const canSubmit = name.trim() !== '' && (group !== null || key.trim() !== '') && !busy;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setError(null);
    const fields = { name: name.trim(), description: description.trim() || null };
    try {
      if (group === null) await createGroup({ key: key.trim(), ...fields });
      else await updateGroup({ id: group.id, expectedUpdatedAt: group.updatedAt, ...fields });
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={group ? `Rename group ${group.name}` : 'New property group'} centered>
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="md">
          {group === null ? (
            <TextInput
              label="Key"
              description="Stable identifier, e.g. electrical. Cannot be changed later."
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              error={fieldError(error, 'key')}
              required
              data-autofocus
              data-testid="group-key"
            />
          ) : (
            <Text size="sm" c="dimmed">
              Key: <code>{group.key}</code>
            </Text>
          )}
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, 'name')}
            required
            data-autofocus={group !== null || undefined}
            data-testid="group-name"
          />
          <Textarea
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={fieldError(error, 'description')}
            autosize
            minRows={2}
            data-testid="group-description"
          />
          {error !== null && !isFieldError(error, FIELDS) && (
            <ErrorNotice
              error={error}
              onReload={() => {
                reload();
                onClose();
              }}
            />
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!canSubmit} data-testid="group-save">
              {group ? 'Save' : 'Create'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Delete a group; the core refuses (InUse) while live properties belong to it. */
export function DeleteGroupDialog({ group, liveProperties, onClose }: { group: PropertyGroup; liveProperties: number; onClose: () => void }) {
  const deleteGroup = useDeletePropertyGroup();
  const reload = useReloadSchema();
  return (
    <ConfirmDeleteDialog
      title={`Delete group ${group.name}`}
      question={`Delete the property group "${group.name}"? Deleted groups can be restored.`}
      onDelete={() => deleteGroup(group)}
      inUse={
        <Alert color="red" variant="light" title="Still in use" icon={<IconAlertTriangle size={18} />} role="alert" data-testid="group-in-use">
          "{group.name}" still has {liveProperties === 1 ? 'a property' : `${liveProperties || 'some'} properties`}. Move them to another group or delete them first.
        </Alert>
      }
      onReload={reload}
      onClose={onClose}
      confirmTestId="group-delete-confirm"
    />
  );
}
