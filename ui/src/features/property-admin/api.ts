// The property schema: groups, definitions and the layout of each entity
// type. Every change is applied to this window at once as `schemaChanged`
// (the admin lists and every property pane).
import { queryOptions, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import {
  commands,
  type DefinitionImpact,
  type PropertyDefinition,
  type PropertyDefinitionInput,
  type PropertyDefinitionUpdate,
  type PropertyGroup,
  type PropertyGroupInput,
  type PropertyGroupUpdate,
  type TypeLayout,
  type TypeLayoutUpdate,
} from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import { queryKeys } from '../../shared/queryKeys';

export const propertyGroupsQuery = (includeDeleted: boolean) =>
  queryOptions({
    queryKey: queryKeys.propertyGroups(includeDeleted),
    queryFn: async () => unwrap(await commands.listPropertyGroups(includeDeleted)),
    staleTime: 60_000,
  });

export const propertyDefinitionsQuery = (includeDeleted: boolean) =>
  queryOptions({
    queryKey: queryKeys.propertyDefinitions(includeDeleted),
    queryFn: async () => unwrap(await commands.listPropertyDefinitions(includeDeleted)),
    staleTime: 60_000,
  });

/** The properties an entity type shows, in order, with the type's version. */
export const typeLayoutQuery = (entityTypeId: string) =>
  queryOptions({
    queryKey: queryKeys.typeLayout(entityTypeId),
    queryFn: async () => unwrap(await commands.typeLayout(entityTypeId)),
    staleTime: 60_000,
  });

/** Refetch the schema and everything that shows it (after a Conflict). */
export function useReloadSchema() {
  const applier = useChangeApplier();
  return useCallback(() => {
    applier.applyLocal({ kind: 'schemaChanged' });
    applier.applyLocal({ kind: 'typesChanged' });
  }, [applier]);
}

/** A schema command whose success is applied as `schemaChanged`. */
function useSchemaMutation<Args extends unknown[], T>(run: (...args: Args) => Promise<T>) {
  const applier = useChangeApplier();
  return useCallback(
    async (...args: Args): Promise<T> => {
      const result = await run(...args);
      applier.applyLocal({ kind: 'schemaChanged' });
      return result;
    },
    [applier, run],
  );
}

const createGroup = async (input: PropertyGroupInput) => unwrap(await commands.createPropertyGroup(input));
const updateGroup = async (input: PropertyGroupUpdate) => unwrap(await commands.updatePropertyGroup(input));
const deleteGroup = async (group: PropertyGroup) => unwrap(await commands.deletePropertyGroup({ id: group.id, expectedUpdatedAt: group.updatedAt }));
const restoreGroup = async (id: string) => unwrap(await commands.restorePropertyGroup(id));

export const useCreatePropertyGroup = () => useSchemaMutation(createGroup);
/** Edits name and description against the version the caller saw (the key is permanent). */
export const useUpdatePropertyGroup = () => useSchemaMutation(updateGroup);
/** Refused (InUse) while live properties belong to the group. */
export const useDeletePropertyGroup = () => useSchemaMutation(deleteGroup);
export const useRestorePropertyGroup = () => useSchemaMutation(restoreGroup);

/** Puts every live group in the order given; the list shows the new order at once. */
export function useReorderPropertyGroups() {
  const client = useQueryClient();
  const reorder = useCallback(
    async (ids: string[]): Promise<PropertyGroup[]> => {
      const groups = unwrap(await commands.reorderPropertyGroups(ids));
      client.setQueryData(queryKeys.propertyGroups(false), groups);
      return groups;
    },
    [client],
  );
  return useSchemaMutation(reorder);
}

/**
 * How many stored values an edit of a property's type or rules would make
 * invalid, with examples. Changes nothing.
 */
export async function propertyDefinitionImpact(input: PropertyDefinitionUpdate): Promise<DefinitionImpact> {
  return unwrap(await commands.propertyDefinitionImpact(input));
}

const createDefinition = async (input: PropertyDefinitionInput) => unwrap(await commands.createPropertyDefinition(input));
const updateDefinition = async (input: PropertyDefinitionUpdate) => unwrap(await commands.updatePropertyDefinition(input));
const deleteDefinition = async (definition: PropertyDefinition) =>
  unwrap(await commands.deletePropertyDefinition({ id: definition.id, expectedUpdatedAt: definition.updatedAt }));
const restoreDefinition = async (id: string) => unwrap(await commands.restorePropertyDefinition(id));

export const useCreatePropertyDefinition = () => useSchemaMutation(createDefinition);
/**
 * Edits a property. A new type or rules that stored values fail is refused
 * (Validation, rule `confirm`) until `acceptInvalid` is the impact's `invalid`.
 */
export const useUpdatePropertyDefinition = () => useSchemaMutation(updateDefinition);
/** Its values are kept and come back with a restore. */
export const useDeletePropertyDefinition = () => useSchemaMutation(deleteDefinition);
export const useRestorePropertyDefinition = () => useSchemaMutation(restoreDefinition);

/**
 * Replaces a type's layout, aimed at the type's version the editor loaded.
 * The type's version moves on, so the type lists are refetched too.
 */
export function useSetTypeLayout() {
  const client = useQueryClient();
  const applier = useChangeApplier();
  return useCallback(
    async (input: TypeLayoutUpdate): Promise<TypeLayout> => {
      const layout = unwrap(await commands.setTypeLayout(input));
      client.setQueryData(queryKeys.typeLayout(layout.entityTypeId), layout);
      applier.applyLocal({ kind: 'schemaChanged' });
      applier.applyLocal({ kind: 'typesChanged' });
      return layout;
    },
    [applier, client],
  );
}
