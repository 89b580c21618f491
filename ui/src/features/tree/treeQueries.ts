import { useQueries, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useRef } from 'react';
import type { ChildPage, TreeNode } from '../../bindings';
import { queryKeys } from '../../shared/queryKeys';
import { childPageQuery } from './api';
import type { ChildrenState, MoreState } from './treeModel';

type PageSpec = { parentId: string; after: string | null };

/**
 * The page chain to observe: for each expanded node, its first page and then,
 * up to the node's page target, the page after each cached page's cursor.
 */
export function pageSpecs(
  expandedIds: readonly string[],
  pageTargets: ReadonlyMap<string, number>,
  cachedPage: (parentId: string, after: string | null) => ChildPage | undefined,
): PageSpec[] {
  const specs: PageSpec[] = [];
  for (const parentId of expandedIds) {
    const wanted = Math.max(1, pageTargets.get(parentId) ?? 1);
    let after: string | null = null;
    for (let page = 0; page < wanted; page++) {
      specs.push({ parentId, after });
      const data = cachedPage(parentId, after);
      if (!data || data.nextCursor === null) break;
      after = data.nextCursor;
    }
  }
  return specs;
}

type PageResult = Pick<UseQueryResult<ChildPage>, 'data' | 'isError' | 'isFetching' | 'error'>;

/** One node's children from the results of its page chain (in order). */
export function childrenStateOf(results: readonly PageResult[]): ChildrenState {
  const first = results[0];
  if (!first || first.data === undefined) {
    return first && first.isError && !first.isFetching ? { status: 'error', error: first.error } : { status: 'pending' };
  }
  const chunks: (readonly TreeNode[])[] = [];
  let pages = 0;
  while (pages < results.length && results[pages].data !== undefined) {
    chunks.push(results[pages].data!.nodes);
    pages++;
  }
  const last = results[pages - 1].data!;
  const next = results[pages];
  let more: MoreState;
  if (last.nextCursor === null) more = { status: 'none' };
  else if (!next) more = { status: 'idle' };
  else if (next.isError && !next.isFetching) more = { status: 'error', error: next.error };
  else more = { status: 'loading' };
  const nodes = chunks.length === 1 ? chunks[0] : ([] as TreeNode[]).concat(...chunks);
  return { status: 'success', nodes, pages, more };
}

function signatureOf(result: UseQueryResult<ChildPage>, after: string | null): string {
  return `${after ?? ''}|${result.status}|${result.dataUpdatedAt}|${result.errorUpdatedAt}|${result.isFetching ? 1 : 0}`;
}

/**
 * Observe the child pages of every expanded node and expose them as a map
 * id -> ChildrenState. The map keeps its identity while nothing changed, and
 * an unchanged node's state is reused, so the (potentially large) flattening
 * is not redone needlessly.
 */
export function useChildrenStates(expandedIds: readonly string[], pageTargets: ReadonlyMap<string, number>): ReadonlyMap<string, ChildrenState> {
  const client = useQueryClient();
  const specs = pageSpecs(expandedIds, pageTargets, (parentId, after) => client.getQueryData<ChildPage>(queryKeys.childPage(parentId, after)));
  const results = useQueries({ queries: specs.map((spec) => childPageQuery(spec.parentId, spec.after)) });

  const cache = useRef<{ map: Map<string, ChildrenState>; signatures: Map<string, string> }>({ map: new Map(), signatures: new Map() });

  const grouped = new Map<string, { results: UseQueryResult<ChildPage>[]; signature: string }>();
  specs.forEach((spec, i) => {
    const entry = grouped.get(spec.parentId) ?? { results: [], signature: '' };
    entry.results.push(results[i]);
    entry.signature += `;${signatureOf(results[i], spec.after)}`;
    grouped.set(spec.parentId, entry);
  });

  const previous = cache.current;
  let changed = grouped.size !== previous.map.size;
  const map = new Map<string, ChildrenState>();
  const signatures = new Map<string, string>();
  for (const [parentId, entry] of grouped) {
    const old = previous.map.get(parentId);
    const reuse = old !== undefined && previous.signatures.get(parentId) === entry.signature;
    if (!reuse) changed = true;
    map.set(parentId, reuse ? old : childrenStateOf(entry.results));
    signatures.set(parentId, entry.signature);
  }
  if (!changed) return previous.map;
  cache.current = { map, signatures };
  return map;
}
