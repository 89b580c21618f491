import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SubtreeSize } from '../../bindings';
import { focusedTree, renderApp } from '../../test/app';
import { callsOf, makeNode, type Handler } from '../../test/fixtures';
import { overviewWith, plantScope, sendOfflineProgress } from '../../test/offlineFixtures';

const plant = makeNode({ id: 'plant', name: 'Plant North', pathLabel: 'plant_north', hasChildren: true });
const hall = makeNode({ id: 'hall', parentId: 'plant', name: 'Hall A', pathLabel: 'plant_north.hall_a' });
const size: SubtreeSize = { entities: 5012, values: 48100, bytes: 12_345_678 };

function offlineApp(handlers: Record<string, Handler> = {}) {
  return renderApp({
    roots: [plant],
    children: { plant: [hall] },
    handlers: { offline_size: () => size, offline_add: () => null, offline_cancel: () => true, ...handlers },
  });
}

/** Right-click a row and choose "Make available offline…". */
async function openFromMenu(user: ReturnType<typeof renderApp>['user'], testId = 'tree-row-plant_north') {
  fireEvent.contextMenu(await screen.findByTestId(testId));
  await user.click(await screen.findByTestId('offline-make-available'));
  return screen.findByRole('dialog', { name: 'Make “Plant North” available offline' });
}

describe('Make available offline', { timeout: 30_000 }, () => {
  it('from the tree’s menu: shows the size first, downloads on "Download", follows the progress, and says when it is done', async () => {
    const { calls, user } = offlineApp();
    const dialog = await openFromMenu(user);
    const sizes = await within(dialog).findByTestId('offline-size');
    expect(sizes).toHaveTextContent('Entities5,012');
    expect(sizes).toHaveTextContent('Values48,100');
    expect(sizes).toHaveTextContent('On disk, about12.3 MB');
    expect(callsOf(calls, 'offline_size')).toEqual([{ rootId: 'plant' }]);
    expect(callsOf(calls, 'offline_add')).toEqual([]);

    await user.click(within(dialog).getByTestId('offline-download'));
    await waitFor(() => expect(callsOf(calls, 'offline_add')).toEqual([{ rootId: 'plant' }]));
    expect(await within(dialog).findByTestId('offline-progress')).toBeInTheDocument();
    expect(within(dialog).getByTestId('offline-progress-text')).toHaveTextContent('Starting the download…');

    // Another subtree's progress is not this one's.
    await sendOfflineProgress({ rootId: 'depot', done: 9, total: 10, state: { state: 'running' } });
    await sendOfflineProgress({ rootId: 'plant', done: 1000, total: 5012, state: { state: 'running' } });
    expect(within(dialog).getByTestId('offline-progress-text')).toHaveTextContent('1,000 of 5,012 entities downloaded (20%)');
    expect(within(dialog).getByRole('progressbar', { name: 'Download progress' })).toHaveAttribute('aria-valuenow', '20');

    await sendOfflineProgress({ rootId: 'plant', done: 5012, total: 5012, state: { state: 'done', scope: plantScope } });
    const done = await within(dialog).findByTestId('offline-done');
    expect(done).toHaveAttribute('data-state', 'done');
    expect(done).toHaveTextContent('“Plant North” is kept on this computer: 5,012 entities and 48,100 values.');
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByTestId('offline-dialog')).toBeNull());
  });

  it('"Cancel" closes without downloading', async () => {
    const { calls, user } = offlineApp();
    const dialog = await openFromMenu(user);
    await within(dialog).findByTestId('offline-size');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByTestId('offline-dialog')).toBeNull());
    expect(callsOf(calls, 'offline_add')).toEqual([]);
  });

  it('"Stop" cancels the download, which ends as cancelled', async () => {
    const { calls, user } = offlineApp();
    const dialog = await openFromMenu(user);
    await user.click(await within(dialog).findByTestId('offline-download'));
    await sendOfflineProgress({ rootId: 'plant', done: 10, total: 5012, state: { state: 'running' } });
    await user.click(within(dialog).getByTestId('offline-stop'));
    await waitFor(() => expect(callsOf(calls, 'offline_cancel')).toEqual([{ rootId: 'plant' }]));
    await sendOfflineProgress({ rootId: 'plant', done: 10, total: 5012, state: { state: 'cancelled' } });
    const ended = await within(dialog).findByTestId('offline-done');
    expect(ended).toHaveAttribute('data-state', 'cancelled');
    expect(ended).toHaveTextContent('nothing of it was kept');
  });

  it('a failed download shows the error message', async () => {
    const { user } = offlineApp();
    const dialog = await openFromMenu(user);
    await user.click(await within(dialog).findByTestId('offline-download'));
    await sendOfflineProgress({ rootId: 'plant', done: 0, total: 5012, state: { state: 'failed', error: { type: 'Forbidden', data: { message: 'no read access to Hall B' } } } });
    const ended = await within(dialog).findByTestId('offline-done');
    expect(ended).toHaveAttribute('data-state', 'failed');
    expect(ended).toHaveTextContent('The download failed: Not allowed');
    expect(ended).toHaveTextContent('no read access to Hall B');
  });

  it('a size that cannot be measured offline says why, and Download stays off', async () => {
    const { user } = offlineApp({
      offline_size: () => {
        throw { type: 'Offline', data: { message: 'measuring needs the server' } };
      },
    });
    const dialog = await openFromMenu(user);
    expect(await within(dialog).findByTestId('error-notice')).toHaveTextContent('measuring needs the server');
    expect(within(dialog).getByTestId('offline-download')).toBeDisabled();
  });

  it('says when the subtree is kept already', async () => {
    const { user } = offlineApp({ offline_overview: () => overviewWith({ status: { scopes: [plantScope] } }) });
    const dialog = await openFromMenu(user);
    expect(await within(dialog).findByTestId('offline-already-kept')).toHaveTextContent('downloading again brings it up to date');
  });

  it('from the palette: "Make selected available offline" opens it for the selected entity', async () => {
    const { calls, user } = offlineApp();
    await user.click(await screen.findByTestId('tree-row-plant_north'));
    await focusedTree();
    await user.keyboard('{Control>}k{/Control}');
    await user.type(await screen.findByTestId('palette-input'), 'offline');
    await user.click(await screen.findByTestId('palette-action-offline-make-available'));
    const dialog = await screen.findByRole('dialog', { name: 'Make “Plant North” available offline' });
    expect(await within(dialog).findByTestId('offline-size')).toHaveTextContent('5,012');
    expect(callsOf(calls, 'offline_size')).toEqual([{ rootId: 'plant' }]);
  });

  it('in the palette, with nothing selected, the command says to select an entity first', async () => {
    const { user } = offlineApp();
    await focusedTree();
    await user.keyboard('{Control>}k{/Control}');
    await user.type(await screen.findByTestId('palette-input'), 'available offline');
    const option = await screen.findByTestId('palette-action-offline-make-available');
    expect(option).toHaveAttribute('aria-disabled', 'true');
    expect(option).toHaveTextContent('Select an entity in the tree first');
    await user.click(option);
    expect(screen.queryByTestId('offline-dialog')).toBeNull();
  });
});
