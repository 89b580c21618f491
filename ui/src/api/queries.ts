// Query keys and query options for every read command. Keys are shared with
// the live-update invalidation (live/invalidation.ts), so keep them here only.
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { commands } from '../bindings';
import { unwrap } from '../errors';

/** Children are read in keyset pages of this many rows. */
export const CHILD_PAGE_SIZE = 500;
export const SEARCH_LIMIT = 50;
export const HISTORY_LIMIT = 200;
export const TRASH_LIMIT = 1000;

export const queryKeys = {
  roots: ['roots'] as const,
  /** Prefix of every page of one parent's children. */
  children: (parentId: string) => ['children', parentId] as const,
  allChildren: ['children'] as const,
  childPage: (parentId: string, after: string | null) => ['children', parentId, after] as const,
  entity: (id: string) => ['entity', id] as const,
  allEntities: ['entity'] as const,
  subtreeCount: (id: string) => ['subtreeCount', id] as const,
  allSubtreeCounts: ['subtreeCount'] as const,
  history: (id: string) => ['history', id] as const,
  search: (query: string) => ['search', query] as const,
  allSearches: ['search'] as const,
  trash: ['trash'] as const,
  entityTypes: (includeDeleted: boolean) => ['entityTypes', includeDeleted] as const,
  allEntityTypes: ['entityTypes'] as const,
};

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

export const entityQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.entity(id),
    queryFn: async () => unwrap(await commands.getEntity(id)),
    staleTime: 60_000,
  });

export const subtreeCountQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.subtreeCount(id),
    queryFn: async () => unwrap(await commands.subtreeCount(id)),
    staleTime: 60_000,
  });

export const historyQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.history(id),
    queryFn: async () => unwrap(await commands.entityHistory(id, HISTORY_LIMIT)),
  });

export const searchQuery = (query: string) =>
  queryOptions({
    queryKey: queryKeys.search(query),
    queryFn: async () => unwrap(await commands.searchEntities(query, SEARCH_LIMIT)),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

export const trashQuery = () =>
  queryOptions({
    queryKey: queryKeys.trash,
    queryFn: async () => unwrap(await commands.listTrash(TRASH_LIMIT)),
  });

export const entityTypesQuery = (includeDeleted: boolean) =>
  queryOptions({
    queryKey: queryKeys.entityTypes(includeDeleted),
    queryFn: async () => unwrap(await commands.listEntityTypes(includeDeleted)),
    staleTime: 60_000,
  });
