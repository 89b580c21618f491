import { Button, Group, Modal, Stack } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { isFieldError } from '../ipc/errors';
import { ErrorNotice } from './ErrorNotice';

type Props = {
  title: string;
  /** The inputs, given the last refusal (for `fieldError(error, field)`). */
  children: (error: unknown) => ReactNode;
  /** The fields the core may name in a Validation error: those show under their input. */
  fields: readonly string[];
  /** False while the inputs cannot be sent as they are. */
  canSubmit: boolean;
  /** Saves; on success the dialog closes, a refusal stays shown. */
  onSubmit: () => Promise<unknown>;
  /** Offered on a Conflict: refetch what the dialog was opened on. */
  onReload?: () => void;
  onClose: () => void;
  submitLabel: string;
  /** data-testid of the submit button. */
  submitTestId: string;
};

/** A form in a modal: Enter submits, Cancel closes, refusals shown where they belong. */
export function FormDialog({ title, children, fields, canSubmit, onSubmit, onReload, onClose, submitLabel, submitTestId }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={title} centered>
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="md">
          {children(error)}
          {error !== null && !isFieldError(error, fields) && (
            <ErrorNotice
              error={error}
              onReload={
                onReload &&
                (() => {
                  onReload();
                  onClose();
                })
              }
            />
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!canSubmit || busy} data-testid={submitTestId}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
