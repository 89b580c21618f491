// The trash: its list, and the two ways out of it (restore, purge).
import { queryOptions } from '@tanstack/react-query';
import { useCallback } from 'react';
import { commands, type PurgeOutcome, type RestoreOutcome } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import { queryKeys } from '../../shared/queryKeys';

export const TRASH_LIMIT = 1000;

export const trashQuery = () =>
  queryOptions({
    queryKey: queryKeys.trash,
    queryFn: async () => unwrap(await commands.listTrash(TRASH_LIMIT)),
  });

/**
 * Brings back one deletion. Records nothing: for callers that restore a batch
 * and apply the outcomes themselves (Undo of a delete).
 */
export async function restoreEntity(id: string): Promise<RestoreOutcome> {
  return unwrap(await commands.restoreEntity(id));
}

/** Restores one deletion and applies the change to this window at once. */
export function useRestoreEntity() {
  const applier = useChangeApplier();
  return useCallback(
    async (id: string): Promise<RestoreOutcome> => {
      const outcome = await restoreEntity(id);
      applier.applyLocal({ kind: 'restored', node: outcome.node, count: outcome.restored });
      return outcome;
    },
    [applier],
  );
}

/** Removes a deletion for good and applies the change to this window at once. */
export function usePurgeEntity() {
  const applier = useChangeApplier();
  return useCallback(
    async (id: string): Promise<PurgeOutcome> => {
      const outcome = unwrap(await commands.purgeEntity(id));
      applier.applyLocal({ kind: 'purged', id: outcome.id });
      return outcome;
    },
    [applier],
  );
}
