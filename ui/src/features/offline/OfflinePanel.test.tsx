import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { OutboxEntry, OutboxStatus, RefreshReport } from '../../bindings';
import { renderApp } from '../../test/app';
import { callsOf, type Handler, type IpcArgs } from '../../test/fixtures';
import { depotScope, overviewWith, pendingMove, plantScope, refusedDelete, valuesConflict } from '../../test/offlineFixtures';

const outbox: OutboxEntry[] = [pendingMove, refusedDelete, valuesConflict];

function offlineTabApp(handlers: Record<string, Handler> = {}) {
  return renderApp({
    roots: [],
    handlers: {
      pack_list: () => [],
      offline_overview: () => overviewWith({ status: { scopes: [plantScope, depotScope], pending: 1, conflicts: 1, refused: 1, fileBytes: 12_345_678, lastRefresh: '2026-03-02T09:00:00Z' } }),
      offline_outbox: (args: IpcArgs) => {
        const statuses = (args as { statuses: OutboxStatus[] }).statuses;
        return statuses.length === 0 ? outbox : outbox.filter((e) => statuses.includes(e.status));
      },
      ...handlers,
    },
  });
}

async function openOfflineTab(rendered: ReturnType<typeof renderApp>) {
  await rendered.user.click(await within(await screen.findByTestId('view-switch')).findByText('Data'));
  await rendered.user.click(await screen.findByTestId('offline-tab'));
  return screen.findByTestId('offline-panel');
}

describe('Data screen: Offline tab', { timeout: 30_000 }, () => {
  it('sits after Import runs and lists the kept subtrees, the cache file and the outbox', async () => {
    const rendered = offlineTabApp();
    const panel = await openOfflineTab(rendered);
    expect(within(screen.getByRole('tablist', { name: 'Data' })).getAllByRole('tab').map((t) => t.textContent)).toEqual(['Packs', 'Import', 'Import runs', 'Offline']);
    expect(screen.getByRole('tab', { name: 'Offline' })).toHaveAttribute('aria-selected', 'true');
    expect(within(panel).getByTestId('offline-connection')).toHaveTextContent('Online');

    const cache = within(panel).getByTestId('offline-cache');
    expect(cache).toHaveTextContent('/home/ada/.local/share/eco-studio/offline.db');
    expect(cache).toHaveTextContent('12.3 MB');

    const scopes = await within(panel).findAllByTestId('offline-scope-row');
    expect(scopes).toHaveLength(2);
    expect(scopes[0]).toHaveTextContent('Plant North');
    expect(scopes[0]).toHaveTextContent('plant_north');
    expect(scopes[0]).toHaveTextContent('Ready');
    expect(scopes[0]).toHaveTextContent('5,012');
    expect(scopes[0]).toHaveTextContent('48,100');
    expect(scopes[1]).toHaveTextContent('Revoked');
    expect(scopes[1]).toHaveTextContent('Your access to this root was removed');

    const rows = await within(panel).findAllByTestId('offline-outbox-row');
    expect(rows.map((r) => r.dataset.status)).toEqual(['pending', 'refused', 'conflict']);
    expect(rows[0]).toHaveTextContent('Waiting');
    expect(rows[0]).toHaveTextContent('Move');
    expect(rows[0]).toHaveTextContent('Pump 4');
    expect(rows[1]).toHaveTextContent('Refused');
    expect(rows[1]).toHaveTextContent('You may no longer change this root');
    // No name in the cache any more: its id.
    expect(rows[1]).toHaveTextContent('valve');
    expect(rows[2]).toHaveTextContent('Property values');
    expect(rows[2]).toHaveTextContent('Boiler 1');
    expect(within(panel).getByTestId('offline-conflicts-alert')).toHaveTextContent('1 edit needs your decision');
    expect(callsOf(rendered.calls, 'offline_outbox')).toEqual([{ statuses: [] }]);
  });

  it('filters the outbox by status', async () => {
    const rendered = offlineTabApp();
    const panel = await openOfflineTab(rendered);
    await within(panel).findAllByTestId('offline-outbox-row');
    await rendered.user.click(within(within(panel).getByTestId('offline-outbox-filter')).getByText('Refused'));
    await waitFor(() => expect(within(panel).getAllByTestId('offline-outbox-row').map((r) => r.dataset.status)).toEqual(['refused']));
    expect(callsOf(rendered.calls, 'offline_outbox')).toContainEqual({ statuses: ['refused'] });
    await rendered.user.click(within(within(panel).getByTestId('offline-outbox-filter')).getByText('Discarded'));
    expect(await within(panel).findByTestId('offline-outbox-empty')).toHaveTextContent('No edit is “Discarded”.');
  });

  it('"Send now" sends what waits and says what the round did', async () => {
    const rendered = offlineTabApp({ offline_sync: () => ({ applied: 1, alreadyApplied: 0, conflicts: 0, refused: 0, remaining: 0, stopped: null }) });
    const panel = await openOfflineTab(rendered);
    await rendered.user.click(within(panel).getByTestId('offline-send-now'));
    await waitFor(() => expect(callsOf(rendered.calls, 'offline_sync')).toHaveLength(1));
    expect(await within(panel).findByTestId('offline-send-report')).toHaveTextContent('1 edit sent to the server.');
  });

  it('"Refresh all now" brings the kept subtrees up to date', async () => {
    const report: RefreshReport = { updated: 40, removed: 2, revoked: [], millis: 120 };
    const rendered = offlineTabApp({ offline_refresh: () => report });
    const panel = await openOfflineTab(rendered);
    await rendered.user.click(within(panel).getByTestId('offline-refresh'));
    expect(await within(panel).findByTestId('offline-refresh-report')).toHaveTextContent('40 entities read again, 2 removed from the cache.');
    expect(callsOf(rendered.calls, 'offline_refresh')).toHaveLength(1);
  });

  it('"Remove" asks first, then removes the subtree from this computer', async () => {
    const rendered = offlineTabApp({ offline_remove: () => null });
    const panel = await openOfflineTab(rendered);
    const plant = (await within(panel).findAllByTestId('offline-scope-row'))[0];
    await rendered.user.click(within(plant).getByRole('button', { name: 'Remove Plant North from this computer' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove “Plant North” from this computer?' });
    expect(dialog).toHaveTextContent('edits waiting to be sent stay in the outbox');
    expect(callsOf(rendered.calls, 'offline_remove')).toEqual([]);
    await rendered.user.click(within(dialog).getByTestId('offline-remove-confirm'));
    await waitFor(() => expect(callsOf(rendered.calls, 'offline_remove')).toEqual([{ rootId: 'plant' }]));
    await waitFor(() => expect(screen.queryByTestId('offline-remove-dialog')).toBeNull());
  });

  it('"Export…" writes the refused and conflicting edits to the suggested path', async () => {
    const rendered = offlineTabApp({ suggest_export_path: (args) => `/home/ada/Downloads/${String(args?.fileName)}`, offline_export: () => 2 });
    const panel = await openOfflineTab(rendered);
    await rendered.user.click(within(panel).getByTestId('offline-export'));
    const dialog = await screen.findByRole('dialog', { name: 'Export edits from the outbox' });
    await waitFor(() => expect(within(dialog).getByTestId('offline-export-path')).toHaveValue('/home/ada/Downloads/eco-studio-outbox.json'));
    await rendered.user.click(within(dialog).getByTestId('offline-export-submit'));
    await waitFor(() => expect(callsOf(rendered.calls, 'offline_export')).toEqual([{ path: '/home/ada/Downloads/eco-studio-outbox.json', statuses: ['refused', 'conflict'] }]));
    expect(await screen.findByText('2 edits written to /home/ada/Downloads/eco-studio-outbox.json')).toBeInTheDocument();
  });

  it('the conflicts alert opens the review', async () => {
    const rendered = offlineTabApp();
    const panel = await openOfflineTab(rendered);
    await rendered.user.click(within(within(panel).getByTestId('offline-conflicts-alert')).getByTestId('offline-tab-review-open'));
    const review = await screen.findByRole('dialog', { name: 'Edits that need your decision' });
    expect(await within(review).findAllByTestId('conflict-card')).toHaveLength(1);
  });

  it('says when nothing is kept and the outbox is empty', async () => {
    const rendered = offlineTabApp({ offline_overview: () => overviewWith(), offline_outbox: () => [] });
    const panel = await openOfflineTab(rendered);
    expect(await within(panel).findByTestId('offline-scopes-empty')).toHaveTextContent('Nothing is kept on this computer yet.');
    expect(await within(panel).findByTestId('offline-outbox-empty')).toHaveTextContent('The outbox is empty.');
    expect(within(panel).getByTestId('offline-refresh')).toBeDisabled();
  });
});
