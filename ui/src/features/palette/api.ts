// The palette's one read: entities by name or dotted path.
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { commands } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { queryKeys } from '../../shared/queryKeys';

export const SEARCH_LIMIT = 50;

export const searchQuery = (query: string) =>
  queryOptions({
    queryKey: queryKeys.search(query),
    queryFn: async () => unwrap(await commands.searchEntities(query, SEARCH_LIMIT)),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
