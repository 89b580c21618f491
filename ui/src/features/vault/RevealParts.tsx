import { Button, Code, Group, Portal, Stack, Text, TextInput } from '@mantine/core';
import { IconCopy, IconEye, IconEyeOff } from '@tabler/icons-react';
import { useState } from 'react';
import { fieldError } from '../../ipc/errors';
import { FormDialog } from '../../shared/FormDialog';
import { useUnlockOnRefusal } from './VaultProvider';
import { copySecretValue, useRevealedSecret } from './useRevealedSecret';
import { REVEAL_MS } from './vaultModel';

/** Asks why the value is needed (the reveal is audited with it), then reveals it. */
export function RevealReasonDialog({
  title,
  onReveal,
  onClose,
}: {
  title: string;
  onReveal: (reason: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const [reason, setReason] = useState('');
  const unlockOnRefusal = useUnlockOnRefusal();
  const submit = async () => {
    try {
      await onReveal(reason.trim());
    } catch (error) {
      unlockOnRefusal(error);
      throw error;
    }
  };
  return (
    <FormDialog title={title} fields={['reason']} canSubmit={reason.trim() !== ''} onSubmit={submit} onClose={onClose} submitLabel="Reveal" submitTestId="secret-reveal-submit">
      {(error) => (
        <TextInput
          label="Reason"
          description="Recorded in the audit log with your name."
          placeholder="e.g. rotating the switch's admin password"
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={fieldError(error, 'reason')}
          required
          data-autofocus
          data-testid="secret-reveal-reason"
        />
      )}
    </FormDialog>
  );
}

/** A revealed value in monospace with Hide (and Copy), hiding itself after 30 seconds. */
export function RevealedValue({
  value,
  label,
  onHide,
  valueTestId,
  hideTestId,
  copyTestId,
}: {
  value: string;
  label?: string;
  onHide: () => void;
  valueTestId: string;
  hideTestId: string;
  /** Without one, no Copy button. */
  copyTestId?: string;
}) {
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="nowrap" align="center">
        <Code block style={{ flex: 1, minWidth: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} ff="monospace" data-testid={valueTestId}>
          {value}
        </Code>
        {copyTestId && (
          <Button size="xs" variant="light" leftSection={<IconCopy size={14} />} onClick={() => void copySecretValue(value)} data-testid={copyTestId}>
            Copy
          </Button>
        )}
        <Button size="xs" variant="default" leftSection={<IconEyeOff size={14} />} onClick={onHide} data-testid={hideTestId}>
          Hide
        </Button>
      </Group>
      <Text size="xs" c="dimmed">
        {label ? `${label} · ` : ''}Hidden again after {REVEAL_MS / 1000} seconds.
      </Text>
    </Stack>
  );
}

/**
 * Reveal for one secret outside the Vault screen (a secret_reference
 * property): asks for a reason, shows the latest value with Hide.
 */
export function RevealSecretButton({
  secretId,
  name,
  testId,
  valueTestId,
  hideTestId,
  disabled = false,
}: {
  secretId: string | null;
  /** The secret's name, for the dialog's title. */
  name?: string | null;
  testId: string;
  valueTestId: string;
  hideTestId: string;
  disabled?: boolean;
}) {
  const { revealed, reveal, hide } = useRevealedSecret();
  const [asking, setAsking] = useState(false);
  const shown = revealed && revealed.secretId === secretId ? revealed : null;
  if (shown) return <RevealedValue value={shown.value} label={`Version ${shown.version}`} onHide={hide} valueTestId={valueTestId} hideTestId={hideTestId} />;
  return (
    <Group gap="xs">
      <Button size="xs" variant="light" leftSection={<IconEye size={14} />} disabled={disabled || secretId === null} onClick={() => setAsking(true)} data-testid={testId}>
        Reveal
      </Button>
      {asking && secretId !== null && (
        // Outside the form the button may sit in (a property pane saves on
        // submit): its own portal, and its submit and keys stop here.
        <Portal>
          <div onSubmit={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
            <RevealReasonDialog title={name ? `Reveal "${name}"` : 'Reveal the secret'} onReveal={(reason) => reveal(secretId, null, reason)} onClose={() => setAsking(false)} />
          </div>
        </Portal>
      )}
    </Group>
  );
}
