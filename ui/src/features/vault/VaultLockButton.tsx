import { ActionIcon, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconLock, IconLockOpen } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../ipc/errors';
import { useActionRequests } from '../../shared/WorkspaceContext';
import { useLockVault, vaultStatusQuery } from './api';
import { useVaultUnlock } from './VaultProvider';

/** The toolbar's lock: locks the vault when it is open, opens the unlock dialog when it is locked. */
export function VaultLockButton() {
  const status = useQuery(vaultStatusQuery);
  const lock = useLockVault();
  const vault = useVaultUnlock();
  const [busy, setBusy] = useState(false);
  const locked = status.data?.locked ?? true;
  const label = locked ? 'Unlock the vault' : 'Lock the vault';

  const onClick = () => {
    if (locked) {
      vault?.requestUnlock();
      return;
    }
    setBusy(true);
    lock()
      .catch((error: unknown) => {
        const { title, message } = describeError(error);
        notifications.show({ color: 'red', title: `Could not lock the vault: ${title}`, message });
      })
      .finally(() => setBusy(false));
  };
  useActionRequests('toolbar', { 'vault-lock': status.data ? onClick : undefined });
  if (!status.data) return null;

  return (
    <Tooltip label={label} withArrow openDelay={300}>
      <ActionIcon variant="subtle" color={locked ? 'gray' : 'teal'} size="lg" loading={busy} onClick={onClick} aria-label={label} data-locked={locked} data-testid="vault-lock-button">
        {locked ? <IconLock size={18} /> : <IconLockOpen size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}
