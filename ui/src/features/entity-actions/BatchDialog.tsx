import { Button, Group, Modal, Stack } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { TreeNode } from '../../bindings';
import { ErrorNotice } from '../../shared/ErrorNotice';
import type { Failure } from './api';

type Props = {
  title: string;
  question: ReactNode;
  confirmLabel: string;
  confirmColor?: string;
  confirmTestId: string;
  /** Runs the batch; returns what failed (the rest succeeded). */
  run: () => Promise<Failure[]>;
  /** Refetch what the failures were about (offered on Conflicts). */
  onReload: (nodes: TreeNode[]) => void;
  onClose: () => void;
};

/**
 * A confirmation for a change to several entities. Success closes it; failed
 * items stay listed with their reason (a Conflict offers Reload, never a retry).
 */
export function BatchDialog({ title, question, confirmLabel, confirmColor, confirmTestId, run, onReload, onClose }: Props) {
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState<Failure[] | null>(null);

  const confirm = async () => {
    setBusy(true);
    const failed = await run();
    setBusy(false);
    if (failed.length === 0) onClose();
    else setFailures(failed);
  };

  return (
    <Modal opened onClose={onClose} title={title} centered size="md">
      <Stack gap="md">
        {failures === null ? (
          question
        ) : (
          <Stack gap="xs">
            {failures.map((f) => (
              <ErrorNotice
                key={f.node.id}
                error={f.error}
                subject={f.node.name}
                onReload={() => {
                  onReload(failures.map((x) => x.node));
                  onClose();
                }}
              />
            ))}
          </Stack>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={busy}>
            {failures === null ? 'Cancel' : 'Close'}
          </Button>
          {failures === null && (
            <Button color={confirmColor} loading={busy} onClick={() => void confirm()} data-testid={confirmTestId} data-autofocus>
              {confirmLabel}
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
