// Offline: the connection and the cache at a glance (refreshed on
// `offline-changed` events), the size and the download of a subtree (its
// progress arrives as `offline-progress` events), the outbox of edits made
// offline, settling its conflicts, sending it now and exporting it.
import { queryOptions, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { commands, type OfflineOverview, type OutboxEntry, type OutboxStatus, type RefreshReport, type ReplayReport, type Resolution } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import { queryKeys } from '../../shared/queryKeys';

export const offlineOverviewQuery = () =>
  queryOptions({
    queryKey: queryKeys.offlineOverview,
    queryFn: async (): Promise<OfflineOverview> => unwrap(await commands.offlineOverview()),
    // Kept current by the `offline-changed` events.
    staleTime: 60_000,
  });

/** The outbox, oldest first; only the entries of `statuses` when any are given. */
export const outboxQuery = (statuses: readonly OutboxStatus[]) =>
  queryOptions({
    queryKey: queryKeys.offlineOutbox(statuses.join(',')),
    queryFn: async () => unwrap(await commands.offlineOutbox([...statuses])),
  });

/** What making the subtree of `rootId` available offline would download. */
export const subtreeSizeQuery = (rootId: string) =>
  queryOptions({
    queryKey: queryKeys.offlineSize(rootId),
    queryFn: async () => unwrap(await commands.offlineSize(rootId)),
    staleTime: 0,
  });

/** Starts downloading a subtree; progress and the end arrive as `offline-progress` events. */
export async function startDownload(rootId: string): Promise<void> {
  unwrap(await commands.offlineAdd(rootId));
}

/** Stops a running download (nothing of it is kept); false when it had ended already. */
export async function stopDownload(rootId: string): Promise<boolean> {
  return unwrap(await commands.offlineCancel(rootId));
}

/** Where an export named `fileName` would go by default (as the views' export: a free name in Downloads, else home). */
export function suggestExportPath(fileName: string): Promise<string> {
  return commands.suggestExportPath(fileName);
}

/** Writes the outbox's entries of `statuses` to a JSON file at `path`; returns how many. */
export async function exportOutbox(path: string, statuses: readonly OutboxStatus[]): Promise<number> {
  return unwrap(await commands.offlineExport(path, [...statuses]));
}

/** Reads the overview and the outbox again. */
export function useInvalidateOffline() {
  const client = useQueryClient();
  return useCallback(() => client.invalidateQueries({ queryKey: queryKeys.offline }), [client]);
}

/** Sends the queued edits and refreshes the cache now; returns what the round did. */
export function useSyncNow() {
  const invalidate = useInvalidateOffline();
  return useCallback(async (): Promise<ReplayReport> => {
    try {
      return unwrap(await commands.offlineSync());
    } finally {
      void invalidate();
    }
  }, [invalidate]);
}

/** Brings every kept subtree up to date from the server. */
export function useRefreshKept() {
  const invalidate = useInvalidateOffline();
  return useCallback(async (): Promise<RefreshReport> => {
    const report = unwrap(await commands.offlineRefresh());
    void invalidate();
    return report;
  }, [invalidate]);
}

/** Removes a kept subtree from this computer (its queued edits stay). */
export function useRemoveKept() {
  const invalidate = useInvalidateOffline();
  return useCallback(
    async (rootId: string): Promise<void> => {
      unwrap(await commands.offlineRemove(rootId));
      await invalidate();
    },
    [invalidate],
  );
}

/**
 * Settles a conflict as the person chose. Keeping the server's version (or
 * sending an edit over it) changes what the cache shows, so the registry's
 * reads are refreshed as after a bulk load.
 */
export function useResolveConflict() {
  const invalidate = useInvalidateOffline();
  const applier = useChangeApplier();
  return useCallback(
    async (seq: number, resolution: Resolution): Promise<OutboxEntry> => {
      const entry = unwrap(await commands.offlineResolve(seq, resolution));
      applier.applyLocal({ kind: 'reloaded' });
      await invalidate();
      return entry;
    },
    [invalidate, applier],
  );
}
