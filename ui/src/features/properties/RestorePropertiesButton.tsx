import { Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRestore } from '@tabler/icons-react';
import { useState } from 'react';
import type { PropertiesRestored } from '../../bindings';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { useReloadEntityProperties, useRestoreProperties } from './api';

type Props = {
  entityId: string;
  /** The history event whose outcome is brought back. */
  eventId: string;
  /** The entity's version the history shows (null while it loads). */
  expectedUpdatedAt: string | null;
  /** Why the person may not change the entity (the button's title), null when they may. */
  refused?: string | null;
};

/** "Restore these values" on a property change of the history, after a confirmation. */
export function RestorePropertiesButton({ entityId, eventId, expectedUpdatedAt, refused = null }: Props) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        size="compact-xs"
        variant="subtle"
        leftSection={<IconRestore size={14} />}
        onClick={() => setOpen(true)}
        disabled={expectedUpdatedAt === null || refused !== null}
        title={refused ?? undefined}
        data-testid={`history-restore-${eventId}`}
      >
        Restore these values
      </Button>
      {/* A right lost while the question is open (viewing as someone) takes the question away. */}
      {open && expectedUpdatedAt !== null && refused === null && (
        <RestoreDialog entityId={entityId} eventId={eventId} expectedUpdatedAt={expectedUpdatedAt} onClose={() => setOpen(false)} />
      )}
    </>
  );
}

function RestoreDialog({ entityId, eventId, expectedUpdatedAt, onClose }: { entityId: string; eventId: string; expectedUpdatedAt: string; onClose: () => void }) {
  const restoreProperties = useRestoreProperties();
  const reload = useReloadEntityProperties();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<PropertiesRestored | null>(null);

  const restore = async () => {
    setBusy(true);
    setError(null);
    try {
      const restored = await restoreProperties({ entityId, expectedUpdatedAt, asOfEventId: eventId });
      if (restored.skipped.length === 0) {
        notifications.show({ color: 'teal', title: 'Properties restored', message: 'The values are back as they were after that change.' });
        onClose();
        return;
      }
      setOutcome(restored);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title="Restore these values?" centered data-testid="restore-properties-dialog">
      {outcome ? (
        <Stack gap="sm">
          <Text size="sm">The other values are restored. These were left as they are:</Text>
          <List size="sm" spacing={4} data-testid="restore-skipped">
            {outcome.skipped.map((message) => (
              <List.Item key={message}>{message}</List.Item>
            ))}
          </List>
          <Group justify="flex-end">
            <Button onClick={onClose} data-autofocus>
              Close
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="sm">
          <Text size="sm">
            The properties changed here get back the values they had right after this change; later edits of them are undone. This is saved as a new change in
            the history.
          </Text>
          {error !== null && <ErrorNotice error={error} compact onReload={() => void reload(entityId).then(onClose)} />}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button color="orange" leftSection={<IconRestore size={16} />} loading={busy} onClick={() => void restore()} data-autofocus data-testid="restore-properties-confirm">
              Restore
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
