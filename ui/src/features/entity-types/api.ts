// Entity types: the list, and create / edit / delete / restore. Every change
// is applied to this window at once as `typesChanged` (names and icons show
// on every row).
import { queryOptions } from '@tanstack/react-query';
import { useCallback } from 'react';
import { commands, type EntityType, type EntityTypeInput, type EntityTypeUpdate } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import { queryKeys } from '../../shared/queryKeys';

export const entityTypesQuery = (includeDeleted: boolean) =>
  queryOptions({
    queryKey: queryKeys.entityTypes(includeDeleted),
    queryFn: async () => unwrap(await commands.listEntityTypes(includeDeleted)),
    staleTime: 60_000,
  });

/** Refetch the types and everything that shows them (after a Conflict). */
export function useReloadTypes() {
  const applier = useChangeApplier();
  return useCallback(() => applier.applyLocal({ kind: 'typesChanged' }), [applier]);
}

/** A type command whose success is applied as `typesChanged`. */
function useTypeMutation<Args extends unknown[]>(run: (...args: Args) => Promise<EntityType>) {
  const applier = useChangeApplier();
  return useCallback(
    async (...args: Args): Promise<EntityType> => {
      const type = await run(...args);
      applier.applyLocal({ kind: 'typesChanged' });
      return type;
    },
    [applier, run],
  );
}

const createEntityType = async (input: EntityTypeInput) => unwrap(await commands.createEntityType(input));
const updateEntityType = async (input: EntityTypeUpdate) => unwrap(await commands.updateEntityType(input));
const deleteEntityType = async (type: EntityType) => unwrap(await commands.deleteEntityType({ id: type.id, expectedUpdatedAt: type.updatedAt }));
const restoreEntityType = async (id: string) => unwrap(await commands.restoreEntityType(id));

export const useCreateEntityType = () => useTypeMutation(createEntityType);
/** Edits name, description and icon against the version the caller saw. */
export const useUpdateEntityType = () => useTypeMutation(updateEntityType);
/** Refused (InUse) while live entities use the type. */
export const useDeleteEntityType = () => useTypeMutation(deleteEntityType);
export const useRestoreEntityType = () => useTypeMutation(restoreEntityType);
