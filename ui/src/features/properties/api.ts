// An entity's property pane, and the two ways its values change: edits made
// in the pane and a restore from the history. Both return the new pane, which
// goes straight into the cache; the change is applied to this window at once
// as `propertiesChanged` (the row, the details and the history move on).
import { queryOptions, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { commands, type EntityDetail, type PropertiesRestored, type PropertyPane, type RestoreProperties, type SetValues } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { treeIndexFromCache, type ChangeApplier } from '../../live/applyChange';
import { useChangeApplier } from '../../live/LiveUpdates';
import { queryKeys } from '../../shared/queryKeys';

export const propertyPaneQuery = (entityId: string) =>
  queryOptions({
    queryKey: queryKeys.propertyPane(entityId),
    queryFn: async () => unwrap(await commands.propertyPane(entityId)),
    // Live updates invalidate a pane when its entity or the schema changes.
    staleTime: 60_000,
  });

/** Every live property definition (labels for the history). */
export const propertyDefinitionsQuery = () =>
  queryOptions({
    queryKey: queryKeys.propertyDefinitions(false),
    queryFn: async () => unwrap(await commands.listPropertyDefinitions(false)),
    staleTime: 60_000,
  });

/**
 * Puts the new pane in the cache and applies the change: with the entity's
 * row when this window has it loaded (so the event's echo is skipped), else
 * by refetching what shows the entity.
 */
function applyPane(client: QueryClient, applier: ChangeApplier, pane: PropertyPane) {
  client.setQueryData(queryKeys.propertyPane(pane.entityId), pane);
  const known = treeIndexFromCache(client).node(pane.entityId) ?? client.getQueryData<EntityDetail>(queryKeys.entity(pane.entityId))?.node;
  if (known) {
    applier.applyLocal({ kind: 'propertiesChanged', node: { ...known, updatedAt: pane.updatedAt } });
    return;
  }
  void client.invalidateQueries({ queryKey: queryKeys.entity(pane.entityId) });
  void client.invalidateQueries({ queryKey: queryKeys.history(pane.entityId) });
}

/** Sets and clears values of one entity in one request (all or none); resolves to the new pane. */
export function useSetPropertyValues() {
  const client = useQueryClient();
  const applier = useChangeApplier();
  return useCallback(
    async (input: SetValues): Promise<PropertyPane> => {
      const pane = unwrap(await commands.setPropertyValues(input));
      applyPane(client, applier, pane);
      return pane;
    },
    [client, applier],
  );
}

/** Restores the values an entity had right after one event of its history, as a new change. */
export function useRestoreProperties() {
  const client = useQueryClient();
  const applier = useChangeApplier();
  return useCallback(
    async (input: RestoreProperties): Promise<PropertiesRestored> => {
      const restored = unwrap(await commands.restoreProperties(input));
      applyPane(client, applier, restored.pane);
      return restored;
    },
    [client, applier],
  );
}

/** Refetch one entity's pane (after a Conflict, to see the values as they are now). */
export function useReloadPane() {
  const client = useQueryClient();
  return useCallback((entityId: string) => client.invalidateQueries({ queryKey: queryKeys.propertyPane(entityId) }), [client]);
}

/** Refetch an entity, its history and its pane (after a restore ran into a newer version). */
export function useReloadEntityProperties() {
  const client = useQueryClient();
  return useCallback(
    (entityId: string) =>
      Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.entity(entityId) }),
        client.invalidateQueries({ queryKey: queryKeys.history(entityId) }),
        client.invalidateQueries({ queryKey: queryKeys.propertyPane(entityId) }),
      ]),
    [client],
  );
}
