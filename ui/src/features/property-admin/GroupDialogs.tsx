import { Alert, Text, Textarea, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';
import type { PropertyGroup } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { ConfirmDeleteDialog } from '../../shared/ConfirmDeleteDialog';
import { FormDialog } from '../../shared/FormDialog';
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
  const canSubmit = name.trim() !== '' && (group !== null || key.trim() !== '');

  const save = async () => {
    const fields = { name: name.trim(), description: description.trim() || null };
    if (group === null) await createGroup({ key: key.trim(), ...fields });
    else await updateGroup({ id: group.id, expectedUpdatedAt: group.updatedAt, ...fields });
  };

  return (
    <FormDialog
      title={group ? `Rename group ${group.name}` : 'New property group'}
      fields={FIELDS}
      canSubmit={canSubmit}
      onSubmit={save}
      onReload={reload}
      onClose={onClose}
      submitLabel={group ? 'Save' : 'Create'}
      submitTestId="group-save"
    >
      {(error) => (
        <>
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
        </>
      )}
    </FormDialog>
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
