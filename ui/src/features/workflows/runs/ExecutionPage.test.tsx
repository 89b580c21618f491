import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../../test/fixtures';
import { resetWorkflowCalls, workflowCalls as calls } from '../fakeWorkflowsApi';
import type { ExecutionDetail } from '../types';
import { makeApproval, makeExecution, makeExecutionDetail, makeStep } from '../workflowFixtures';
import { ExecutionPage } from './ExecutionPage';

vi.mock('../api', async (importOriginal) => (await import('../fakeWorkflowsApi')).fakeWorkflowsApi(await importOriginal()));

const waiting = makeExecution({ id: 'run-1', status: 'waiting', currentNode: 'approve', finishedAt: null });
const steps = [
  makeStep({ id: 's-check', nodeId: 'check', status: 'succeeded', position: 0, outcome: 'false', input: { entity: { name: 'Boiler 1' } }, output: { result: false } }),
  makeStep({ id: 's-approve', nodeId: 'approve', nodeType: 'approval', status: 'waiting', position: 1, finishedAt: null }),
];

function renderPage(detail: ExecutionDetail) {
  calls.getExecution.mockResolvedValue(detail);
  const onBack = vi.fn();
  const onOpenExecution = vi.fn();
  const user = userEvent.setup();
  renderWithProviders(<ExecutionPage id={detail.execution.id} onBack={onBack} onOpenExecution={onOpenExecution} />);
  return { user, onBack, onOpenExecution };
}

const node = (id: string) => screen.findByTestId(`exec-node-${id}`);

beforeEach(() => {
  resetWorkflowCalls();
});

describe('ExecutionPage', { timeout: 20_000 }, () => {
  it('shows the run and colours each node by its latest step, the current one outlined', async () => {
    renderPage(makeExecutionDetail(waiting, steps));
    expect(await screen.findByTestId('execution-title')).toHaveTextContent('Escalate faults');
    expect(screen.getByTestId('execution-status')).toHaveTextContent('Waiting');
    expect(screen.getByTestId('execution-entity')).toHaveTextContent('Boiler 1');
    expect(calls.getExecution).toHaveBeenCalledWith('run-1');

    expect(await node('check')).toHaveAttribute('data-state', 'succeeded');
    expect(await node('approve')).toHaveAttribute('data-state', 'waiting');
    expect(await node('approve')).toHaveAttribute('data-current');
    expect(await node('check')).not.toHaveAttribute('data-current');
    expect(await node('notify')).toHaveAttribute('data-state', 'notRun');
    expect(await node('call')).toHaveAttribute('data-state', 'notRun');
    expect((await node('check')).style.getPropertyValue('--node-border')).toBe('var(--mantine-color-teal-6)');
    expect((await node('approve')).style.getPropertyValue('--node-border')).toBe('var(--mantine-color-yellow-6)');
    expect((await node('notify')).style.getPropertyValue('--node-border')).toBe('var(--mantine-color-gray-6)');
  });

  it('a node that failed and then succeeded on a retry shows as succeeded; a failed one red', async () => {
    const failed = makeExecution({ id: 'run-1', status: 'failed', currentNode: 'call', error: 'vendor said 500' });
    renderPage(
      makeExecutionDetail(failed, [
        ...steps.slice(0, 1),
        makeStep({ id: 's-notify-1', nodeId: 'notify', status: 'failed', position: 1, error: 'no such person' }),
        makeStep({ id: 's-notify-2', nodeId: 'notify', status: 'succeeded', position: 1, attempt: 2 }),
        makeStep({ id: 's-call', nodeId: 'call', status: 'failed', position: 2, error: 'vendor said 500' }),
      ]),
    );
    expect(await node('notify')).toHaveAttribute('data-state', 'succeeded');
    expect(await node('call')).toHaveAttribute('data-state', 'failed');
    expect((await node('call')).style.getPropertyValue('--node-border')).toBe('var(--mantine-color-red-6)');
    expect(screen.getByTestId('execution-error')).toHaveTextContent('vendor said 500');
  });

  it("a click on a node shows each of its attempts with input, output, error and duration", async () => {
    const { user } = renderPage(
      makeExecutionDetail(makeExecution({ id: 'run-1', status: 'failed', currentNode: 'notify' }), [
        steps[0],
        makeStep({ id: 's-notify-1', nodeId: 'notify', nodeType: 'notify', status: 'failed', position: 1, input: { to: ['ops'] }, error: 'no such person', runner: 'runner-b' }),
        makeStep({ id: 's-notify-2', nodeId: 'notify', nodeType: 'notify', status: 'succeeded', position: 1, attempt: 2, input: { to: ['ops'] }, output: { sent: 1 } }),
      ]),
    );
    // The current node's steps show first.
    const notifySteps = await screen.findByTestId('node-steps-notify');
    expect(within(notifySteps).getByText('Attempt 1')).toBeInTheDocument();
    expect(within(notifySteps).getByText('Attempt 2')).toBeInTheDocument();
    expect(screen.getByTestId('step-error-s-notify-1')).toHaveTextContent('no such person');
    expect(screen.getByTestId('step-input-s-notify-1').textContent).toBe(JSON.stringify({ to: ['ops'] }, null, 2));
    expect(screen.getByTestId('step-output-s-notify-2').textContent).toBe(JSON.stringify({ sent: 1 }, null, 2));
    expect(screen.queryByTestId('step-output-s-notify-1')).toBeNull();
    expect(screen.getByTestId('step-duration-s-notify-1')).toHaveTextContent('250 ms');
    expect(within(screen.getByTestId('step-s-notify-1')).getByText('runner-b')).toBeInTheDocument();

    await user.click(await node('check'));
    const checkSteps = await screen.findByTestId('node-steps-check');
    expect(within(checkSteps).getByTestId('step-status-s-check')).toHaveTextContent('Succeeded');
    expect(screen.getByTestId('step-input-s-check').textContent).toBe(JSON.stringify({ entity: { name: 'Boiler 1' } }, null, 2));
    expect(screen.getByTestId('step-output-s-check').textContent).toBe(JSON.stringify({ result: false }, null, 2));
    expect(within(checkSteps).getByText('false')).toBeInTheDocument();

    await user.click(await node('call'));
    expect(await screen.findByTestId('node-steps-none')).toHaveTextContent('This node has not run.');
  });

  it('a running run offers Cancel only, which cancels it', async () => {
    calls.cancelExecution.mockResolvedValue({ ...waiting, cancelRequested: true });
    const { user } = renderPage(makeExecutionDetail(waiting, steps));
    await user.click(await screen.findByTestId('execution-cancel'));
    expect(calls.cancelExecution).toHaveBeenCalledWith('run-1');
    expect(screen.queryByTestId('execution-retry-step')).toBeNull();
    expect(screen.queryByTestId('execution-retry-trigger')).toBeNull();
  });

  it('a run whose cancel was asked for offers no second Cancel', async () => {
    renderPage(makeExecutionDetail({ ...waiting, cancelRequested: true }, steps));
    expect(await screen.findByTestId('execution-cancel-requested')).toBeInTheDocument();
    expect(screen.queryByTestId('execution-cancel')).toBeNull();
  });

  it('a failed run offers both retries, each starting the new run and opening it', async () => {
    const failed = makeExecution({ id: 'run-1', status: 'failed', currentNode: 'call', error: 'boom' });
    calls.retryExecution.mockImplementation(async ({ from }) => makeExecution({ id: from === 'trigger' ? 'run-3' : 'run-2', status: 'queued', retryOf: 'run-1' }));
    const { user, onOpenExecution } = renderPage(makeExecutionDetail(failed, steps));
    await user.click(await screen.findByTestId('execution-retry-step'));
    expect(calls.retryExecution).toHaveBeenLastCalledWith({ id: 'run-1', from: 'failedStep' });
    await waitFor(() => expect(onOpenExecution).toHaveBeenLastCalledWith('run-2'));

    await user.click(screen.getByTestId('execution-retry-trigger'));
    expect(calls.retryExecution).toHaveBeenLastCalledWith({ id: 'run-1', from: 'trigger' });
    await waitFor(() => expect(onOpenExecution).toHaveBeenLastCalledWith('run-3'));
    expect(screen.queryByTestId('execution-cancel')).toBeNull();
  });

  it('a cancelled run can be retried', async () => {
    renderPage(makeExecutionDetail(makeExecution({ id: 'run-1', status: 'cancelled' })));
    expect(await screen.findByTestId('execution-retry-step')).toBeInTheDocument();
    expect(screen.getByTestId('execution-retry-trigger')).toBeInTheDocument();
  });

  it('a succeeded run offers no action', async () => {
    renderPage(makeExecutionDetail(makeExecution({ id: 'run-1', status: 'succeeded' }), steps));
    expect(await screen.findByTestId('execution-status')).toHaveTextContent('Succeeded');
    expect(screen.queryByTestId('execution-cancel')).toBeNull();
    expect(screen.queryByTestId('execution-retry-step')).toBeNull();
    expect(screen.queryByTestId('execution-retry-trigger')).toBeNull();
    expect(screen.getByTestId('execution-duration')).toHaveTextContent('2.5 s');
  });

  it("shows the run's approvals with their votes", async () => {
    const request = makeApproval({
      id: 'ap-1',
      votes: [{ userId: 'u-ada', userName: 'Ada', decision: 'approve', comment: 'Go', createdAt: '2025-01-01T10:01:00Z' }],
    });
    renderPage(makeExecutionDetail(waiting, steps, [request]));
    const approvals = await screen.findByTestId('execution-approvals');
    expect(within(approvals).getByText('Call the vendor?')).toBeInTheDocument();
    expect(within(approvals).getByTestId('approval-votes-ap-1')).toHaveTextContent('Approvals 1/2');
    expect(within(approvals).getByTestId('approval-vote-list-ap-1')).toHaveTextContent('Ada');
    expect(within(approvals).getByTestId('approval-vote-list-ap-1')).toHaveTextContent('Go');
  });

  it('Back leaves the page', async () => {
    const { user, onBack } = renderPage(makeExecutionDetail(waiting, steps));
    await user.click(await screen.findByTestId('execution-back'));
    expect(onBack).toHaveBeenCalled();
  });
});
