import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { needsUnlock, vaultErrorKind } from './api';
import { UnlockDialog } from './UnlockDialog';

type VaultUnlockApi = {
  /** Opens the unlock dialog, saying why when an action was refused. */
  requestUnlock: (reason?: string | null) => void;
};

const VaultContext = createContext<VaultUnlockApi | null>(null);

/** Holds the one unlock dialog, which any vault action refused as locked opens. */
export function VaultProvider({ children }: { children: ReactNode }) {
  const [unlocking, setUnlocking] = useState<{ reason: string | null } | null>(null);
  const requestUnlock = useCallback((reason?: string | null) => setUnlocking({ reason: reason ?? null }), []);
  const api = useMemo(() => ({ requestUnlock }), [requestUnlock]);
  return (
    <VaultContext.Provider value={api}>
      {children}
      {unlocking && <UnlockDialog reason={unlocking.reason} onClose={() => setUnlocking(null)} />}
    </VaultContext.Provider>
  );
}

/** The unlock dialog of the nearest VaultProvider, or null outside one. */
export function useVaultUnlock(): VaultUnlockApi | null {
  return useContext(VaultContext);
}

/**
 * Handles a refusal of a vault action: `locked` or `passphraseRequired` opens
 * the unlock dialog (true); anything else is for the caller to show (false).
 */
export function useUnlockOnRefusal(): (error: unknown) => boolean {
  const vault = useVaultUnlock();
  return useCallback(
    (error: unknown) => {
      if (!vault || !needsUnlock(error)) return false;
      vault.requestUnlock(
        vaultErrorKind(error) === 'passphraseRequired'
          ? 'That needs the passphrase: unlock with it, then try again.'
          : 'The vault is locked: unlock it, then try again.',
      );
      return true;
    },
    [vault],
  );
}
