import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode, type SetStateAction } from 'react';
import { describeError } from '../../ipc/errors';
import { entityQuery } from '../details/api';
import { childPageQuery, rootsQuery } from './api';
import { ExpandTimer } from './expandMetrics';
import { planReveal } from './reveal';
import { EMPTY_SELECTION, selectOnly, type Selection } from './selection';

export type ScrollRequest = { id: string; seq: number };

/** Tree state shared by the tree, the detail pane, the palette and the dialogs. */
export type TreeController = {
  expanded: ReadonlySet<string>;
  pageTargets: ReadonlyMap<string, number>;
  selection: Selection;
  editingId: string | null;
  scrollRequest: ScrollRequest | null;
  expandTimer: ExpandTimer;
  setExpanded: (id: string, expanded: boolean) => void;
  /** Ask for one more page of `parentId` than the `loadedPages` it has. */
  requestMore: (parentId: string, loadedPages: number) => void;
  setSelection: (next: SetStateAction<Selection>) => void;
  setEditingId: (id: string | null) => void;
  scrollTo: (id: string) => void;
  /**
   * Expand the ancestors of an entity, load the pages it is on, select it and
   * scroll to it. `restoring`: put back a selection from before a restart:
   * say nothing when the entity is gone, and leave a selection made meanwhile.
   */
  reveal: (id: string, options?: RevealOptions) => Promise<boolean>;
};

export type RevealOptions = { restoring?: boolean };

const TreeContext = createContext<TreeController | null>(null);

export function TreeControllerProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [expanded, setExpandedSet] = useState<ReadonlySet<string>>(() => new Set());
  const [pageTargets, setPageTargets] = useState<ReadonlyMap<string, number>>(() => new Map());
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [scrollRequest, setScrollRequest] = useState<ScrollRequest | null>(null);
  const [expandTimer] = useState(() => new ExpandTimer());
  const scrollSeq = useRef(0);
  // The selection as it is when a reveal's plan is ready (a restore yields to a newer one).
  const selectionNow = useRef(selection);
  useEffect(() => {
    selectionNow.current = selection;
  }, [selection]);

  const setExpanded = useCallback((id: string, value: boolean) => {
    setExpandedSet((prev) => {
      if (prev.has(id) === value) return prev;
      const next = new Set(prev);
      if (value) next.add(id);
      else next.delete(id);
      return next;
    });
    if (!value) {
      // Collapsing forgets extra pages: a re-expand starts with the first page.
      setPageTargets((prev) => {
        if (!prev.has(id)) return prev;
        const next = new Map(prev);
        next.delete(id);
        return next;
      });
    }
  }, []);

  const requestMore = useCallback((parentId: string, loadedPages: number) => {
    setPageTargets((prev) => {
      if ((prev.get(parentId) ?? 1) > loadedPages) return prev;
      return new Map(prev).set(parentId, loadedPages + 1);
    });
  }, []);

  const scrollTo = useCallback((id: string) => {
    scrollSeq.current += 1;
    setScrollRequest({ id, seq: scrollSeq.current });
  }, []);

  const reveal = useCallback(
    async (id: string, options: RevealOptions = {}) => {
      try {
        const plan = await planReveal(id, {
          getEntity: (entityId) => client.fetchQuery({ ...entityQuery(entityId), staleTime: 0 }),
          listRoots: () => client.fetchQuery(rootsQuery()),
          fetchPage: (parentId, after) => client.fetchQuery(childPageQuery(parentId, after)),
        });
        if (options.restoring && selectionNow.current.focusId !== null) return false;
        setExpandedSet((prev) => {
          if (plan.expand.every((a) => prev.has(a))) return prev;
          return new Set([...prev, ...plan.expand]);
        });
        setPageTargets((prev) => {
          const next = new Map(prev);
          for (const [parentId, pages] of plan.pages) next.set(parentId, Math.max(next.get(parentId) ?? 1, pages));
          return next;
        });
        setSelection(selectOnly(plan.target.id));
        scrollTo(plan.target.id);
        return true;
      } catch (error) {
        if (options.restoring) return false;
        const { title, message } = describeError(error);
        notifications.show({ color: 'red', title: `Could not show the entity: ${title}`, message });
        return false;
      }
    },
    [client, scrollTo],
  );

  const value = useMemo<TreeController>(
    () => ({ expanded, pageTargets, selection, editingId, scrollRequest, expandTimer, setExpanded, requestMore, setSelection, setEditingId, scrollTo, reveal }),
    [expanded, pageTargets, selection, editingId, scrollRequest, expandTimer, setExpanded, requestMore, scrollTo, reveal],
  );
  return <TreeContext.Provider value={value}>{children}</TreeContext.Provider>;
}

export function useTreeController(): TreeController {
  const controller = useContext(TreeContext);
  if (!controller) throw new Error('useTreeController outside TreeControllerProvider');
  return controller;
}
