import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../../test/fixtures';
import { resetWorkflowCalls, workflowCalls as calls } from './fakeWorkflowsApi';
import { NotificationsBell } from './NotificationsBell';
import { makeNotification } from './workflowFixtures';

vi.mock('./api', async (importOriginal) => (await import('./fakeWorkflowsApi')).fakeWorkflowsApi(await importOriginal()));

const unreadFault = makeNotification({ id: 'n1', message: 'Boiler 1 needs your approval', executionId: 'run-1' });
const unreadDone = makeNotification({ id: 'n2', message: 'Nightly report finished' });
const read = makeNotification({ id: 'n3', message: 'Old news', readAt: '2025-01-01T12:00:00Z' });

function renderBell(onOpenExecution?: (id: string) => void) {
  const user = userEvent.setup();
  renderWithProviders(<NotificationsBell onOpenExecution={onOpenExecution} />);
  return { user };
}

beforeEach(() => {
  resetWorkflowCalls();
  calls.listNotifications.mockResolvedValue([unreadFault, unreadDone, read]);
});

describe('NotificationsBell', { timeout: 20_000 }, () => {
  it('counts the unread notifications', async () => {
    renderBell();
    const bell = await screen.findByTestId('notifications-bell');
    await waitFor(() => expect(bell).toHaveAttribute('data-count', '2'));
    expect(bell).toHaveAccessibleName('2 unread notifications');
  });

  it('lists them and marks the unread ones read', async () => {
    const { user } = renderBell();
    const bell = await screen.findByTestId('notifications-bell');
    await waitFor(() => expect(bell).toHaveAttribute('data-count', '2'));
    await user.click(bell);
    const popover = await screen.findByTestId('notifications-popover');
    expect(within(popover).getByTestId('notification-n1')).toHaveTextContent('Boiler 1 needs your approval');
    expect(within(popover).getByTestId('notification-n1')).toHaveAttribute('data-unread');
    expect(within(popover).getByTestId('notification-n3')).not.toHaveAttribute('data-unread');

    calls.listNotifications.mockResolvedValue([unreadFault, unreadDone, read].map((n) => ({ ...n, readAt: n.readAt ?? '2025-01-02T00:00:00Z' })));
    await user.click(within(popover).getByTestId('notifications-mark-read'));
    expect(calls.markNotificationsRead).toHaveBeenCalledWith(['n1', 'n2']);
  });

  it('offers nothing to mark when all are read', async () => {
    calls.listNotifications.mockResolvedValue([read]);
    const { user } = renderBell();
    const bell = await screen.findByTestId('notifications-bell');
    await waitFor(() => expect(calls.listNotifications).toHaveBeenCalled());
    expect(bell).toHaveAttribute('data-count', '0');
    await user.click(bell);
    expect(await screen.findByTestId('notifications-mark-read')).toBeDisabled();
  });

  it("opens a notification's run when the bell is given the way to", async () => {
    const onOpenExecution = vi.fn();
    const { user } = renderBell(onOpenExecution);
    await user.click(await screen.findByTestId('notifications-bell'));
    await user.click(await screen.findByTestId('notification-open-run-n1'));
    expect(onOpenExecution).toHaveBeenCalledWith('run-1');
    expect(screen.queryByTestId('notification-open-run-n2')).toBeNull();
  });
});
