// The tree's reads (roots, pages of children) and its one mutation, rename.
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { commands, type TreeNode } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import { queryKeys } from '../../shared/queryKeys';

/** Children are read in keyset pages of this many rows. */
export const CHILD_PAGE_SIZE = 500;

export const rootsQuery = () =>
  queryOptions({
    queryKey: queryKeys.roots,
    queryFn: async () => unwrap(await commands.listRoots()),
  });

export const childPageQuery = (parentId: string, after: string | null) =>
  queryOptions({
    queryKey: queryKeys.childPage(parentId, after),
    queryFn: async () => unwrap(await commands.listChildren(parentId, after, CHILD_PAGE_SIZE)),
    // Live updates invalidate what changed; no need to refetch on a timer.
    staleTime: 5 * 60_000,
  });

export function useRoots() {
  return useQuery(rootsQuery());
}

/** Refetch the (displayed) pages of one parent's children, after a failed page. */
export function useRetryChildren() {
  const client = useQueryClient();
  return useCallback(
    (parentId: string) => {
      void client.refetchQueries({ queryKey: queryKeys.children(parentId), type: 'active' });
    },
    [client],
  );
}

/** After a Conflict: refetch the lists and details showing these nodes. */
export function useReloadNodes() {
  const client = useQueryClient();
  return useCallback(
    (nodes: readonly TreeNode[]) => {
      for (const node of nodes) {
        void client.invalidateQueries({ queryKey: node.parentId === null ? queryKeys.roots : queryKeys.children(node.parentId) });
        void client.invalidateQueries({ queryKey: queryKeys.entity(node.id) });
      }
    },
    [client],
  );
}

/** Renames an entity against the version the row shows; the change is applied here at once. */
export function useRenameEntity() {
  const applier = useChangeApplier();
  return useCallback(
    async (node: TreeNode, name: string): Promise<TreeNode> => {
      const renamed = unwrap(await commands.renameEntity({ id: node.id, expectedUpdatedAt: node.updatedAt, name }));
      applier.applyLocal({ kind: 'updated', node: renamed });
      return renamed;
    },
    [applier],
  );
}

let firstPaintReported = false;

/**
 * Tells the app, once per page load, that the tree has painted its first
 * rows (it logs the time since start, and writes it for `eco-studio bench
 * startup`). A failure changes nothing on screen.
 */
export function reportFirstPaint() {
  if (firstPaintReported) return;
  firstPaintReported = true;
  commands.startupPainted().catch(() => undefined);
}
