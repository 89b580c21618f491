// Records for the workflow screens' tests.
import type { ApprovalRequest, Execution, ExecutionDetail, ExecutionStep, WfNotification, WorkflowDetail, WorkflowDocument, WorkflowSummary } from './types';

export const T0 = '2025-01-01T10:00:00Z';

export function makeWorkflow(fields: Partial<WorkflowSummary> & Pick<WorkflowSummary, 'id' | 'name'>): WorkflowSummary {
  return {
    key: null,
    description: null,
    rootId: null,
    rootName: null,
    enabled: true,
    triggerKind: 'manual',
    publishedVersion: 1,
    publishedAt: T0,
    hasUnpublishedChanges: false,
    nextFireAt: null,
    updatedAt: `${fields.id}-v1`,
    deletedAt: null,
    ...fields,
  };
}

const at = (y: number) => ({ name: null, position: { x: 0, y }, retry: null, timeoutMs: null });

/** check → (true) notify, (false) approve → (approved) call. */
export const DOCUMENT: WorkflowDocument = {
  version: 1,
  trigger: { kind: 'manual' },
  nodes: [
    { id: 'check', ...at(0), type: 'condition', config: { filter: { type: ['boiler'] } } },
    { id: 'notify', ...at(120), name: 'Tell ops', type: 'notify', config: { to: ['ops'], message: 'Fault' } },
    { id: 'approve', ...at(240), type: 'approval', config: { title: 'Call the vendor?', approvers: [], capability: 'write', required: 2, deadlineHours: 24, onDeadline: 'rejected' } },
    { id: 'call', ...at(360), type: 'httpRequest', config: { method: 'POST', url: 'https://vendor.example/api', headers: {}, body: null, authSecret: null, signingSecret: null } },
  ],
  edges: [
    { from: 'check', to: 'notify', outcome: 'true' },
    { from: 'check', to: 'approve', outcome: 'false' },
    { from: 'approve', to: 'call', outcome: 'approved' },
  ],
};

export function makeDetail(summary: WorkflowSummary): WorkflowDetail {
  return { summary, draft: DOCUMENT, versions: [] };
}

export function makeExecution(fields: Partial<Execution> & Pick<Execution, 'id'>): Execution {
  return {
    workflowId: 'wf-escalate',
    workflowName: 'Escalate faults',
    versionId: 'ver-1',
    version: 3,
    entityId: 'boiler',
    entityName: 'Boiler 1',
    triggerKind: 'manual',
    triggerData: {},
    initiatedBy: null,
    retryOf: null,
    status: 'succeeded',
    currentNode: null,
    attempt: 1,
    error: null,
    nextRunAt: null,
    claimedBy: null,
    cancelRequested: false,
    startedAt: '2025-01-01T10:00:00Z',
    finishedAt: '2025-01-01T10:00:02.500Z',
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}

export function makeStep(fields: Partial<ExecutionStep> & Pick<ExecutionStep, 'id' | 'nodeId' | 'status'>): ExecutionStep {
  return {
    executionId: 'run-1',
    nodeType: 'condition',
    position: 0,
    attempt: 1,
    outcome: null,
    input: {},
    output: null,
    error: null,
    runner: 'runner-a',
    startedAt: '2025-01-01T10:00:00.000Z',
    finishedAt: '2025-01-01T10:00:00.250Z',
    ...fields,
  };
}

export function makeApproval(fields: Partial<ApprovalRequest> & Pick<ApprovalRequest, 'id'>): ApprovalRequest {
  return {
    executionId: 'run-1',
    workflowName: 'Escalate faults',
    nodeId: 'approve',
    entityId: 'boiler',
    entityName: 'Boiler 1',
    title: 'Call the vendor?',
    required: 2,
    approverIds: [],
    capability: 'write',
    initiatorId: null,
    deadlineAt: '2025-01-02T10:00:00Z',
    onDeadline: 'rejected',
    status: 'pending',
    decidedAt: null,
    createdAt: T0,
    votes: [],
    canVote: true,
    ...fields,
  };
}

export function makeExecutionDetail(execution: Execution, steps: ExecutionStep[] = [], approvals: ApprovalRequest[] = []): ExecutionDetail {
  return { execution, steps, document: DOCUMENT, approvals };
}

export function makeNotification(fields: Partial<WfNotification> & Pick<WfNotification, 'id' | 'message'>): WfNotification {
  return { entityId: null, executionId: null, readAt: null, createdAt: T0, ...fields };
}
