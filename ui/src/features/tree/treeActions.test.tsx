import { emit } from '@tauri-apps/api/event';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, JobProgress, MoveStarted, TreeNode } from '../../bindings';
import { focusedTree, renderApp, rowNames, selectedNames } from '../../test/app';
import { callsOf, makeNode, makeType, type IpcArgs } from '../../test/fixtures';

const site = makeNode({ id: 'site', name: 'Site', pathLabel: 'site', hasChildren: true });
const office = makeNode({ id: 'office', name: 'Office', pathLabel: 'office', hasChildren: true });
const bldA = makeNode({ id: 'a', parentId: 'site', name: 'Building A', pathLabel: 'site.building_a', hasChildren: true, updatedAt: 'v-a' });
const bldB = makeNode({ id: 'b', parentId: 'site', name: 'Building B', pathLabel: 'site.building_b', updatedAt: 'v-b' });
const room = makeNode({ id: 'r', parentId: 'a', name: 'Room 1', pathLabel: 'site.building_a.room_1', updatedAt: 'v-r' });

function children() {
  return { site: [bldA, bldB], a: [room], office: [] as TreeNode[] };
}

async function expandSite(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByTestId('tree-toggle-site'));
  await screen.findByTestId('tree-row-site.building_b');
}

const input = (args: IpcArgs) => (args as { input: Record<string, unknown> }).input;

describe('rename (F2)', () => {
  it('renames inline with the row version as expectedUpdatedAt', async () => {
    const renamed = { ...bldB, name: 'Building B2', updatedAt: 'v-b2' };
    const { calls, user } = renderApp({ roots: [site], children: children(), handlers: { rename_entity: () => renamed } });
    await expandSite(user);
    await user.click(screen.getByTestId('tree-row-site.building_b'));
    await user.keyboard('{F2}');
    const field = screen.getByTestId('rename-input');
    expect(field).toHaveValue('Building B');
    expect(field).toHaveFocus();
    await user.clear(field);
    await user.type(field, 'Building B2{Enter}');
    await waitFor(() => expect(callsOf(calls, 'rename_entity')).toHaveLength(1));
    expect(input(callsOf(calls, 'rename_entity')[0])).toEqual({ id: 'b', expectedUpdatedAt: 'v-b', name: 'Building B2' });
    await waitFor(() => expect(screen.queryByTestId('rename-input')).toBeNull());
    // The parent's children are refetched.
    await waitFor(() => expect(callsOf(calls, 'list_children').filter((a) => a?.parentId === 'site')).toHaveLength(2));
    expect(screen.getByRole('tree')).toHaveFocus();
  });

  it('Escape cancels without a call', async () => {
    const { calls, user } = renderApp({ roots: [site], children: children() });
    await expandSite(user);
    await user.click(screen.getByTestId('tree-row-site.building_b'));
    await user.keyboard('{F2}');
    await user.type(screen.getByTestId('rename-input'), 'xyz{Escape}');
    expect(screen.queryByTestId('rename-input')).toBeNull();
    expect(callsOf(calls, 'rename_entity')).toHaveLength(0);
  });

  it('a Conflict shows "Changed by someone else" with the current name and offers Reload', async () => {
    const conflict: AppError = { type: 'Conflict', data: { message: 'stale version', current: { kind: 'entity', row: { ...bldB, name: 'Warehouse', updatedAt: 'v-b9' } } } };
    const { calls, user } = renderApp({
      roots: [site],
      children: children(),
      handlers: {
        rename_entity: () => {
          throw conflict;
        },
      },
    });
    await expandSite(user);
    await user.click(screen.getByTestId('tree-row-site.building_b'));
    await user.keyboard('{F2}');
    await user.type(screen.getByTestId('rename-input'), ' new{Enter}');
    const error = await screen.findByTestId('rename-error');
    expect(error).toHaveTextContent('Changed by someone else');
    expect(error).toHaveTextContent('"Warehouse"');
    // No blind retry.
    expect(callsOf(calls, 'rename_entity')).toHaveLength(1);
    const before = callsOf(calls, 'list_children').length;
    await user.click(within(error).getByTestId('conflict-reload'));
    await waitFor(() => expect(callsOf(calls, 'list_children').length).toBe(before + 1));
    expect(screen.queryByTestId('rename-input')).toBeNull();
    expect(callsOf(calls, 'rename_entity')).toHaveLength(1);
  });
});

describe('delete', () => {
  it('Delete asks for confirmation naming the count, then deletes the selection', async () => {
    const { calls, user } = renderApp({
      roots: [site],
      children: children(),
      handlers: { delete_entity: (args) => ({ id: input(args).id, parentId: 'site', deleted: 1, deletedAt: '2025-03-01T00:00:00Z' }) },
    });
    await expandSite(user);
    await user.click(screen.getByTestId('tree-row-site.building_a'));
    await user.keyboard('{Control>}');
    await user.click(screen.getByTestId('tree-row-site.building_b'));
    await user.keyboard('{/Control}');
    await user.keyboard('{Delete}');

    expect(await screen.findByTestId('delete-question')).toHaveTextContent('Delete 2 entities and everything under them?');
    expect(callsOf(calls, 'delete_entity')).toHaveLength(0);
    await user.click(screen.getByTestId('confirm-delete'));
    await waitFor(() => expect(callsOf(calls, 'delete_entity')).toHaveLength(2));
    expect(callsOf(calls, 'delete_entity').map(input)).toEqual([
      { id: 'a', expectedUpdatedAt: 'v-a' },
      { id: 'b', expectedUpdatedAt: 'v-b' },
    ]);
    expect(await screen.findByText('2 entities deleted.')).toBeInTheDocument();
    expect(screen.queryByTestId('delete-question')).toBeNull();
  });

  it('Cancel deletes nothing', async () => {
    const { calls, user } = renderApp({ roots: [site], children: children() });
    await expandSite(user);
    await user.click(screen.getByTestId('tree-row-site.building_b'));
    await user.keyboard('{Delete}');
    expect(await screen.findByTestId('delete-question')).toHaveTextContent('Delete "Building B" and everything under it?');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByTestId('delete-question')).toBeNull();
    expect(callsOf(calls, 'delete_entity')).toHaveLength(0);
  });

  it('a Conflict keeps the dialog open with the current name and a Reload', async () => {
    const conflict: AppError = { type: 'Conflict', data: { message: 'stale', current: { kind: 'entity', row: { ...bldB, name: 'Depot B' } } } };
    const { calls, user } = renderApp({
      roots: [site],
      children: children(),
      handlers: {
        delete_entity: () => {
          throw conflict;
        },
      },
    });
    await expandSite(user);
    await user.click(screen.getByTestId('tree-row-site.building_b'));
    await user.keyboard('{Delete}');
    await user.click(await screen.findByTestId('confirm-delete'));
    const notice = await screen.findByTestId('conflict-notice');
    expect(notice).toHaveTextContent('Changed by someone else');
    expect(notice).toHaveTextContent('It is now named "Depot B"');
    expect(screen.queryByTestId('confirm-delete')).toBeNull();
    const before = callsOf(calls, 'list_children').length;
    await user.click(within(notice).getByTestId('conflict-reload'));
    await waitFor(() => expect(callsOf(calls, 'list_children').length).toBe(before + 1));
    expect(callsOf(calls, 'delete_entity')).toHaveLength(1);
  });
});

describe('drag to move', () => {
  function drag(from: HTMLElement, to: HTMLElement) {
    fireEvent.dragStart(from);
    fireEvent.dragOver(to);
    fireEvent.drop(to);
    fireEvent.dragEnd(from);
  }

  it('refuses (visibly, without a call) a drop onto a descendant or onto itself', async () => {
    const { calls, user } = renderApp({ roots: [site, office], children: children() });
    await expandSite(user);
    await user.click(screen.getByTestId('tree-toggle-site.building_a'));
    const roomRow = await screen.findByTestId('tree-row-site.building_a.room_1');

    fireEvent.dragStart(screen.getByTestId('tree-row-site'));
    fireEvent.dragOver(roomRow);
    expect(roomRow).toHaveAttribute('data-drop', 'invalid');
    expect(screen.getByTestId('tree-drop-top-level')).toHaveTextContent(`Can't move "Site" into its own descendant "Room 1".`);
    fireEvent.drop(roomRow);
    expect(await screen.findByText(`Can't move "Site" into its own descendant "Room 1".`)).toBeInTheDocument();

    drag(screen.getByTestId('tree-row-site.building_a'), screen.getByTestId('tree-row-site.building_a'));
    expect(await screen.findByText(`Can't move "Building A" into itself.`)).toBeInTheDocument();
    expect(screen.queryByTestId('move-question')).toBeNull();
    expect(callsOf(calls, 'move_entity')).toHaveLength(0);
  });

  it('moves the selection after confirmation, and Undo moves it back with the returned versions', async () => {
    const moved: Record<string, TreeNode> = {};
    const { calls, user } = renderApp({
      roots: [site, office],
      children: children(),
      handlers: {
        move_entity: (args): MoveStarted => {
          const { id, newParentId } = input(args) as { id: string; newParentId: string | null };
          const node = [bldA, bldB].find((n) => n.id === id)!;
          const previous = moved[id] ?? node;
          moved[id] = { ...previous, parentId: newParentId, updatedAt: `${previous.updatedAt}+` };
          return { kind: 'done', node: moved[id], oldParentId: previous.parentId };
        },
      },
    });
    await expandSite(user);
    await user.click(screen.getByTestId('tree-row-site.building_a'));
    await user.keyboard('{Shift>}');
    await user.click(screen.getByTestId('tree-row-site.building_b'));
    await user.keyboard('{/Shift}');
    // The range includes Room 1? No: Building A is collapsed, so A and B only.
    expect(selectedNames()).toEqual(['Building A', 'Building B']);

    const officeRow = screen.getByTestId('tree-row-office');
    fireEvent.dragStart(screen.getByTestId('tree-row-site.building_b'));
    fireEvent.dragOver(officeRow);
    expect(officeRow).toHaveAttribute('data-drop', 'ok');
    fireEvent.drop(officeRow);

    expect(await screen.findByTestId('move-question')).toHaveTextContent('Move 2 entities under Office?');
    await user.click(screen.getByTestId('confirm-move'));
    await waitFor(() => expect(callsOf(calls, 'move_entity')).toHaveLength(2));
    expect(callsOf(calls, 'move_entity').map(input)).toEqual([
      { id: 'a', expectedUpdatedAt: 'v-a', newParentId: 'office' },
      { id: 'b', expectedUpdatedAt: 'v-b', newParentId: 'office' },
    ]);

    await user.click(await screen.findByTestId('undo-move'));
    await waitFor(() => expect(callsOf(calls, 'move_entity')).toHaveLength(4));
    expect(callsOf(calls, 'move_entity').slice(2).map(input)).toEqual([
      { id: 'a', expectedUpdatedAt: 'v-a+', newParentId: 'site' },
      { id: 'b', expectedUpdatedAt: 'v-b+', newParentId: 'site' },
    ]);
    expect(await screen.findByText('Move undone')).toBeInTheDocument();
  });

  it('the "Top level" zone (or the empty area) moves to the top level', async () => {
    const { calls, user } = renderApp({
      roots: [site, office],
      children: children(),
      handlers: { move_entity: (args) => ({ kind: 'done', node: { ...room, parentId: null }, oldParentId: 'a', args }) },
    });
    await expandSite(user);
    await user.click(screen.getByTestId('tree-toggle-site.building_a'));
    const roomRow = await screen.findByTestId('tree-row-site.building_a.room_1');
    fireEvent.dragStart(roomRow);
    const zone = screen.getByTestId('tree-drop-top-level');
    fireEvent.dragOver(zone);
    expect(zone).toHaveAttribute('data-drop', 'ok');
    fireEvent.drop(zone);
    expect(await screen.findByTestId('move-question')).toHaveTextContent('Move "Room 1" to the top level?');
    await user.click(screen.getByTestId('confirm-move'));
    await waitFor(() => expect(callsOf(calls, 'move_entity').map(input)).toEqual([{ id: 'r', expectedUpdatedAt: 'v-r', newParentId: null }]));

    // The empty area of the tree is the top level too.
    fireEvent.dragStart(screen.getByTestId('tree-row-site.building_b'));
    const scroller = screen.getByTestId('tree-scroll');
    fireEvent.dragOver(scroller);
    fireEvent.drop(scroller);
    expect(await screen.findByTestId('move-question')).toHaveTextContent('Move "Building B" to the top level?');
  });

  it('a move of a large subtree runs as a job with progress and Cancel', async () => {
    const { calls, user } = renderApp({
      roots: [site, office],
      children: children(),
      handlers: {
        move_entity: (): MoveStarted => ({ kind: 'background', jobId: 'job-1', total: 20_000 }),
        cancel_job: () => true,
      },
    });
    await expandSite(user);
    fireEvent.dragStart(screen.getByTestId('tree-row-site.building_a'));
    fireEvent.dragOver(screen.getByTestId('tree-row-office'));
    fireEvent.drop(screen.getByTestId('tree-row-office'));
    await user.click(await screen.findByTestId('confirm-move'));

    const job = await screen.findByTestId('job-job-1');
    expect(job).toHaveTextContent('Moving "Building A"');
    expect(job).toHaveTextContent('0 / 20,000');
    const progress = async (payload: JobProgress) => act(async () => void (await emit('job-progress', payload)));
    await progress({ jobId: 'job-1', done: 5_000, total: 20_000, state: { state: 'running' } });
    expect(job).toHaveTextContent('5,000 / 20,000');
    expect(within(job).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '25');

    await user.click(screen.getByTestId('job-cancel-job-1'));
    expect(callsOf(calls, 'cancel_job')).toEqual([{ jobId: 'job-1' }]);
    await progress({ jobId: 'job-1', done: 6_000, total: 20_000, state: { state: 'cancelled' } });
    expect(job).toHaveAttribute('data-status', 'cancelled');
    expect(job).toHaveTextContent('Cancelled');

    // A committed job invalidates like a move.
    const before = callsOf(calls, 'list_children').length;
    await progress({ jobId: 'job-2', done: 10, total: 10, state: { state: 'committed', node: { ...bldA, parentId: 'office' }, oldParentId: 'site' } });
    expect(await screen.findByTestId('job-job-2')).toHaveAttribute('data-status', 'committed');
    await waitFor(() => expect(callsOf(calls, 'list_children').length).toBeGreaterThan(before));
  });
});

describe('context menu and shortcuts', () => {
  it('right-click offers the actions; Copy ID copies; Show history opens the History tab', async () => {
    const { user } = renderApp({
      roots: [site],
      children: children(),
      handlers: {
        entity_history: () => [
          { id: 'h1', occurredAt: '2025-03-01T10:00:00Z', action: 'entity.rename', actor: 'ana', source: 'studio', requestId: null, before: { name: 'Bldg B' }, after: { name: 'Building B' } },
        ],
      },
    });
    await expandSite(user);
    const row = screen.getByTestId('tree-row-site.building_b');
    fireEvent.contextMenu(row);
    const menu = await screen.findByTestId('tree-context-menu');
    for (const label of ['New child…', 'Rename', 'Move to…', 'Delete', 'Copy ID', 'Copy path', 'Show history']) {
      expect(within(menu).getByText(label)).toBeInTheDocument();
    }
    // Items are named by what they do; their key is announced as their shortcut.
    expect(within(menu).getByRole('menuitem', { name: 'Rename' })).toHaveAttribute('aria-keyshortcuts', 'F2');
    expect(within(menu).getByRole('menuitem', { name: 'Delete' })).toHaveAttribute('aria-keyshortcuts', 'Delete');
    expect(selectedNames()).toEqual(['Building B']);
    await user.click(within(menu).getByText('Copy ID'));
    expect(await navigator.clipboard.readText()).toBe('b');

    fireEvent.contextMenu(row);
    await user.click(within(await screen.findByTestId('tree-context-menu')).getByText('Show history'));
    const history = await screen.findByTestId('history-table');
    expect(history).toHaveTextContent('Renamed');
    expect(history).toHaveTextContent('ana');
    expect(within(history).getByTestId('history-change-name')).toHaveTextContent('Bldg B');
    expect(within(history).getByTestId('history-change-name')).toHaveTextContent('Building B');
  });

  it('Shift+F10 opens the menu for the focused row; Rename from it starts the inline rename', async () => {
    const { user } = renderApp({ roots: [site], children: children() });
    await expandSite(user);
    await user.click(screen.getByTestId('tree-row-site.building_a'));
    await user.keyboard('{Shift>}{F10}{/Shift}');
    const menu = await screen.findByTestId('tree-context-menu');
    expect(menu).toHaveTextContent('Building A');
    await user.click(within(menu).getByText('Rename'));
    expect(await screen.findByTestId('rename-input')).toHaveValue('Building A');
  });

  it('Ctrl+N creates a child of the selection (type + name)', async () => {
    const created = makeNode({ id: 'n', parentId: 'a', name: 'Room 2', pathLabel: 'site.building_a.room_2' });
    const { calls, user } = renderApp({
      roots: [site],
      children: children(),
      handlers: {
        list_entity_types: () => [makeType({ key: 'room', name: 'Room', icon: 'door' }), makeType({ key: 'floor', name: 'Floor' })],
        create_entity: () => created,
      },
    });
    await expandSite(user);
    await user.click(screen.getByTestId('tree-row-site.building_a'));
    await user.keyboard('{Control>}n{/Control}');
    const form = await screen.findByTestId('new-entity-form');
    expect(screen.getByText('New child of Building A')).toBeInTheDocument();
    await user.click(within(form).getByTestId('new-entity-type'));
    await user.click(await screen.findByRole('option', { name: 'Room' }));
    await user.type(within(form).getByTestId('new-entity-name'), 'Room 2');
    await user.click(within(form).getByTestId('new-entity-create'));
    await waitFor(() => expect(callsOf(calls, 'create_entity')).toHaveLength(1));
    expect(input(callsOf(calls, 'create_entity')[0])).toEqual({ typeKey: 'room', parentId: 'a', name: 'Room 2' });
    await waitFor(() => expect(screen.queryByTestId('new-entity-form')).toBeNull());
  });

  it('"Move to…" picks the new parent in a palette, refusing descendants', async () => {
    const { calls, user } = renderApp({
      roots: [site, office],
      children: children(),
      handlers: {
        search_entities: () => ({ hits: [office, room], total: 2, totalCapped: false }),
        move_entity: () => ({ kind: 'done', node: { ...bldA, parentId: 'office' }, oldParentId: 'site' }),
      },
    });
    await expandSite(user);
    fireEvent.contextMenu(screen.getByTestId('tree-row-site.building_a'));
    await user.click(within(await screen.findByTestId('tree-context-menu')).getByText('Move to…'));
    expect(screen.getByTestId('palette-top-level')).toBeInTheDocument();
    await user.type(screen.getByTestId('palette-input'), 'off');
    const roomHit = await screen.findByTestId('palette-hit-site.building_a.room_1');
    expect(roomHit).toHaveAttribute('aria-disabled', 'true');
    await user.click(roomHit);
    expect(screen.queryByTestId('move-question')).toBeNull();
    await user.click(screen.getByTestId('palette-hit-office'));
    expect(await screen.findByTestId('move-question')).toHaveTextContent('Move "Building A" under Office?');
    await user.click(screen.getByTestId('confirm-move'));
    await waitFor(() => expect(callsOf(calls, 'move_entity')).toHaveLength(1));
  });

  it('Ctrl+A selects every visible row', async () => {
    const { user } = renderApp({ roots: [site, office], children: children() });
    await expandSite(user);
    await focusedTree();
    await user.keyboard('{Control>}a{/Control}');
    expect(selectedNames()).toEqual(rowNames());
  });
});
