// The offline feature's shared state: it follows `offline-changed` (the
// connection, the cache, a replay's report) and `offline-progress` (downloads)
// events, and shows the "Make available offline" dialog and the conflict
// review wherever they are asked for (the tree, the palette, the banner, the
// Data screen).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { events, type OfflineOverview, type OfflineProgress, type ReplayReport } from '../../bindings';
import { queryKeys } from '../../shared/queryKeys';
import { offlineOverviewQuery, useSyncNow } from './api';
import { ConflictReviewDialog } from './ConflictReview';
import { MakeAvailableDialog } from './MakeAvailableDialog';

/** How long the banner confirms that a replay sent edits. */
export const REPLAY_NOTICE_MS = 10_000;

/** The subtree to keep offline: its top entity (its name, when known). */
export type OfflineTarget = { id: string; name: string | null };

export type OfflineActions = {
  /** Opens the "Make available offline" dialog for a subtree. */
  makeAvailable: (target: OfflineTarget) => void;
  /** Opens the review of the edits in conflict. */
  openReview: () => void;
  /** Sends the queued edits now; a round that sent some is confirmed by the banner. */
  sync: () => Promise<ReplayReport>;
};

/** A replay's report, shown for a while; `serial` tells two rounds apart. */
export type ReplayNotice = { report: ReplayReport; serial: number };

type OfflineReplay = { notice: ReplayNotice | null; dismiss: () => void };

const ActionsContext = createContext<OfflineActions | null>(null);
const ReplayContext = createContext<OfflineReplay | null>(null);

/** Whether a round did something worth confirming (conflicts have their own notice). */
function worthConfirming(report: ReplayReport): boolean {
  return report.applied > 0 || report.refused > 0;
}

/** Follows the offline events and holds the offline dialogs. */
export function OfflineProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const syncNow = useSyncNow();
  const [target, setTarget] = useState<OfflineTarget | null>(null);
  const [reviewing, setReviewing] = useState(false);
  const [downloads, setDownloads] = useState<ReadonlyMap<string, OfflineProgress>>(() => new Map());
  const [notice, setNotice] = useState<ReplayNotice | null>(null);
  const serial = useRef(0);

  const confirm = useCallback((report: ReplayReport) => {
    if (!worthConfirming(report)) return;
    serial.current += 1;
    setNotice({ report, serial: serial.current });
  }, []);

  useEffect(() => {
    let active = true;
    const unlisten = events.offlineChanged
      .listen((event) => {
        if (!active) return;
        const { connection, status, replay } = event.payload;
        // At once from the event; the entities with edits waiting come with the reread.
        client.setQueryData<OfflineOverview>(queryKeys.offlineOverview, (before) => (before ? { ...before, connection, status: status ?? before.status } : before));
        void client.invalidateQueries({ queryKey: queryKeys.offline });
        if (replay) confirm(replay);
      })
      .catch(() => null);
    return () => {
      active = false;
      void unlisten.then((fn) => fn?.());
    };
  }, [client, confirm]);

  useEffect(() => {
    let active = true;
    const unlisten = events.offlineProgress
      .listen((event) => {
        if (!active) return;
        const progress = event.payload;
        setDownloads((before) => new Map(before).set(progress.rootId, progress));
        if (progress.state.state !== 'running') void client.invalidateQueries({ queryKey: queryKeys.offline });
      })
      .catch(() => null);
    return () => {
      active = false;
      void unlisten.then((fn) => fn?.());
    };
  }, [client]);

  // The confirmation goes after a while (a newer round starts its own time).
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), REPLAY_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);

  const sync = useCallback(async () => {
    const report = await syncNow();
    confirm(report);
    return report;
  }, [syncNow, confirm]);

  /** A new download of a subtree starts without the progress of an earlier one. */
  const forgetDownload = useCallback((rootId: string) => {
    setDownloads((before) => {
      if (!before.has(rootId)) return before;
      const next = new Map(before);
      next.delete(rootId);
      return next;
    });
  }, []);

  const actions = useMemo<OfflineActions>(() => ({ makeAvailable: setTarget, openReview: () => setReviewing(true), sync }), [sync]);
  const replay = useMemo<OfflineReplay>(() => ({ notice, dismiss: () => setNotice(null) }), [notice]);

  return (
    <ActionsContext.Provider value={actions}>
      <ReplayContext.Provider value={replay}>
        {children}
        {target && (
          <MakeAvailableDialog key={target.id} target={target} progress={downloads.get(target.id) ?? null} onStart={() => forgetDownload(target.id)} onClose={() => setTarget(null)} />
        )}
        {reviewing && <ConflictReviewDialog onClose={() => setReviewing(false)} />}
      </ReplayContext.Provider>
    </ActionsContext.Provider>
  );
}

export function useOfflineActions(): OfflineActions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error('useOfflineActions outside OfflineProvider');
  return actions;
}

export function useOfflineReplay(): OfflineReplay {
  const replay = useContext(ReplayContext);
  if (!replay) throw new Error('useOfflineReplay outside OfflineProvider');
  return replay;
}

const NO_PENDING: ReadonlySet<string> = new Set();
const pendingSet = (overview: OfflineOverview): ReadonlySet<string> => new Set(overview.pendingEntities);

/** The entities with an edit waiting to be sent (a Set, rebuilt only when the overview changes). */
export function usePendingEntities(): ReadonlySet<string> {
  const pending = useQuery({ ...offlineOverviewQuery(), select: pendingSet });
  return pending.data ?? NO_PENDING;
}
