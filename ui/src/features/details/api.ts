// Reads of the detail pane: one entity with its breadcrumb, its subtree size
// and its audit history.
import { queryOptions } from '@tanstack/react-query';
import { commands } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { queryKeys } from '../../shared/queryKeys';

export const HISTORY_LIMIT = 200;

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
