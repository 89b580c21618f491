import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { appErrorOf } from '../ipc/errors';
import { ErrorNotice } from './ErrorNotice';

type Props = {
  title: string;
  /** What deleting means, asked as a question. */
  question: ReactNode;
  /** Deletes; a rejection is shown in the dialog, which stays open. */
  onDelete: () => Promise<unknown>;
  /** Shown instead of the error when the core refuses with InUse. */
  inUse?: ReactNode;
  /** Offered on a Conflict: refetch what the dialog was opened on. */
  onReload: () => void;
  onClose: () => void;
  /** data-testid of the Delete button. */
  confirmTestId: string;
};

/** Asks before a (soft, restorable) delete and shows why the core refused. */
export function ConfirmDeleteDialog({ title, question, onDelete, inUse, onReload, onClose, confirmTestId }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await onDelete();
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const refusedInUse = inUse !== undefined && appErrorOf(error)?.type === 'InUse';
  return (
    <Modal opened onClose={onClose} title={title} centered>
      <Stack gap="md">
        <Text size="sm">{question}</Text>
        {refusedInUse
          ? inUse
          : error !== null && (
              <ErrorNotice
                error={error}
                onReload={() => {
                  onReload();
                  onClose();
                }}
              />
            )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={busy}>
            {error ? 'Close' : 'Cancel'}
          </Button>
          {!error && (
            <Button color="red" loading={busy} onClick={() => void remove()} data-testid={confirmTestId}>
              Delete
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
