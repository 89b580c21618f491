import { Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { useUnlockVault, vaultErrorKind, vaultStatusQuery } from './api';

type Props = {
  /** Why it opened (an action refused because the vault is locked), shown above the field. */
  reason?: string | null;
  onClose: () => void;
  onUnlocked?: () => void;
};

/**
 * Unlocks the vault for this session. The passphrase opens passphrase keys
 * and is held in memory until the vault locks; keychain keys need none.
 * A wrong passphrase is shown under the field and the dialog stays.
 */
export function UnlockDialog({ reason, onClose, onUnlocked }: Props) {
  const unlock = useUnlockVault();
  const status = useQuery(vaultStatusQuery);
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const kind = vaultErrorKind(error);
  const fieldError = kind === 'wrongPassphrase' || kind === 'passphraseRequired' ? describeError(error).message : null;
  const passphraseKeys = status.data?.roots.some((root) => root.key?.provider === 'passphrase') ?? false;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await unlock(passphrase === '' ? null : passphrase);
      setPassphrase('');
      onUnlocked?.();
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title="Unlock the vault" centered data-testid="vault-unlock-dialog">
      <form onSubmit={(e) => void submit(e)}>
        <Stack gap="md">
          {reason && (
            <Text size="sm" data-testid="vault-unlock-reason">
              {reason}
            </Text>
          )}
          <PasswordInput
            label="Passphrase"
            description={
              passphraseKeys
                ? 'Needed for keys sealed with a passphrase; it stays in memory until the vault locks.'
                : 'Leave empty when every key is kept by the OS keychain.'
            }
            value={passphrase}
            onChange={(e) => setPassphrase(e.currentTarget.value)}
            error={fieldError}
            autoComplete="off"
            data-autofocus
            data-testid="vault-passphrase"
          />
          {error !== null && fieldError === null && <ErrorNotice error={error} />}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} data-testid="vault-unlock-submit">
              Unlock
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
