import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, OfflineOverview, OutboxEntry, OutboxStatus, ReplayReport } from '../../bindings';
import { focusedTree, renderApp, settle } from '../../test/app';
import { callsOf, makeNode, ONLINE_OVERVIEW, type IpcArgs } from '../../test/fixtures';
import { offlineOverview, overviewWith, renameConflict, sendOfflineChanged, valuesConflict } from '../../test/offlineFixtures';
import { formatSince } from './offlineModel';

const SINCE = '2026-03-02T14:02:00Z';
const plant = makeNode({ id: 'plant', name: 'Plant North', pathLabel: 'plant_north', hasChildren: true });
const hall = makeNode({ id: 'hall', parentId: 'plant', name: 'Hall A', pathLabel: 'plant_north.hall_a' });
const lab = makeNode({ id: 'lab', parentId: 'plant', name: 'Lab', pathLabel: 'plant_north.lab' });

const report = (over: Partial<ReplayReport> = {}): ReplayReport => ({ applied: 0, alreadyApplied: 0, conflicts: 0, refused: 0, remaining: 0, stopped: null, ...over });

const outboxOf = (entries: OutboxEntry[]) => (args: IpcArgs) => {
  const statuses = (args as { statuses: OutboxStatus[] }).statuses;
  return statuses.length === 0 ? entries : entries.filter((e) => statuses.includes(e.status));
};

describe('offline banner', { timeout: 30_000 }, () => {
  it('says in plain words that the app is offline, from what, and how many edits wait; hides when the server is back and confirms the replay', async () => {
    let overview: OfflineOverview = offlineOverview(SINCE, 3);
    const { user } = renderApp({ roots: [plant], handlers: { offline_overview: () => overview } });
    const banner = await screen.findByTestId('offline-banner');
    expect(banner).toHaveTextContent(
      `Offline since ${formatSince(SINCE)} — showing “Plant North” kept on this computer (5,012 entities). Your edits are kept and sent when the server is back (3 waiting).`,
    );
    const live = banner.closest('[role="status"]');
    expect(live).toHaveAttribute('aria-live', 'polite');
    expect(within(banner).getByTestId('offline-try-now')).toBeEnabled();
    expect(within(banner).queryByTestId('offline-review-open')).toBeNull();

    // The server answers: the replay sent the three edits.
    overview = ONLINE_OVERVIEW;
    await settle();
    await sendOfflineChanged({ connection: { online: true, since: null }, status: ONLINE_OVERVIEW.status, replay: report({ applied: 3 }) });
    await waitFor(() => expect(screen.queryByTestId('offline-banner')).toBeNull());
    expect(screen.getByTestId('offline-replayed')).toHaveTextContent('Back online: 3 edits sent to the server.');
    expect(live).toContainElement(screen.getByTestId('offline-replayed'));
    await user.click(screen.getByRole('button', { name: 'Dismiss' }));
    await waitFor(() => expect(screen.queryByTestId('offline-replayed')).toBeNull());
  });

  it('shows nothing while online with nothing to decide', async () => {
    const { calls } = renderApp({ roots: [plant] });
    await focusedTree();
    await waitFor(() => expect(callsOf(calls, 'offline_overview')).toHaveLength(1));
    await settle();
    expect(screen.queryByTestId('offline-banner')).toBeNull();
    expect(screen.queryByTestId('offline-conflicts')).toBeNull();
    expect(screen.queryByTestId('offline-replayed')).toBeNull();
  });

  it('appears when an event says the connection was lost', async () => {
    let overview = ONLINE_OVERVIEW;
    renderApp({ roots: [plant], handlers: { offline_overview: () => overview } });
    await focusedTree();
    await settle();
    expect(screen.queryByTestId('offline-banner')).toBeNull();
    const lost = offlineOverview(SINCE, 0);
    overview = lost;
    await sendOfflineChanged({ connection: lost.connection, status: lost.status, replay: null });
    const banner = await screen.findByTestId('offline-banner');
    expect(banner).toHaveTextContent('Your edits are kept and sent when the server is back.');
    expect(banner).not.toHaveTextContent('waiting');
  });

  it('"Try now" sends what waits; says when the server still does not answer', async () => {
    const { calls, user } = renderApp({
      roots: [plant],
      handlers: { offline_overview: () => offlineOverview(SINCE, 2), offline_sync: () => report({ remaining: 2, stopped: 'connection refused' }) },
    });
    await user.click(await screen.findByTestId('offline-try-now'));
    await waitFor(() => expect(callsOf(calls, 'offline_sync')).toHaveLength(1));
    expect(await screen.findByTestId('offline-try-outcome')).toHaveTextContent('Still no answer from the server: connection refused');
  });

  it('"Try now" shows an Offline refusal in words', async () => {
    const { user } = renderApp({
      roots: [plant],
      handlers: {
        offline_overview: () => offlineOverview(SINCE, 2),
        offline_sync: () => {
          throw { type: 'Offline', data: { message: 'the server cannot be reached' } } satisfies AppError;
        },
      },
    });
    await user.click(await screen.findByTestId('offline-try-now'));
    expect(await screen.findByTestId('offline-try-outcome')).toHaveTextContent('Still offline: the server cannot be reached');
  });

  it('online with conflicts: a smaller notice whose Review opens the review', async () => {
    const { calls, user } = renderApp({
      roots: [plant],
      handlers: { offline_overview: () => overviewWith({ status: { conflicts: 2 } }), offline_outbox: outboxOf([valuesConflict, renameConflict]) },
    });
    const notice = await screen.findByTestId('offline-conflicts');
    expect(notice).toHaveTextContent('2 edits need your decision');
    expect(screen.queryByTestId('offline-banner')).toBeNull();
    await user.click(within(notice).getByTestId('offline-review-open'));
    const review = await screen.findByRole('dialog', { name: 'Edits that need your decision' });
    expect(await within(review).findAllByTestId('conflict-card')).toHaveLength(2);
    expect(callsOf(calls, 'offline_outbox')).toEqual([{ statuses: ['conflict'] }]);
  });
});

describe('pending markers in the tree', { timeout: 30_000 }, () => {
  it('marks the rows of entities with an edit waiting, and only those', async () => {
    let overview = offlineOverview(SINCE, 1, ['hall']);
    const { user } = renderApp({ roots: [plant], children: { plant: [hall, lab] }, handlers: { offline_overview: () => overview } });
    await user.click(await screen.findByTestId('tree-toggle-plant_north'));
    const hallRow = await screen.findByTestId('tree-row-plant_north.hall_a');
    const dot = await within(hallRow).findByTestId('tree-pending-dot');
    expect(dot).toHaveAttribute('title', 'Edit waiting to be sent');
    expect(dot).toHaveAccessibleName('Edit waiting to be sent');
    expect(within(screen.getByTestId('tree-row-plant_north.lab')).queryByTestId('tree-pending-dot')).toBeNull();
    expect(within(screen.getByTestId('tree-row-plant_north')).queryByTestId('tree-pending-dot')).toBeNull();

    // Sent: the overview read after the event has no entity waiting.
    overview = ONLINE_OVERVIEW;
    await settle();
    await sendOfflineChanged({ connection: { online: true, since: null }, status: ONLINE_OVERVIEW.status, replay: report({ applied: 1 }) });
    await waitFor(() => expect(screen.queryByTestId('tree-pending-dot')).toBeNull());
  });
});
