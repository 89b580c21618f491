// The workflow screens' tests replace './api' with this: the real query keys
// and refresh rules, with every backend call a mock the test sets up and checks.
//
//   vi.mock('./api', async (importOriginal) => (await import('./fakeWorkflowsApi')).fakeWorkflowsApi(await importOriginal()));
import { vi } from 'vitest';
import type * as Api from './api';
import type { ApprovalRequest, Execution, ExecutionDetail, ExecutionFilter, WfNotification, WorkflowDetail, WorkflowSummary } from './types';

const missing = (what: string) => () => Promise.reject(new Error(`the test gave no ${what}`));

/** The backend calls the screens make; a test sets their answers and reads their calls. */
export const workflowCalls = {
  listWorkflows: vi.fn(async (): Promise<WorkflowSummary[]> => []),
  getWorkflow: vi.fn<(id: string) => Promise<WorkflowDetail>>(missing('workflow')),
  listExecutions: vi.fn(async (_filter: ExecutionFilter): Promise<Execution[]> => []),
  getExecution: vi.fn<(id: string) => Promise<ExecutionDetail>>(missing('run')),
  listApprovals: vi.fn(async (_pendingOnly: boolean): Promise<ApprovalRequest[]> => []),
  listNotifications: vi.fn(async (): Promise<WfNotification[]> => []),
  createWorkflow: vi.fn<(input: Api.NewWorkflow) => Promise<WorkflowDetail>>(missing('created workflow')),
  deleteWorkflow: vi.fn<(input: Api.VersionedWorkflow) => Promise<WorkflowSummary>>(missing('deleted workflow')),
  restoreWorkflow: vi.fn<(input: Api.VersionedWorkflow) => Promise<WorkflowSummary>>(missing('restored workflow')),
  runWorkflow: vi.fn(async (_input: Api.RunWorkflowInput): Promise<Execution[]> => []),
  cancelExecution: vi.fn<(id: string) => Promise<Execution>>(missing('cancelled run')),
  retryExecution: vi.fn<(input: { id: string; from: Api.RetryFrom }) => Promise<Execution>>(missing('retried run')),
  voteApproval: vi.fn<(vote: Api.Vote) => Promise<ApprovalRequest>>(missing('voted request')),
  markNotificationsRead: vi.fn(async (ids: string[]): Promise<number> => ids.length),
};

export function fakeWorkflowsApi(actual: typeof Api): typeof Api {
  const calls = workflowCalls;
  return {
    ...actual,
    workflowsQuery: () => ({ ...actual.workflowsQuery(), queryFn: () => calls.listWorkflows() }),
    workflowQuery: (id) => ({ ...actual.workflowQuery(id), queryFn: () => calls.getWorkflow(id) }),
    executionsQuery: (filter) => ({ ...actual.executionsQuery(filter), queryFn: () => calls.listExecutions(filter) }),
    executionQuery: (id) => ({ ...actual.executionQuery(id), queryFn: () => calls.getExecution(id) }),
    approvalsQuery: (pendingOnly) => ({ ...actual.approvalsQuery(pendingOnly), queryFn: () => calls.listApprovals(pendingOnly) }),
    notificationsQuery: () => ({ ...actual.notificationsQuery(), queryFn: () => calls.listNotifications() }),
    useCreateWorkflow: () => calls.createWorkflow,
    useDeleteWorkflow: () => calls.deleteWorkflow,
    useRestoreWorkflow: () => calls.restoreWorkflow,
    useRunWorkflow: () => calls.runWorkflow,
    useCancelExecution: () => calls.cancelExecution,
    useRetryExecution: () => calls.retryExecution,
    useVoteApproval: () => calls.voteApproval,
    useMarkNotificationsRead: () => calls.markNotificationsRead,
  };
}

/** Forgets the calls and the answers set by the last test (back to the defaults above). */
export function resetWorkflowCalls() {
  for (const call of Object.values(workflowCalls)) call.mockReset();
}
