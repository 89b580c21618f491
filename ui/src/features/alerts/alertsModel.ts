// Pure helpers for showing alerts: colours by level, the badge's number and
// tone, and the words for an alert's state.
import type { Alert, AlertCounts, AlertLevel, AlertStatus } from '../../bindings';

export const LEVEL_COLOR: Record<AlertLevel, string> = { info: 'blue', warning: 'orange', critical: 'red' };
export const LEVEL_LABEL: Record<AlertLevel, string> = { info: 'Info', warning: 'Warning', critical: 'Critical' };
export const STATUS_LABEL: Record<AlertStatus, string> = { pending: 'Open', acknowledged: 'Acknowledged', resolved: 'Resolved' };

/** Open alerts: pending and acknowledged. */
export function openCount(counts: AlertCounts): number {
  return counts.pending + counts.acknowledged;
}

/** The badge's colour: red with a critical alert open, orange with one pending, else grey. */
export function badgeColor(counts: AlertCounts): string {
  if (counts.critical > 0) return 'red';
  if (counts.pending > 0) return 'orange';
  return 'gray';
}

/** "No open alerts", "1 open alert (1 critical)", "5 open alerts (2 pending)". */
export function countsLabel(counts: AlertCounts): string {
  const open = openCount(counts);
  if (open === 0) return 'No open alerts';
  const parts: string[] = [];
  if (counts.critical > 0) parts.push(`${counts.critical} critical`);
  if (counts.pending > 0 && counts.pending !== open) parts.push(`${counts.pending} pending`);
  const head = `${open} open ${open === 1 ? 'alert' : 'alerts'}`;
  return parts.length > 0 ? `${head} (${parts.join(', ')})` : head;
}

/** What may be done to an alert now. */
export function alertActions(alert: Pick<Alert, 'status'>): { acknowledge: boolean; resolve: boolean } {
  return { acknowledge: alert.status === 'pending', resolve: alert.status !== 'resolved' };
}
