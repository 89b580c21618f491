import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../../test/fixtures';
import { resetWorkflowCalls, workflowCalls as calls } from '../fakeWorkflowsApi';
import { makeApproval } from '../workflowFixtures';
import { ApprovalsInbox } from './ApprovalsInbox';

vi.mock('../api', async (importOriginal) => (await import('../fakeWorkflowsApi')).fakeWorkflowsApi(await importOriginal()));

const mine = makeApproval({
  id: 'ap-mine',
  votes: [{ userId: 'u-ada', userName: 'Ada Park', decision: 'approve', comment: null, createdAt: '2025-01-01T10:01:00Z' }],
});
const notMine = makeApproval({ id: 'ap-other', title: 'Move the chiller?', canVote: false, executionId: 'run-7' });
const decided = makeApproval({ id: 'ap-done', title: 'Restart?', status: 'approved', decidedAt: '2025-01-01T11:00:00Z', canVote: false });

function renderInbox() {
  const onOpenExecution = vi.fn();
  const user = userEvent.setup();
  renderWithProviders(<ApprovalsInbox onOpenExecution={onOpenExecution} />);
  return { user, onOpenExecution };
}

beforeEach(() => {
  resetWorkflowCalls();
  calls.listApprovals.mockImplementation(async (pendingOnly) => (pendingOnly ? [mine, notMine] : [mine, notMine, decided]));
  calls.voteApproval.mockImplementation(async ({ requestId }) => ({ ...mine, id: requestId }));
});

describe('ApprovalsInbox', { timeout: 20_000 }, () => {
  it('lists the pending requests with their workflow, entity, votes so far and deadline', async () => {
    renderInbox();
    const card = await screen.findByTestId('approval-ap-mine');
    expect(card).toHaveTextContent('Call the vendor?');
    expect(card).toHaveTextContent('Escalate faults');
    expect(card).toHaveTextContent('Boiler 1');
    expect(screen.getByTestId('approval-votes-ap-mine')).toHaveTextContent('Approvals 1/2');
    expect(screen.getByTestId('approval-vote-list-ap-mine')).toHaveTextContent('Ada Park');
    expect(screen.getByTestId('approval-deadline-ap-mine')).toHaveTextContent('then rejected');
    expect(calls.listApprovals).toHaveBeenCalledWith(true);
    expect(screen.queryByTestId('approval-ap-done')).toBeNull();
  });

  it('offers Approve and Reject only to those who may vote', async () => {
    renderInbox();
    expect(await screen.findByTestId('approval-approve-ap-mine')).toBeEnabled();
    expect(screen.getByTestId('approval-reject-ap-mine')).toBeEnabled();
    expect(screen.getByTestId('approval-approve-ap-other')).toBeDisabled();
    expect(screen.getByTestId('approval-reject-ap-other')).toBeDisabled();
    expect(screen.queryByTestId('approval-comment-ap-other')).toBeNull();
  });

  it('approves with a comment', async () => {
    const { user } = renderInbox();
    await user.type(await screen.findByTestId('approval-comment-ap-mine'), ' Vendor is on call ');
    await user.click(screen.getByTestId('approval-approve-ap-mine'));
    expect(calls.voteApproval).toHaveBeenCalledWith({ requestId: 'ap-mine', decision: 'approve', comment: 'Vendor is on call' });
    await waitFor(() => expect(screen.getByTestId('approval-comment-ap-mine')).toHaveValue(''));
  });

  it('rejects without a comment', async () => {
    const { user } = renderInbox();
    await user.click(await screen.findByTestId('approval-reject-ap-mine'));
    expect(calls.voteApproval).toHaveBeenCalledWith({ requestId: 'ap-mine', decision: 'reject', comment: null });
  });

  it('shows why a vote was refused', async () => {
    calls.voteApproval.mockRejectedValue(new Error('the request was decided meanwhile'));
    const { user } = renderInbox();
    await user.click(await screen.findByTestId('approval-approve-ap-mine'));
    expect(await screen.findByText('the request was decided meanwhile')).toBeInTheDocument();
  });

  it('shows the decided requests too on request, without vote buttons', async () => {
    const { user } = renderInbox();
    await screen.findByTestId('approval-ap-mine');
    await user.click(screen.getByTestId('approvals-show-decided'));
    expect(await screen.findByTestId('approval-ap-done')).toBeInTheDocument();
    expect(calls.listApprovals).toHaveBeenLastCalledWith(false);
    expect(screen.getByTestId('approval-status-ap-done')).toHaveTextContent('approved');
    expect(screen.queryByTestId('approval-approve-ap-done')).toBeNull();
  });

  it("opens a request's run", async () => {
    const { user, onOpenExecution } = renderInbox();
    await user.click(await screen.findByTestId('approval-open-run-ap-other'));
    expect(onOpenExecution).toHaveBeenCalledWith('run-7');
  });
});
