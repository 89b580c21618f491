// Workflows and a fake backend for the editor's tests.
import { vi } from 'vitest';
import type { TestRun, WfValidationError, WorkflowDetail, WorkflowDiff, WorkflowDocument, WorkflowNode, WorkflowVersionInfo } from '../types';
import type { EditorApi } from './editorApi';

export const T0 = '2026-12-01T10:00:00.000000Z';
export const T1 = '2026-12-01T10:05:00.000000Z';

export function step(node: Partial<WorkflowNode> & Pick<WorkflowNode, 'id' | 'type' | 'config'>): WorkflowNode {
  return { name: null, position: { x: 0, y: 0 }, retry: null, timeoutMs: null, ...node } as WorkflowNode;
}

/** Tag an updated entity, then ask for approval; approved goes to a webhook. */
export function sampleDocument(): WorkflowDocument {
  return {
    version: 1,
    trigger: { kind: 'entityEvent', events: ['updated'], properties: [], filter: null, includeWorkflowChanges: false },
    nodes: [
      step({ id: 'tag', type: 'addTag', config: { tag: 'review' }, position: { x: 0, y: 0 } }),
      step({
        id: 'ask',
        name: 'Ask the manager',
        type: 'approval',
        config: { title: 'Approve', approvers: [], capability: 'write', required: 1, deadlineHours: null, onDeadline: 'rejected' },
        position: { x: 0, y: 120 },
      }),
      step({
        id: 'hook',
        type: 'httpRequest',
        config: { method: 'POST', url: 'https://example.com/hook', headers: {}, body: null, authSecret: null, signingSecret: null },
        position: { x: 0, y: 240 },
      }),
    ],
    edges: [
      { from: 'tag', to: 'ask', outcome: null },
      { from: 'ask', to: 'hook', outcome: 'approved' },
    ],
  };
}

export function version(n: number): WorkflowVersionInfo {
  return { id: `ver-${n}`, workflowId: 'wf-1', version: n, publishedBy: 'person-ada', publishedByName: 'Ada Lovelace', publishedAt: T0 };
}

export function makeDetail(over: { draft?: WorkflowDocument; versions?: WorkflowVersionInfo[]; summary?: Partial<WorkflowDetail['summary']> } = {}): WorkflowDetail {
  return {
    summary: {
      id: 'wf-1',
      key: null,
      name: 'Review updates',
      description: null,
      rootId: 'site',
      rootName: 'Site A',
      enabled: false,
      triggerKind: 'entityEvent',
      publishedVersion: null,
      publishedAt: null,
      hasUnpublishedChanges: true,
      nextFireAt: null,
      updatedAt: T0,
      deletedAt: null,
      ...over.summary,
    },
    draft: over.draft ?? sampleDocument(),
    versions: over.versions ?? [],
  };
}

const EMPTY_DIFF: WorkflowDiff = { triggerChanged: false, addedNodes: [], removedNodes: [], changedNodes: [], addedEdges: [], removedEdges: [] };

/** An API whose every call succeeds with a plausible answer; `over` replaces some answers. Every call is a mock to inspect. */
export function fakeApi(over: Partial<EditorApi> = {}) {
  return {
    save: vi.fn<EditorApi['save']>(
      over.save ?? (async (input) => makeDetail({ draft: input.draft, summary: { name: input.name, description: input.description, updatedAt: T1 } })),
    ),
    check: vi.fn<EditorApi['check']>(over.check ?? (async (): Promise<WfValidationError[]> => [])),
    publish: vi.fn<EditorApi['publish']>(
      over.publish ?? (async () => makeDetail({ versions: [version(1)], summary: { publishedVersion: 1, hasUnpublishedChanges: false, updatedAt: T1 } })),
    ),
    setEnabled: vi.fn<EditorApi['setEnabled']>(over.setEnabled ?? (async (input) => makeDetail({ summary: { enabled: input.enabled, updatedAt: T1 } }))),
    testRun: vi.fn<EditorApi['testRun']>(over.testRun ?? (async (): Promise<TestRun> => ({ steps: [], finished: true, note: null }))),
    version: vi.fn<EditorApi['version']>(over.version ?? (async (id) => ({ info: version(Number(id.replace('ver-', ''))), document: sampleDocument() }))),
    diff: vi.fn<EditorApi['diff']>(over.diff ?? (async () => EMPTY_DIFF)),
  };
}
