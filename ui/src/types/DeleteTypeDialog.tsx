import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { commands, type EntityType } from '../bindings';
import { ErrorNotice } from '../components/ErrorNotice';
import { appErrorOf, unwrap } from '../errors';
import { entitiesLabel } from '../format';
import { useChangeApplier } from '../live/LiveUpdates';

/** Delete a type; the backend refuses (InUse) while live entities use it. */
export function DeleteTypeDialog({ type, onClose }: { type: EntityType; onClose: () => void }) {
  const applier = useChangeApplier();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      unwrap(await commands.deleteEntityType({ id: type.id, expectedUpdatedAt: type.updatedAt }));
      applier.applyLocal({ kind: 'typesChanged' });
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
              applier.applyLocal({ kind: 'typesChanged' });
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
