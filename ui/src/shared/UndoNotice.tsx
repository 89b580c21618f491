import { Button, Group, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeError } from '../ipc/errors';

/** How long an Undo stays offered. */
export const UNDO_MS = 10_000;

/** A notification body with an Undo button that runs once. */
export function UndoNotice({ text, onUndo, testId }: { text: string; onUndo: () => Promise<void>; testId: string }) {
  const [busy, setBusy] = useState(false);
  return (
    <Group justify="space-between" wrap="nowrap" gap="sm">
      <Text size="sm">{text}</Text>
      <Button
        size="compact-sm"
        variant="light"
        loading={busy}
        disabled={busy}
        data-testid={testId}
        onClick={() => {
          setBusy(true);
          void onUndo();
        }}
      >
        Undo
      </Button>
    </Group>
  );
}

type DeletedWithUndo = {
  /** The notification's id (the Undo's outcome replaces it). */
  id: string;
  /** What it is, capitalised: "Workflow", "Dashboard". */
  noun: string;
  name: string;
  /** Brings it back; resolves once restored (rejects with the core's error). */
  restore: () => Promise<unknown>;
  testId: string;
};

/** Tells that something named was deleted (restorably) and offers Undo; the notification then says how the restore went. */
export function showDeletedWithUndo({ id, noun, name, restore, testId }: DeletedWithUndo) {
  const undo = async () => {
    try {
      await restore();
      notifications.update({ id, color: 'teal', title: `${noun} restored`, message: `"${name}" is back.`, autoClose: 4000 });
    } catch (error) {
      const { title, message } = describeError(error);
      notifications.update({ id, color: 'red', title: `Could not restore "${name}": ${title}`, message, autoClose: 8000 });
    }
  };
  notifications.show({
    id,
    title: `${noun} deleted`,
    message: <UndoNotice text={`"${name}" deleted.`} onUndo={undo} testId={testId} />,
    autoClose: UNDO_MS,
  });
}
