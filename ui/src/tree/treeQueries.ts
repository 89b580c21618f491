import { queryOptions, useQueries, useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useCallback } from 'react';
import { commands, type TreeNode } from '../bindings';
import { unwrap } from '../errors';
import type { ChildrenState } from './treeModel';

export const rootsQueryKey = ['roots'] as const;
export const childrenQueryKey = (parentId: string) => ['children', parentId] as const;

export const rootsQuery = () =>
  queryOptions({
    queryKey: rootsQueryKey,
    queryFn: async () => unwrap(await commands.listRoots()),
    retry: false,
  });

export const childrenQuery = (parentId: string) =>
  queryOptions({
    queryKey: childrenQueryKey(parentId),
    queryFn: async () => unwrap(await commands.listChildren(parentId)),
    // The error row offers a manual retry; do not hammer a failing backend.
    retry: false,
    staleTime: 30_000,
  });

export function useRoots() {
  return useQuery(rootsQuery());
}

function toChildrenState(result: UseQueryResult<TreeNode[]>): ChildrenState {
  if (result.data !== undefined) return { status: 'success', nodes: result.data };
  if (result.isError && !result.isFetching) return { status: 'error', error: result.error };
  return { status: 'pending' };
}

/**
 * Observe the children query of every expanded node and expose them as a
 * map id -> ChildrenState. The map keeps its identity while no result
 * changes, so the (potentially large) flattening is not redone needlessly.
 */
export function useChildrenStates(expandedIds: readonly string[]): ReadonlyMap<string, ChildrenState> {
  const combine = useCallback(
    (results: UseQueryResult<TreeNode[]>[]) => {
      const map = new Map<string, ChildrenState>();
      results.forEach((result, i) => map.set(expandedIds[i], toChildrenState(result)));
      return map;
    },
    [expandedIds],
  );
  return useQueries({ queries: expandedIds.map((id) => childrenQuery(id)), combine });
}
