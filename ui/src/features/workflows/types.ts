// The workflow records and the document as the backend sends them: every
// field present (the generated bindings mark fields with a default optional,
// since the backend accepts them absent). `api.ts` is the one place that
// passes between the two.
import type { Filter, Rule } from '../../bindings';

type JsonValue = unknown;

// ---- the document ----

export type WorkflowDocument = { version: number; trigger: Trigger; nodes: WorkflowNode[]; edges: WorkflowEdge[] };

export type Trigger =
  | { kind: 'manual' }
  | { kind: 'entityEvent'; events: EntityEventKind[]; properties: string[]; filter: Filter | null; includeWorkflowChanges: boolean }
  | { kind: 'schedule'; cron: string; timeZone: string }
  | { kind: 'alertRaised'; levels: string[]; filter: Filter | null };

export type EntityEventKind = 'created' | 'updated' | 'deleted' | 'moved' | 'propertyChanged';

export type Position = { x: number; y: number };

export type RetryPolicy = { maxAttempts: number; backoffMs: number; factor: number; maxBackoffMs: number };

export type DeadlineOutcome = 'approved' | 'rejected' | 'failed';

export type WorkflowNode = { id: string; name: string | null; position: Position; retry: RetryPolicy | null; timeoutMs: number | null } & NodeKind;

export type NodeKind =
  | { type: 'condition'; config: { filter: Filter } }
  | { type: 'setProperty'; config: { property: string; value: string | null } }
  | { type: 'addTag'; config: { tag: string } }
  | { type: 'removeTag'; config: { tag: string } }
  | { type: 'createChild'; config: { typeKey: string; name: string } }
  | { type: 'move'; config: { parent: string } }
  | { type: 'raiseAlert'; config: { level: string; message: string } }
  | { type: 'resolveAlert'; config: { alert: string | null } }
  | {
      type: 'httpRequest';
      config: { method: string; url: string; headers: Record<string, string>; body: string | null; authSecret: string | null; signingSecret: string | null };
    }
  | {
      type: 'approval';
      config: { title: string; approvers: string[]; capability: string | null; required: number; deadlineHours: number | null; onDeadline: DeadlineOutcome };
    }
  | { type: 'delay'; config: { seconds: number } }
  | { type: 'notify'; config: { to: string[]; message: string } }
  | { type: 'loop'; config: { maxIterations: number } };

/** `outcome` null means "done". */
export type WorkflowEdge = { from: string; to: string; outcome: string | null };

// ---- records ----

export type WorkflowSummary = {
  id: string;
  key: string | null;
  name: string;
  description: string | null;
  rootId: string | null;
  rootName: string | null;
  enabled: boolean;
  triggerKind: string | null;
  publishedVersion: number | null;
  publishedAt: string | null;
  hasUnpublishedChanges: boolean;
  nextFireAt: string | null;
  updatedAt: string;
  deletedAt: string | null;
};

export type WorkflowVersionInfo = { id: string; workflowId: string; version: number; publishedBy: string; publishedByName: string; publishedAt: string };

export type WorkflowDetail = { summary: WorkflowSummary; draft: WorkflowDocument; versions: WorkflowVersionInfo[] };

/** A problem of a document; `field` is a path such as "nodes[2].config.url" or "trigger.events". */
export type WfValidationError = { field: string | null; rule: Rule; message: string };

export type ExecutionStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';

export type Execution = {
  id: string;
  workflowId: string;
  workflowName: string;
  versionId: string;
  version: number;
  entityId: string | null;
  entityName: string | null;
  triggerKind: string;
  triggerData: JsonValue;
  initiatedBy: string | null;
  retryOf: string | null;
  status: ExecutionStatus;
  currentNode: string | null;
  attempt: number;
  error: string | null;
  nextRunAt: string | null;
  claimedBy: string | null;
  cancelRequested: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export type StepStatus = 'succeeded' | 'failed' | 'waiting' | 'skipped';

export type ExecutionStep = {
  id: string;
  executionId: string;
  nodeId: string;
  nodeType: string;
  position: number;
  attempt: number;
  status: StepStatus;
  outcome: string | null;
  input: JsonValue;
  output: JsonValue | null;
  error: string | null;
  runner: string | null;
  startedAt: string;
  finishedAt: string | null;
};

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';

export type VoteDecision = 'approve' | 'reject';

export type ApprovalVote = { userId: string; userName: string; decision: VoteDecision; comment: string | null; createdAt: string };

export type ApprovalRequest = {
  id: string;
  executionId: string;
  workflowName: string;
  nodeId: string;
  entityId: string | null;
  entityName: string | null;
  title: string;
  required: number;
  approverIds: string[];
  capability: string | null;
  initiatorId: string | null;
  deadlineAt: string | null;
  onDeadline: string;
  status: ApprovalStatus;
  decidedAt: string | null;
  createdAt: string;
  votes: ApprovalVote[];
  canVote: boolean;
};

export type WfNotification = { id: string; message: string; entityId: string | null; executionId: string | null; readAt: string | null; createdAt: string };

export type ExecutionDetail = { execution: Execution; steps: ExecutionStep[]; document: WorkflowDocument; approvals: ApprovalRequest[] };

export type WorkflowDiff = {
  triggerChanged: boolean;
  addedNodes: string[];
  removedNodes: string[];
  changedNodes: string[];
  addedEdges: WorkflowEdge[];
  removedEdges: WorkflowEdge[];
};

export type TestStep = { nodeId: string; nodeType: string; outcome: string | null; input: JsonValue; output: JsonValue | null; error: string | null };

/** A sandboxed run: nothing is written; an httpRequest step's output is the request it would send. */
export type TestRun = { steps: TestStep[]; finished: boolean; note: string | null };

export type ExecutionFilter = { workflowId: string | null; statuses: ExecutionStatus[]; entityId: string | null; limit: number | null };
