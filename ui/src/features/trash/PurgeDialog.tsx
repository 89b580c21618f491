import { Button, Code, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { TrashItem } from '../../bindings';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { entitiesLabel } from '../../shared/format';
import { usePurgeEntity } from './api';

/** Purging is final: the user types the entity's name to confirm. */
export function PurgeDialog({ item, onClose }: { item: TrashItem; onClose: () => void }) {
  const purgeEntity = usePurgeEntity();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const matches = typed.trim() === item.name;

  const purge = async () => {
    setBusy(true);
    setError(null);
    try {
      const outcome = await purgeEntity(item.id);
      notifications.show({ color: 'teal', title: 'Purged', message: `${entitiesLabel(outcome.purged)} removed for good.` });
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title="Purge for good" centered>
      <Stack gap="md">
        <Text size="sm">
          This removes <b>{item.name}</b> and {entitiesLabel(Math.max(0, item.deletedCount - 1))} under it permanently. It cannot be undone.
        </Text>
        <TextInput
          label={
            <>
              Type <Code>{item.name}</Code> to confirm
            </>
          }
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          data-autofocus
          data-testid="purge-confirm-input"
        />
        {error !== null && <ErrorNotice error={error} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button color="red" disabled={!matches} loading={busy} onClick={() => void purge()} data-testid="purge-confirm">
            Purge
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
