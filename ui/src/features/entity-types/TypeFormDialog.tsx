import { Group, Select, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { EntityType } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { FormDialog } from '../../shared/FormDialog';
import { knownIconNames, NodeIcon } from '../../shared/nodeIcons';
import { useCreateEntityType, useUpdateEntityType } from './api';

const ICON_OPTIONS = knownIconNames().map((name) => ({ value: name, label: name }));
/** The inputs of this form, as the core names them in a Validation error. */
const FIELDS = ['key', 'name', 'description', 'icon'] as const;

/** Create a type (type === null) or edit one's name, description and icon. */
export function TypeFormDialog({ type, onClose }: { type: EntityType | null; onClose: () => void }) {
  const createType = useCreateEntityType();
  const updateType = useUpdateEntityType();
  const [key, setKey] = useState('');
  const [name, setName] = useState(type?.name ?? '');
  const [description, setDescription] = useState(type?.description ?? '');
  const [icon, setIcon] = useState<string | null>(type?.icon ?? null);
  const canSubmit = name.trim() !== '' && (type !== null || key.trim() !== '');

  const save = async () => {
    const fields = { name: name.trim(), description: description.trim() || null, icon };
    if (type === null) await createType({ key: key.trim(), ...fields });
    else await updateType({ id: type.id, expectedUpdatedAt: type.updatedAt, ...fields });
  };

  return (
    <FormDialog
      title={type ? `Edit type ${type.name}` : 'New entity type'}
      fields={FIELDS}
      canSubmit={canSubmit}
      onSubmit={save}
      onClose={onClose}
      submitLabel={type ? 'Save' : 'Create'}
      submitTestId="type-save"
    >
      {(error) => (
        <>
          {type === null && (
            <TextInput
              label="Key"
              description="Stable identifier, e.g. solar_panel. Cannot be changed later."
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              error={fieldError(error, 'key')}
              required
              data-autofocus
              data-testid="type-key"
            />
          )}
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, 'name')}
            required
            data-autofocus={type !== null || undefined}
            data-testid="type-name"
          />
          <Textarea
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={fieldError(error, 'description')}
            autosize
            minRows={2}
            data-testid="type-description"
          />
          <Select
            label="Icon"
            data={ICON_OPTIONS}
            value={icon}
            onChange={setIcon}
            error={fieldError(error, 'icon')}
            searchable
            clearable
            leftSection={<NodeIcon icon={icon} size={16} />}
            renderOption={({ option }) => (
              <Group gap="xs" wrap="nowrap">
                <NodeIcon icon={option.value} size={16} />
                {option.label}
              </Group>
            )}
            comboboxProps={{ withinPortal: false }}
            data-testid="type-icon"
          />
        </>
      )}
    </FormDialog>
  );
}
