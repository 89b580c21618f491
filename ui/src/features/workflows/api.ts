// Workflows: the list, one workflow (draft and published versions), creating,
// saving, checking, publishing, enabling, deleting and restoring one, test
// runs in the sandbox, starting runs; the runs (executions) with their steps,
// cancelling and retrying them; approval requests and votes; notifications.
// Runs change without events, so the run reads poll while a run is active.
import { queryOptions, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { commands } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { queryKeys } from '../../shared/queryKeys';
import type { EditorApi } from './editor/editorApi';
import type {
  ApprovalRequest,
  Execution,
  ExecutionDetail,
  ExecutionFilter,
  TestRun,
  VoteDecision,
  WfNotification,
  WfValidationError,
  WorkflowDetail,
  WorkflowDiff,
  WorkflowDocument,
  WorkflowSummary,
  WorkflowVersionInfo,
} from './types';
import { isActive } from './workflowsModel';

/**
 * Rust serialises every field of these records (defaults included), while the
 * generated types mark defaulted fields optional; the workflow types of this
 * feature state them as they arrive.
 */
function asSent<T>(value: unknown): T {
  return value as T;
}

/** How often run reads refresh while a run is queued, running or waiting. */
export const RUN_POLL_MS = 2_000;
/** How often the approvals inbox and the notifications refresh (they come from runs, which send no events). */
export const INBOX_POLL_MS = 15_000;

export type RetryFrom = 'failedStep' | 'trigger';
export type VersionedWorkflow = { id: string; expectedUpdatedAt: string };
export type NewWorkflow = { name: string; rootId: string | null; key: string | null; description: string | null };
export type SaveWorkflowDraft = { id: string; expectedUpdatedAt: string; name: string; description: string | null; draft: WorkflowDocument };
export type SetWorkflowEnabled = { id: string; expectedUpdatedAt: string; enabled: boolean };
export type TestRunInput = { document: WorkflowDocument; entityId: string | null };
export type RunWorkflowInput = { workflowId: string; entityIds: string[]; viewKey: string | null };
export type Vote = { requestId: string; decision: VoteDecision; comment: string | null };
export type PublishedVersion = { info: WorkflowVersionInfo; document: WorkflowDocument };

// ---- reads ----

export const workflowsQuery = () =>
  queryOptions({
    queryKey: queryKeys.workflows,
    queryFn: async (): Promise<WorkflowSummary[]> => unwrap(await commands.listWorkflows()),
    staleTime: 60_000,
  });

export const workflowQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.workflow(id),
    queryFn: async (): Promise<WorkflowDetail> => asSent<WorkflowDetail>(unwrap(await commands.getWorkflow(id))),
    staleTime: 60_000,
  });

/** The runs matching a filter, newest first; refreshed every 2 s while one of them is active. */
export const executionsQuery = (filter: ExecutionFilter) =>
  queryOptions({
    queryKey: queryKeys.executions(JSON.stringify(filter)),
    queryFn: async (): Promise<Execution[]> => unwrap(await commands.listExecutions(filter)),
    refetchInterval: (query) => (query.state.data?.some((run) => isActive(run.status)) ? RUN_POLL_MS : false),
  });

/** One run with its steps, its document and its approvals; refreshed every 2 s until it is final. */
export const executionQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.execution(id),
    queryFn: async (): Promise<ExecutionDetail> => asSent<ExecutionDetail>(unwrap(await commands.getExecution(id))),
    refetchInterval: (query) => {
      const detail = query.state.data;
      return detail !== undefined && isActive(detail.execution.status) ? RUN_POLL_MS : false;
    },
  });

/** The approval requests the person sees: only the pending ones, or the decided ones too. */
export const approvalsQuery = (pendingOnly: boolean) =>
  queryOptions({
    queryKey: queryKeys.approvals(pendingOnly),
    queryFn: async (): Promise<ApprovalRequest[]> => unwrap(await commands.listApprovals(pendingOnly)),
    refetchInterval: INBOX_POLL_MS,
  });

export const notificationsQuery = () =>
  queryOptions({
    queryKey: queryKeys.notifications,
    queryFn: async (): Promise<WfNotification[]> => unwrap(await commands.listNotifications()),
    refetchInterval: INBOX_POLL_MS,
  });

// ---- the editor's calls ----

/** What the workflow editor calls: saving the draft, checking, publishing, enabling, test runs, versions and diffs. */
export const editorApi: EditorApi = {
  /** Saves the draft over the version loaded (a Conflict when someone saved since). */
  save: async (input: SaveWorkflowDraft): Promise<WorkflowDetail> => asSent<WorkflowDetail>(unwrap(await commands.saveWorkflowDraft(input))),
  /** Every problem of a document; none means it can be published. */
  check: async (document: WorkflowDocument): Promise<WfValidationError[]> => unwrap(await commands.checkWorkflow(asSent<Parameters<typeof commands.checkWorkflow>[0]>(document))),
  /** Publishes the saved draft as a new immutable version. */
  publish: async (input: VersionedWorkflow): Promise<WorkflowDetail> => asSent<WorkflowDetail>(unwrap(await commands.publishWorkflow(input))),
  setEnabled: async (input: SetWorkflowEnabled): Promise<WorkflowDetail> => asSent<WorkflowDetail>(unwrap(await commands.setWorkflowEnabled(input))),
  /** Runs a document in the sandbox: nothing is written. */
  testRun: async (input: TestRunInput): Promise<TestRun> => asSent<TestRun>(unwrap(await commands.testRunWorkflow(input))),
  version: async (versionId: string): Promise<PublishedVersion> => asSent<PublishedVersion>(unwrap(await commands.workflowVersion(versionId))),
  /** What changed between two published versions (by version id). */
  diff: async (from: string, to: string): Promise<WorkflowDiff> => asSent<WorkflowDiff>(unwrap(await commands.diffWorkflowVersions(from, to))),
};

/** Puts a changed workflow in the cache and refreshes the list. */
async function storeWorkflow(client: QueryClient, detail: WorkflowDetail): Promise<WorkflowDetail> {
  client.setQueryData(queryKeys.workflow(detail.summary.id), detail);
  await client.invalidateQueries({ queryKey: queryKeys.workflows });
  return detail;
}

/** The editor's calls, with each change put in the cache and the list refreshed. */
export function useEditorApi(): EditorApi {
  const client = useQueryClient();
  return useMemo(
    () => ({
      ...editorApi,
      save: async (input: SaveWorkflowDraft) => storeWorkflow(client, await editorApi.save(input)),
      publish: async (input: VersionedWorkflow) => storeWorkflow(client, await editorApi.publish(input)),
      setEnabled: async (input: SetWorkflowEnabled) => storeWorkflow(client, await editorApi.setEnabled(input)),
    }),
    [client],
  );
}

// ---- writes ----

/** Creates a workflow with an empty draft; it is put in the cache and the list refreshed. */
export function useCreateWorkflow() {
  const client = useQueryClient();
  return useCallback(async (input: NewWorkflow) => storeWorkflow(client, asSent<WorkflowDetail>(unwrap(await commands.createWorkflow(input)))), [client]);
}

/** Each call deletes or restores a workflow as loaded (a Conflict when it changed since) and refreshes the workflows. */
function useWorkflowLifecycle(call: (input: VersionedWorkflow) => Promise<WorkflowSummary>) {
  const client = useQueryClient();
  return useCallback(
    async (input: VersionedWorkflow): Promise<WorkflowSummary> => {
      const summary = await call(input);
      await client.invalidateQueries({ queryKey: queryKeys.allWorkflows });
      return summary;
    },
    [client, call],
  );
}

const remove = async (input: VersionedWorkflow): Promise<WorkflowSummary> => unwrap(await commands.deleteWorkflow(input));
const restore = async (input: VersionedWorkflow): Promise<WorkflowSummary> => unwrap(await commands.restoreWorkflow(input));

export const useDeleteWorkflow = () => useWorkflowLifecycle(remove);
export const useRestoreWorkflow = () => useWorkflowLifecycle(restore);

/** Each call changes runs and refreshes every run read (lists and single runs). */
function useRunChange<I, O>(call: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useCallback(
    async (input: I): Promise<O> => {
      const result = await call(input);
      await client.invalidateQueries({ queryKey: queryKeys.allExecutions });
      return result;
    },
    [client, call],
  );
}

const run = async (input: RunWorkflowInput): Promise<Execution[]> => unwrap(await commands.runWorkflow(input));
const cancel = async (id: string): Promise<Execution> => unwrap(await commands.cancelExecution(id));
const retry = async (input: { id: string; from: RetryFrom }): Promise<Execution> => unwrap(await commands.retryExecution(input));

/** Starts the published version on entities (or a saved view's rows); one run each. */
export const useRunWorkflow = () => useRunChange(run);
/** Asks a run to stop. */
export const useCancelExecution = () => useRunChange(cancel);
/** Starts a new run of a failed or cancelled one, from its failed step or from the trigger. */
export const useRetryExecution = () => useRunChange(retry);

/** Votes on an approval request; the inbox and the runs (which may move on) are refreshed. */
export function useVoteApproval() {
  const client = useQueryClient();
  return useCallback(
    async (vote: Vote): Promise<ApprovalRequest> => {
      const request: ApprovalRequest = unwrap(await commands.voteApproval(vote));
      await Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.allApprovals }),
        client.invalidateQueries({ queryKey: queryKeys.allExecutions }),
      ]);
      return request;
    },
    [client],
  );
}

/** Marks notifications read; returns how many were. */
export function useMarkNotificationsRead() {
  const client = useQueryClient();
  return useCallback(
    async (ids: string[]): Promise<number> => {
      const marked: number = unwrap(await commands.markNotificationsRead(ids));
      await client.invalidateQueries({ queryKey: queryKeys.notifications });
      return marked;
    },
    [client],
  );
}
