// What the workflow screens show of runs, steps and approvals: colours and
// labels by status, durations, each node's latest step, vote counts.
import type { ApprovalRequest, ApprovalStatus, Execution, ExecutionStatus, ExecutionStep, StepStatus, WorkflowNode } from './types';

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'];

export const EXECUTION_STATUS_LABEL: Record<ExecutionStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  waiting: 'Waiting',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const EXECUTION_STATUS_COLOR: Record<ExecutionStatus, string> = {
  queued: 'gray',
  running: 'blue',
  waiting: 'yellow',
  succeeded: 'teal',
  failed: 'red',
  cancelled: 'dark',
};

/** A node of a run's graph: its latest step's status, or "notRun". */
export type NodeRunState = StepStatus | 'notRun';

export const NODE_STATE_LABEL: Record<NodeRunState, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  waiting: 'Waiting',
  skipped: 'Skipped',
  notRun: 'Not run',
};

export const NODE_STATE_COLOR: Record<NodeRunState, string> = {
  succeeded: 'teal',
  failed: 'red',
  waiting: 'yellow',
  skipped: 'gray',
  notRun: 'gray',
};

export const APPROVAL_STATUS_COLOR: Record<ApprovalStatus, string> = {
  pending: 'yellow',
  approved: 'teal',
  rejected: 'red',
  expired: 'gray',
  cancelled: 'dark',
};

export const NODE_TYPE_LABEL: Record<WorkflowNode['type'], string> = {
  condition: 'Condition',
  setProperty: 'Set property',
  addTag: 'Add tag',
  removeTag: 'Remove tag',
  createChild: 'Create child',
  move: 'Move',
  raiseAlert: 'Raise alert',
  resolveAlert: 'Resolve alert',
  httpRequest: 'HTTP request',
  approval: 'Approval',
  delay: 'Delay',
  notify: 'Notify',
  loop: 'Loop',
};

/** The name a node shows: its own, else its type's. */
export function nodeLabel(node: WorkflowNode): string {
  return node.name ?? NODE_TYPE_LABEL[node.type];
}

export const TRIGGER_LABEL: Record<string, string> = {
  manual: 'Manual',
  entityEvent: 'Entity event',
  schedule: 'Schedule',
  alertRaised: 'Alert raised',
};

/** "Entity event" for a trigger kind; "No trigger" for none. */
export function triggerLabel(kind: string | null): string {
  if (kind === null) return 'No trigger';
  return TRIGGER_LABEL[kind] ?? kind;
}

const ACTIVE_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['queued', 'running', 'waiting']);

/** A run that has not finished yet (it may still change). */
export function isActive(status: ExecutionStatus): boolean {
  return ACTIVE_STATUSES.has(status);
}

/** A run that can be cancelled: it has not finished and no cancel was asked for. */
export function canCancel(run: Execution): boolean {
  return isActive(run.status) && !run.cancelRequested;
}

/** A run that can be retried: it failed or was cancelled. */
export function canRetry(run: Execution): boolean {
  return run.status === 'failed' || run.status === 'cancelled';
}

/** Milliseconds between two instants, or null when either is missing or unparsable. */
export function durationMs(startedAt: string | null, finishedAt: string | null): number | null {
  if (startedAt === null || finishedAt === null) return null;
  const ms = new Date(finishedAt).getTime() - new Date(startedAt).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** "850 ms", "12.3 s", "4 min 5 s", "2 h 3 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.floor(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Every step of one node, in the order they ran. */
export function stepsOfNode(steps: readonly ExecutionStep[], nodeId: string): ExecutionStep[] {
  return steps.filter((step) => step.nodeId === nodeId).sort((a, b) => a.position - b.position || a.attempt - b.attempt);
}

/** Each node's state: the status of the last step that ran it. */
export function nodeStates(steps: readonly ExecutionStep[]): Map<string, StepStatus> {
  const latest = new Map<string, ExecutionStep>();
  for (const step of steps) {
    const before = latest.get(step.nodeId);
    if (!before || step.position > before.position || (step.position === before.position && step.attempt > before.attempt)) {
      latest.set(step.nodeId, step);
    }
  }
  return new Map([...latest].map(([nodeId, step]) => [nodeId, step.status]));
}

/** Votes to approve so far. */
export function approveCount(request: ApprovalRequest): number {
  return request.votes.filter((vote) => vote.decision === 'approve').length;
}

/** A JSON value as indented text. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}

