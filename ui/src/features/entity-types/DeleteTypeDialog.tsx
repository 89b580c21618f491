import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { EntityType } from '../../bindings';
import { appErrorOf } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { entitiesLabel } from '../../shared/format';
import { useDeleteEntityType, useReloadTypes } from './api';

/** Delete a type; the backend refuses (InUse) while live entities use it. */
export function DeleteTypeDialog({ type, onClose }: { type: EntityType; onClose: () => void }) {
  const deleteType = useDeleteEntityType();
  const reloadTypes = useReloadTypes();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await deleteType(type);
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const inUse = appErrorOf(error)?.type === 'InUse';
  return (
    <Modal opened onClose={onClose} title={`Delete type ${type.name}`} centered>
      <Stack gap="md">
        <Text size="sm">Delete the entity type "{type.name}"? Deleted types can be restored.</Text>
        {inUse && (
          <Text size="sm" fw={500} c="red" data-testid="type-in-use">
            "{type.name}" still has {entitiesLabel(type.liveEntities)} live. Move or delete them first.
          </Text>
        )}
        {error !== null && (
          <ErrorNotice
            error={error}
            onReload={() => {
              reloadTypes();
              onClose();
            }}
          />
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={busy}>
            {error ? 'Close' : 'Cancel'}
          </Button>
          {!error && (
            <Button color="red" loading={busy} onClick={() => void remove()} data-testid="type-delete-confirm">
              Delete
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
