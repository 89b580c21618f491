import type { TestRun, WfValidationError, WorkflowDetail, WorkflowDiff, WorkflowDocument, WorkflowVersionInfo } from '../types';

/** What the workflow editor asks of the backend. */
export interface EditorApi {
  save(input: { id: string; expectedUpdatedAt: string; name: string; description: string | null; draft: WorkflowDocument }): Promise<WorkflowDetail>;
  check(document: WorkflowDocument): Promise<WfValidationError[]>;
  publish(input: { id: string; expectedUpdatedAt: string }): Promise<WorkflowDetail>;
  setEnabled(input: { id: string; expectedUpdatedAt: string; enabled: boolean }): Promise<WorkflowDetail>;
  testRun(input: { document: WorkflowDocument; entityId: string | null }): Promise<TestRun>;
  version(versionId: string): Promise<{ info: WorkflowVersionInfo; document: WorkflowDocument }>;
  diff(from: string, to: string): Promise<WorkflowDiff>;
}
