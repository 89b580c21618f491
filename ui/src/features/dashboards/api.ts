// Dashboards: the list the person sees, one dashboard with its widgets,
// saving (over the version loaded), deleting and restoring, each widget's
// data, the metrics for the widget forms, and writing a widget's export.
import { queryOptions, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { commands, type Dashboard, type SaveDashboard, type VersionedId, type WidgetData, type WidgetExport, type WidgetRequest } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { queryKeys } from '../../shared/queryKeys';

export const dashboardsQuery = () =>
  queryOptions({
    queryKey: queryKeys.dashboards,
    queryFn: async () => unwrap(await commands.listDashboards()),
    staleTime: 60_000,
  });

export const dashboardQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.dashboard(id),
    queryFn: async () => unwrap(await commands.getDashboard(id)),
    staleTime: 60_000,
  });

/** The metrics the person sees, with their units and series counts. */
export const metricsQuery = () =>
  queryOptions({
    queryKey: queryKeys.metrics,
    queryFn: async () => unwrap(await commands.listMetrics()),
    staleTime: 60_000,
  });

/** What one widget shows for a request. */
export async function fetchWidgetData(request: WidgetRequest): Promise<WidgetData> {
  return unwrap(await commands.widgetData(request));
}

/** Writes a widget's CSV or PNG to Downloads (else home); returns the path written. */
export async function saveWidgetExport(fileName: string, content: WidgetExport): Promise<string> {
  return unwrap(await commands.saveWidgetExport(fileName, content));
}

/** Each call changes a dashboard, puts it in the cache and refreshes the list (the event refreshes other windows). */
function useDashboardChange<I>(call: (input: I) => Promise<Dashboard>) {
  const client = useQueryClient();
  return useCallback(
    async (input: I): Promise<Dashboard> => {
      const dashboard = await call(input);
      client.setQueryData(queryKeys.dashboard(dashboard.id), dashboard);
      await client.invalidateQueries({ queryKey: queryKeys.dashboards });
      return dashboard;
    },
    [client, call],
  );
}

const save = async (input: SaveDashboard) => unwrap(await commands.saveDashboard(input));
const remove = async (input: VersionedId) => unwrap(await commands.deleteDashboard(input));
const restore = async (input: VersionedId) => unwrap(await commands.restoreDashboard(input));

/** Creates a dashboard (no id) or saves one over the version loaded (a Conflict when someone saved since). */
export const useSaveDashboard = () => useDashboardChange(save);
export const useDeleteDashboard = () => useDashboardChange(remove);
export const useRestoreDashboard = () => useDashboardChange(restore);

/** A dashboard as saved now, read afresh (after a Conflict); the list is refreshed too. */
export function useFetchDashboard() {
  const client = useQueryClient();
  return useCallback(
    (id: string) => {
      void client.invalidateQueries({ queryKey: queryKeys.dashboards });
      return client.fetchQuery({ ...dashboardQuery(id), staleTime: 0 });
    },
    [client],
  );
}

/** Refetch every widget's data now. */
export function useRefreshWidgets() {
  const client = useQueryClient();
  return useCallback(() => client.invalidateQueries({ queryKey: queryKeys.widgetData }), [client]);
}
