import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SavedView } from '../../bindings';
import { makeNode, renderWithProviders, T0 } from '../../test/fixtures';
import { resetWorkflowCalls, workflowCalls as calls } from './fakeWorkflowsApi';
import { makeDetail, makeExecution, makeExecutionDetail, makeWorkflow } from './workflowFixtures';
import { WorkflowsScreen } from './WorkflowsScreen';

vi.mock('./api', async (importOriginal) => (await import('./fakeWorkflowsApi')).fakeWorkflowsApi(await importOriginal()));

// The editor has its own tests: here it only shows what it was given.
vi.mock('./editor/WorkflowEditor', async () => {
  const { createElement } = await import('react');
  return {
    WorkflowEditor: ({ detail }: { detail: { summary: { name: string } } }) => createElement('div', { 'data-testid': 'fake-editor' }, detail.summary.name),
  };
});

// The picker searches the registry; here a button picks the boiler.
vi.mock('../links', async () => {
  const { createElement } = await import('react');
  return {
    EntityPicker: ({ testId, onPick }: { testId: string; onPick: (node: { id: string; name: string }) => void }) =>
      createElement('button', { type: 'button', 'data-testid': testId, onClick: () => onPick({ id: 'boiler', name: 'Boiler 1' }) }, 'Pick Boiler 1'),
  };
});

const roots = vi.hoisted(() => ({ list: [] as unknown[] }));
vi.mock('../tree/api', () => ({ rootsQuery: () => ({ queryKey: ['roots'], queryFn: async () => roots.list }) }));

const views = vi.hoisted(() => ({ list: [] as unknown[] }));
vi.mock('../views', () => ({ savedViewsQuery: () => ({ queryKey: ['views', 'saved'], queryFn: async () => views.list }) }));

const escalate = makeWorkflow({ id: 'wf-escalate', name: 'Escalate faults', rootId: 'site', rootName: 'North Campus', triggerKind: 'entityEvent', publishedVersion: 3 });
const nightly = makeWorkflow({ id: 'wf-nightly', name: 'Nightly report', triggerKind: 'schedule', publishedVersion: null, enabled: false, hasUnpublishedChanges: true });

const faultsView: SavedView = {
  id: 'view-faults',
  key: 'faults',
  name: 'Faults',
  description: null,
  viewType: 'table',
  ownerUserId: null,
  rootEntityId: null,
  config: {},
  createdAt: T0,
  updatedAt: T0,
  deletedAt: null,
};

function renderScreen() {
  const user = userEvent.setup();
  renderWithProviders(<WorkflowsScreen />);
  return { user };
}

async function pick(user: ReturnType<typeof userEvent.setup>, testId: string, option: string) {
  await user.click(screen.getByTestId(testId));
  await user.click(await screen.findByRole('option', { name: option }));
}

beforeEach(() => {
  resetWorkflowCalls();
  calls.listWorkflows.mockResolvedValue([escalate, nightly]);
  calls.getWorkflow.mockImplementation(async (id) => makeDetail(id === nightly.id ? nightly : escalate));
  roots.list = [makeNode({ id: 'site', name: 'North Campus' })];
  views.list = [faultsView, { ...faultsView, id: 'view-nokey', key: null, name: 'No key' }];
});

describe('WorkflowsScreen: workflows', { timeout: 20_000 }, () => {
  it('lists the workflows with their root, trigger, published version and state', async () => {
    renderScreen();
    const row = await screen.findByTestId('workflow-row-wf-escalate');
    expect(row).toHaveTextContent('Escalate faults');
    expect(row).toHaveTextContent('North Campus');
    expect(row).toHaveTextContent('Entity event');
    expect(screen.getByTestId('workflow-published-wf-escalate')).toHaveTextContent('v3');
    expect(screen.getByTestId('workflow-enabled-wf-escalate')).toHaveTextContent('Enabled');
    expect(screen.queryByTestId('workflow-unpublished-wf-escalate')).toBeNull();

    const other = screen.getByTestId('workflow-row-wf-nightly');
    expect(other).toHaveTextContent('Whole registry');
    expect(other).toHaveTextContent('Schedule');
    expect(screen.getByTestId('workflow-published-wf-nightly')).toHaveTextContent('Not published');
    expect(screen.getByTestId('workflow-enabled-wf-nightly')).toHaveTextContent('Disabled');
    expect(screen.getByTestId('workflow-unpublished-wf-nightly')).toHaveTextContent('Unpublished changes');
    // Only a published workflow can run.
    expect(screen.getByTestId('workflow-run-wf-escalate')).toBeEnabled();
    expect(screen.getByTestId('workflow-run-wf-nightly')).toBeDisabled();
  });

  it('opens a workflow in the editor, and Back returns to the list', async () => {
    const { user } = renderScreen();
    await user.click(await screen.findByTestId('workflow-open-wf-nightly'));
    expect(await screen.findByTestId('fake-editor')).toHaveTextContent('Nightly report');
    expect(calls.getWorkflow).toHaveBeenCalledWith('wf-nightly');
    await user.click(screen.getByTestId('workflow-back'));
    expect(await screen.findByTestId('workflow-row-wf-escalate')).toBeInTheDocument();
    expect(screen.queryByTestId('fake-editor')).toBeNull();
  });

  it('creates a workflow under a root and opens it', async () => {
    const created = makeWorkflow({ id: 'wf-new', name: 'Tag new boilers', rootId: 'site', publishedVersion: null });
    calls.createWorkflow.mockResolvedValue(makeDetail(created));
    calls.getWorkflow.mockResolvedValue(makeDetail(created));
    const { user } = renderScreen();
    await user.click(await screen.findByTestId('workflow-new'));
    expect(screen.getByTestId('workflow-new-submit')).toBeDisabled();
    await user.type(screen.getByTestId('workflow-new-name'), '  Tag new boilers ');
    await pick(user, 'workflow-new-root', 'North Campus');
    await user.click(screen.getByTestId('workflow-new-submit'));
    expect(calls.createWorkflow).toHaveBeenCalledWith({ name: 'Tag new boilers', rootId: 'site', key: null, description: null });
    expect(await screen.findByTestId('fake-editor')).toHaveTextContent('Tag new boilers');
    expect(calls.getWorkflow).toHaveBeenCalledWith('wf-new');
  });

  it('runs a workflow on picked entities, then shows its runs', async () => {
    calls.runWorkflow.mockResolvedValue([makeExecution({ id: 'run-9', status: 'queued' })]);
    const { user } = renderScreen();
    await user.click(await screen.findByTestId('workflow-run-wf-escalate'));
    expect(screen.getByTestId('workflow-run-submit')).toHaveTextContent('Run without an entity');
    await user.click(screen.getByTestId('workflow-run-entity'));
    expect(within(screen.getByTestId('workflow-run-entities')).getByText('Boiler 1')).toBeInTheDocument();
    await user.click(screen.getByTestId('workflow-run-submit'));
    expect(calls.runWorkflow).toHaveBeenCalledWith({ workflowId: 'wf-escalate', entityIds: ['boiler'], viewKey: null });
    expect(await screen.findByTestId('runs-tab')).toBeInTheDocument();
    await waitFor(() => expect(calls.listExecutions).toHaveBeenLastCalledWith({ workflowId: 'wf-escalate', statuses: [], entityId: null, limit: 200 }));
  });

  it('runs a workflow on the rows of a saved view (only views with a key are offered)', async () => {
    const { user } = renderScreen();
    await user.click(await screen.findByTestId('workflow-run-wf-escalate'));
    await user.click(screen.getByRole('radio', { name: 'Saved view' }));
    expect(screen.getByTestId('workflow-run-submit')).toBeDisabled();
    await user.click(screen.getByTestId('workflow-run-view'));
    expect(await screen.findByRole('option', { name: 'Faults' })).toBeInTheDocument();
    expect(screen.queryByRole('option', { name: 'No key' })).toBeNull();
    await user.click(screen.getByRole('option', { name: 'Faults' }));
    await user.click(screen.getByTestId('workflow-run-submit'));
    expect(calls.runWorkflow).toHaveBeenCalledWith({ workflowId: 'wf-escalate', entityIds: [], viewKey: 'faults' });
  });
});

describe('WorkflowsScreen: runs', { timeout: 20_000 }, () => {
  const failed = makeExecution({ id: 'run-1', status: 'failed', error: 'boom' });
  const running = makeExecution({ id: 'run-2', status: 'running', finishedAt: null, entityName: 'Chiller' });

  async function openRuns() {
    calls.listExecutions.mockResolvedValue([failed, running]);
    const rendered = renderScreen();
    await rendered.user.click(screen.getByTestId('workflows-tab-runs'));
    await screen.findByTestId('run-row-run-1');
    return rendered;
  }

  it('lists the runs with their workflow, version, entity, status and duration', async () => {
    await openRuns();
    const row = screen.getByTestId('run-row-run-1');
    expect(row).toHaveTextContent('Escalate faults');
    expect(row).toHaveTextContent('v3');
    expect(row).toHaveTextContent('Boiler 1');
    expect(row).toHaveTextContent('2.5 s');
    expect(screen.getByTestId('run-status-run-1')).toHaveTextContent('Failed');
    expect(screen.getByTestId('run-status-run-2')).toHaveTextContent('Running');
    expect(screen.getByTestId('run-row-run-2')).toHaveTextContent('Chiller');
    expect(calls.listExecutions).toHaveBeenCalledWith({ workflowId: null, statuses: [], entityId: null, limit: 200 });
  });

  it('filters by workflow, status and entity', async () => {
    const { user } = await openRuns();
    await pick(user, 'runs-filter-workflow', 'Escalate faults');
    await waitFor(() => expect(calls.listExecutions).toHaveBeenLastCalledWith({ workflowId: 'wf-escalate', statuses: [], entityId: null, limit: 200 }));
    await pick(user, 'runs-filter-status', 'Failed');
    await waitFor(() => expect(calls.listExecutions).toHaveBeenLastCalledWith({ workflowId: 'wf-escalate', statuses: ['failed'], entityId: null, limit: 200 }));
    await user.click(screen.getByTestId('runs-filter-entity'));
    await waitFor(() => expect(calls.listExecutions).toHaveBeenLastCalledWith({ workflowId: 'wf-escalate', statuses: ['failed'], entityId: 'boiler', limit: 200 }));
    expect(screen.getByTestId('runs-filter-entity-chosen')).toHaveTextContent('Boiler 1');
    await user.click(screen.getByTestId('runs-filter-entity-clear'));
    await waitFor(() => expect(calls.listExecutions).toHaveBeenLastCalledWith({ workflowId: 'wf-escalate', statuses: ['failed'], entityId: null, limit: 200 }));
  });

  it("opens on a run when given one (a notification's link)", async () => {
    calls.getExecution.mockResolvedValue(makeExecutionDetail(failed));
    const user = userEvent.setup();
    renderWithProviders(<WorkflowsScreen initialTab="runs" initialExecutionId="run-1" />);
    expect(await screen.findByTestId('execution-status')).toHaveTextContent('Failed');
    await user.click(screen.getByTestId('execution-back'));
    expect(await screen.findByTestId('runs-tab')).toBeInTheDocument();
  });

  it('a click on a run opens it; Back returns to the runs', async () => {
    calls.getExecution.mockResolvedValue(makeExecutionDetail(failed));
    const { user } = await openRuns();
    await user.click(screen.getByTestId('run-row-run-1'));
    expect(await screen.findByTestId('execution-page')).toBeInTheDocument();
    expect(calls.getExecution).toHaveBeenCalledWith('run-1');
    await user.click(screen.getByTestId('execution-back'));
    expect(await screen.findByTestId('run-row-run-1')).toBeInTheDocument();
  });
});
