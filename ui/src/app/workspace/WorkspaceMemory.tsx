import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTreeController } from '../../features/tree';
import { savedViewsQuery } from '../../features/views/api';
import { useWorkspace } from '../../shared/WorkspaceContext';
import { memoryStorage, readMemory, writeMemory, type RememberedWorkspace } from './workspaceMemory';

/**
 * Brings back what the workspace showed when this database was last open
 * (keyed by `storageKey`: remount it for another database), then keeps it up
 * to date. A selected entity that is gone, or a saved view that is, is let go
 * without a word.
 */
export function WorkspaceMemory({ storageKey }: { storageKey: string }) {
  const workspace = useWorkspace();
  const tree = useTreeController();
  const [remembered] = useState<RememberedWorkspace | null>(() => readMemory(memoryStorage(), storageKey));
  // Nothing is written until the remembered state is back (or given up on).
  const [restoring, setRestoring] = useState(remembered?.selectedId != null);
  const { restoreLayout } = workspace;
  const { reveal } = tree;

  const started = useRef(false);
  useEffect(() => {
    if (started.current || !remembered) return;
    started.current = true;
    const { selectedId, ...layout } = remembered;
    restoreLayout(layout);
    if (selectedId !== null) void reveal(selectedId, { restoring: true }).finally(() => setRestoring(false));
  }, [remembered, restoreLayout, reveal]);

  useForgetGoneView(remembered?.openedViewId ?? null);

  const { view, detailTab, dataTab, openedViewId, panes } = workspace;
  const selectedId = tree.selection.focusId;
  useEffect(() => {
    if (restoring) return;
    writeMemory(memoryStorage(), storageKey, { view, detailTab, dataTab, openedViewId, panes, selectedId });
  }, [restoring, storageKey, view, detailTab, dataTab, openedViewId, panes, selectedId]);

  return null;
}

/** The saved view open before a restart was deleted since: open a new one instead of saying so. */
function useForgetGoneView(rememberedId: string | null) {
  const { openedViewId, restoreLayout } = useWorkspace();
  const views = useQuery({ ...savedViewsQuery(), enabled: rememberedId !== null });
  const settled = useRef(false);
  useEffect(() => {
    if (settled.current || rememberedId === null || !views.isSuccess) return;
    settled.current = true;
    if (openedViewId === rememberedId && !views.data.some((v) => v.id === rememberedId && v.deletedAt === null)) restoreLayout({ openedViewId: null });
  }, [rememberedId, openedViewId, views.isSuccess, views.data, restoreLayout]);
}
