// Alerts: the open counts for the window's badge, the open alerts, the alerts
// of one entity, raising, acknowledging and resolving them; and importing
// readings from a file (a background job followed by the jobs panel).
import { queryOptions } from '@tanstack/react-query';
import { useCallback } from 'react';
import { commands, type Alert, type ImportStarted, type OnBadRows, type RaiseAlert } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import { queryKeys } from '../../shared/queryKeys';

/** Open alerts by status and level. */
export const alertCountsQuery = () =>
  queryOptions({
    queryKey: queryKeys.alertCounts,
    queryFn: async () => unwrap(await commands.alertCounts()),
    staleTime: 30_000,
  });

/** The newest open alerts (pending and acknowledged) the person sees. */
export const openAlertsQuery = (limit = 20) =>
  queryOptions({
    queryKey: queryKeys.alertList(null, `open:${limit}`),
    queryFn: async () => unwrap(await commands.listAlerts({ statuses: [], entityId: null, subtree: false, limit })),
    staleTime: 30_000,
  });

/** The open alerts of one entity (pending and acknowledged), newest first. */
export const entityAlertsQuery = (entityId: string) =>
  queryOptions({
    queryKey: queryKeys.alertList(entityId, 'entity'),
    queryFn: async () => unwrap(await commands.listAlerts({ statuses: [], entityId, subtree: false, limit: 50 })),
    staleTime: 30_000,
  });

/** Each call changes an alert and refreshes the counts, the lists and the widgets at once. */
function useAlertChange<I>(call: (input: I) => Promise<Alert>) {
  const applier = useChangeApplier();
  return useCallback(
    async (input: I): Promise<Alert> => {
      const alert = await call(input);
      applier.applyLocal({ kind: 'alertsChanged', entityId: alert.entityId });
      return alert;
    },
    [applier, call],
  );
}

const raise = async (input: RaiseAlert) => unwrap(await commands.raiseAlert(input));
const acknowledge = async (alert: Alert) => unwrap(await commands.acknowledgeAlert({ id: alert.id, expectedUpdatedAt: alert.updatedAt }));
const resolve = async (alert: Alert) => unwrap(await commands.resolveAlert({ id: alert.id, expectedUpdatedAt: alert.updatedAt }));

export const useRaiseAlert = () => useAlertChange(raise);
/** Acknowledges the alert as loaded (a Conflict when it changed since). */
export const useAcknowledgeAlert = () => useAlertChange(acknowledge);
/** Resolves the alert as loaded (a Conflict when it changed since). */
export const useResolveAlert = () => useAlertChange(resolve);

/** Starts importing readings from a CSV or JSON file; progress arrives as job events. */
export async function importReadings(path: string, onBadRows: OnBadRows): Promise<ImportStarted> {
  return unwrap(await commands.importReadings(path, onBadRows));
}
