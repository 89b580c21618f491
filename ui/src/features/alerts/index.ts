// What the rest of the app uses of alerts: the toolbar's badge, an entity's
// alerts for its detail pane, and the dialog that imports readings.
export { AlertsBadge } from './AlertsBadge';
export { EntityAlerts } from './EntityAlerts';
export { ImportReadingsDialog } from './ImportReadingsDialog';
