import { Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { TreeNode } from '../../bindings';
import { fieldError, isFieldError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { NodeIcon } from '../../shared/nodeIcons';
import { entityTypesQuery } from '../entity-types/api';
import { useTreeController } from '../tree';
import { useCreateEntity } from './api';

/** Create an entity under `parent` (or at the top level): type + name. */
export function NewEntityDialog({ parent, onClose }: { parent: TreeNode | null; onClose: () => void }) {
  const types = useQuery(entityTypesQuery(false));
  const createEntity = useCreateEntity();
  const tree = useTreeController();
  const [typeKey, setTypeKey] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const options = (types.data ?? []).filter((t) => t.deletedAt === null).map((t) => ({ value: t.key, label: t.name }));
  const iconOf = (key: string) => types.data?.find((t) => t.key === key)?.icon ?? null;
  const canSubmit = typeKey !== null && name.trim() !== '' && !busy;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setError(null);
    try {
      const node = await createEntity({ typeKey, parentId: parent?.id ?? null, name: name.trim() });
      onClose();
      void tree.reveal(node.id);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={parent ? `New child of ${parent.name}` : 'New top-level entity'} centered>
      <form onSubmit={(e) => void submit(e)} data-testid="new-entity-form">
        <Stack gap="md">
          <Select
            label="Type"
            placeholder={types.isPending ? 'Loading types…' : 'Choose a type'}
            data={options}
            value={typeKey}
            onChange={setTypeKey}
            error={fieldError(error, 'typeKey')}
            searchable
            required
            data-testid="new-entity-type"
            leftSection={typeKey ? <NodeIcon icon={iconOf(typeKey)} size={16} /> : undefined}
            renderOption={({ option }) => (
              <Group gap="xs" wrap="nowrap">
                <NodeIcon icon={iconOf(option.value)} size={16} />
                {option.label}
              </Group>
            )}
            comboboxProps={{ withinPortal: false }}
          />
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, 'name')}
            required
            data-autofocus
            data-testid="new-entity-name"
          />
          {types.isError && <ErrorNotice error={types.error} compact />}
          {error !== null && !isFieldError(error, ['typeKey', 'name']) && <ErrorNotice error={error} />}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!canSubmit} data-testid="new-entity-create">
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
