// The vault: its lock, each root's tenant key (versions, rotation, the
// minimum version that still decrypts, rewrapping), and the secrets with
// their versions (metadata only). A revealed value goes back to the caller
// and into no cache: reads of values are plain calls, never queries.
import { queryOptions, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import {
  commands,
  type CreateSecret,
  type KeyProviderKind,
  type RevealedSecret,
  type RewrapStarted,
  type SecretSummary,
  type SecretVersionInfo,
  type Session,
  type TenantKey,
  type VaultErrorKind,
  type VaultStatus,
  type WriteSecret,
} from '../../bindings';
import { appErrorOf, unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import { queryKeys } from '../../shared/queryKeys';

export const vaultStatusQuery = queryOptions({
  queryKey: queryKeys.vaultStatus,
  queryFn: async () => unwrap(await commands.vaultStatus()),
  staleTime: 30_000,
});

/** The secrets the person sees, of one root or (null) of all. */
export const secretsQuery = (rootId: string | null) =>
  queryOptions({
    queryKey: queryKeys.secrets(rootId),
    queryFn: async () => unwrap(await commands.listSecrets(rootId)),
    staleTime: 30_000,
  });

/** A secret's versions, newest first as the core gives them (no values). */
export const secretVersionsQuery = (secretId: string) =>
  queryOptions({
    queryKey: queryKeys.secretVersions(secretId),
    queryFn: async () => unwrap(await commands.secretVersions(secretId)),
    staleTime: 30_000,
  });

/** The kind of a vault refusal, or null for any other error. */
export function vaultErrorKind(error: unknown): VaultErrorKind | null {
  const appError = appErrorOf(error);
  return appError?.type === 'Vault' ? appError.data.kind : null;
}

/** The vault refused because it is locked or needs its passphrase: unlocking helps. */
export function needsUnlock(error: unknown): boolean {
  const kind = vaultErrorKind(error);
  return kind === 'locked' || kind === 'passphraseRequired';
}

/** Whether the Vault screen has anything for the person: an administrator, or admin or secrets rights on a root. */
export function mayUseVault(session: Session | undefined): boolean {
  if (!session) return false;
  if (session.bypassesSecurity || session.person?.isAdmin) return true;
  return session.roots.some((root) => root.capabilities.some((c) => c === 'admin' || c === 'secrets:read' || c === 'secrets:write'));
}

/** Unlocks (with the passphrase, or null for keychain keys only) and takes the new status at once. */
export function useUnlockVault() {
  const client = useQueryClient();
  return useCallback(
    async (passphrase: string | null): Promise<VaultStatus> => {
      const status = unwrap(await commands.vaultUnlock(passphrase));
      client.setQueryData(queryKeys.vaultStatus, status);
      return status;
    },
    [client],
  );
}

/** Locks: every key and the passphrase leave memory; revealed values hide themselves (they watch the status). */
export function useLockVault() {
  const client = useQueryClient();
  return useCallback(async (): Promise<VaultStatus> => {
    const status = unwrap(await commands.vaultLock());
    client.setQueryData(queryKeys.vaultStatus, status);
    return status;
  }, [client]);
}

/** Sets how long the vault stays unlocked without use (for this session). */
export function useSetIdleLock() {
  const client = useQueryClient();
  return useCallback(
    async (seconds: number): Promise<void> => {
      await commands.vaultSetIdle(seconds);
      await client.invalidateQueries({ queryKey: queryKeys.vaultStatus });
    },
    [client],
  );
}

/** A change to a root's key: its new state goes into the status at once, then what it makes stale is refetched. */
function useKeyChange<Args extends unknown[]>(run: (rootId: string, ...args: Args) => Promise<TenantKey>) {
  const client = useQueryClient();
  const applier = useChangeApplier();
  return useCallback(
    async (rootId: string, ...args: Args): Promise<TenantKey> => {
      const key = await run(rootId, ...args);
      client.setQueryData<VaultStatus>(queryKeys.vaultStatus, (status) =>
        status ? { ...status, roots: status.roots.map((root) => (root.rootId === rootId ? { ...root, key } : root)) } : status,
      );
      applier.applyLocal({ kind: 'vaultChanged', rootId, secretId: null });
      return key;
    },
    [client, applier, run],
  );
}

const createKey = async (rootId: string, provider: KeyProviderKind) => unwrap(await commands.vaultCreateKey(rootId, provider));
const rotateKey = async (rootId: string) => unwrap(await commands.vaultRotate(rootId));
const setMinimum = async (rootId: string, minimum: number) => unwrap(await commands.vaultSetMinimum(rootId, minimum));

/** Creates a root's key, kept by the OS keychain or sealed with the session's passphrase. */
export const useCreateKey = () => useKeyChange(createKey);
/** A new key version: new secret versions are sealed with it. */
export const useRotateKey = () => useKeyChange(rotateKey);
/** Key versions below `minimum` no longer decrypt. */
export const useSetMinimum = () => useKeyChange(setMinimum);

/** Starts moving a root's secret versions to its newest key version; progress arrives as job events. */
export async function startRewrap(rootId: string): Promise<RewrapStarted> {
  return unwrap(await commands.vaultRewrap(rootId));
}

/** A new secret (an entity under `parentId`) with its first value. */
export function useCreateSecret() {
  const client = useQueryClient();
  const applier = useChangeApplier();
  return useCallback(
    async (input: CreateSecret): Promise<SecretSummary> => {
      const secret = unwrap(await commands.createSecret(input));
      applier.applyLocal({ kind: 'vaultChanged', rootId: secret.rootId, secretId: secret.id });
      // The secret is an entity: its parent's children and details.
      void client.invalidateQueries({ queryKey: queryKeys.children(input.parentId) });
      void client.invalidateQueries({ queryKey: queryKeys.entity(input.parentId) });
      return secret;
    },
    [client, applier],
  );
}

/** A new version of a secret's value. */
export function useWriteSecret() {
  const applier = useChangeApplier();
  return useCallback(
    async (input: WriteSecret, rootId: string | null): Promise<SecretVersionInfo> => {
      const version = unwrap(await commands.writeSecret(input));
      applier.applyLocal({ kind: 'vaultChanged', rootId, secretId: input.secretId });
      return version;
    },
    [applier],
  );
}

/**
 * Decrypts a version of a secret (null: the latest), audited with `reason`.
 * The value is returned, never cached: keep it in component state only.
 */
export async function revealSecret(secretId: string, version: number | null, reason: string): Promise<RevealedSecret> {
  return unwrap(await commands.revealSecret(secretId, version, reason));
}
