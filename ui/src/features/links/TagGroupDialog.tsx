import { Radio, Stack, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { SelectionMode, TagGroup } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { FormDialog } from '../../shared/FormDialog';
import { useCreateTagGroup, useReloadTagSchema, useUpdateTagGroup } from './api';

const FIELDS = ['key', 'name', 'description', 'selectionMode'] as const;

/** "Zone Status" → "zone_status": a key proposed from a name until the key is typed. */
export function keyFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^(\d)/, '_$1');
}

/** Create a tag group (group === null) or edit one's name, description and mode. */
export function TagGroupDialog({ group, onClose }: { group: TagGroup | null; onClose: () => void }) {
  const createGroup = useCreateTagGroup();
  const updateGroup = useUpdateTagGroup();
  const reload = useReloadTagSchema();
  const [name, setName] = useState(group?.name ?? '');
  const [key, setKey] = useState<string | null>(null);
  const [description, setDescription] = useState(group?.description ?? '');
  const [mode, setMode] = useState<SelectionMode>(group?.selectionMode ?? 'multi');
  const effectiveKey = key ?? keyFromName(name);
  const canSubmit = name.trim() !== '' && (group !== null || effectiveKey !== '');

  const save = async () => {
    const fields = { name: name.trim(), description: description.trim() || null, selectionMode: mode };
    if (group === null) await createGroup({ key: effectiveKey.trim(), ...fields });
    else await updateGroup({ id: group.id, expectedUpdatedAt: group.updatedAt, ...fields });
  };

  return (
    <FormDialog
      title={group ? `Edit tag group ${group.name}` : 'New tag group'}
      fields={FIELDS}
      canSubmit={canSubmit}
      onSubmit={save}
      onReload={reload}
      onClose={onClose}
      submitLabel={group ? 'Save' : 'Create'}
      submitTestId="tag-group-save"
    >
      {(error) => (
        <>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(error, 'name')} required data-autofocus data-testid="tag-group-name" />
          {group === null && (
            <TextInput
              label="Key"
              description="Stable identifier, e.g. status. Cannot be changed later."
              value={effectiveKey}
              onChange={(e) => setKey(e.currentTarget.value)}
              error={fieldError(error, 'key')}
              required
              data-testid="tag-group-key"
            />
          )}
          <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={fieldError(error, 'description')} autosize minRows={2} data-testid="tag-group-description" />
          <Radio.Group label="Tags per entity" value={mode} onChange={(value) => setMode(value as SelectionMode)} error={fieldError(error, 'selectionMode')} data-testid="tag-group-mode">
            <Stack gap={6} mt={4}>
              <Radio value="multi" label="Several (multiple choice)" data-testid="tag-group-mode-multi" />
              <Radio value="single" label="One (single choice): another tag of the group replaces it" data-testid="tag-group-mode-single" />
            </Stack>
          </Radio.Group>
        </>
      )}
    </FormDialog>
  );
}
