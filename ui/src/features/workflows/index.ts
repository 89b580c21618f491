// What the rest of the app uses of workflows: the screen, and the header's
// notifications bell.
export { NotificationsBell } from './NotificationsBell';
export { WorkflowsScreen, type WorkflowsTabName } from './WorkflowsScreen';
