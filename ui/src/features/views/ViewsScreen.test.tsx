import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppError, BulkEdit, BulkPreview, NewView, SavedView, VersionedId, ViewDocument, ViewPage, ViewRow, ViewUpdate } from '../../bindings';
import { renderApp } from '../../test/app';
import { callsOf, makeNode, makeType, sendRegistryChanged, T0, type FakeBackend, type Handler, type IpcArgs } from '../../test/fixtures';
import { makeDefinition } from '../../test/propertyFixtures';

// jsdom does no layout: give the table's grid a viewport so rows are drawn.
const restore: (() => void)[] = [];
beforeAll(() => {
  for (const prop of ['offsetHeight', 'clientHeight', 'offsetWidth', 'clientWidth'] as const) {
    const original = Object.getOwnPropertyDescriptor(HTMLElement.prototype, prop)!;
    Object.defineProperty(HTMLElement.prototype, prop, {
      configurable: true,
      get(this: HTMLElement) {
        if (this.getAttribute('role') === 'grid') return prop.endsWith('Height') ? 400 : 1200;
        return original.get!.call(this);
      },
    });
    restore.push(() => Object.defineProperty(HTMLElement.prototype, prop, original));
  }
});
afterAll(() => restore.forEach((undo) => undo()));

const status = makeDefinition({
  key: 'status',
  valueType: 'single_select',
  rules: { options: [{ key: 'ok', label: 'Running', color: null }, { key: 'fault', label: 'Fault', color: null }] },
});
const pump = makeType({ key: 'pump', name: 'Pump', icon: 'gauge' });
const site = makeNode({ id: 'site', name: 'North Campus', pathLabel: 'north_campus' });

const pumpsDocument: ViewDocument = {
  version: 2,
  filter: { type: ['pump'] },
  columns: [{ field: 'name' }, { field: 'property:status' }],
  sort: [{ field: 'name', descending: false }],
  groupBy: null,
  pageSize: 50,
  viewType: 'table',
};

const savedView = (id: string, name: string, fields: Partial<SavedView> = {}): SavedView => ({
  id,
  key: null,
  name,
  description: null,
  viewType: 'table',
  ownerUserId: 'person-eco_admin',
  rootEntityId: null,
  config: pumpsDocument as SavedView['config'],
  createdAt: T0,
  updatedAt: `${id}-v1`,
  deletedAt: null,
  ...fields,
});

const pumps = savedView('pumps', 'Pumps', { ownerUserId: null });
const mine = savedView('mine', 'My faults', { viewType: 'board', config: { ...pumpsDocument, groupBy: 'status', viewType: 'board' } as SavedView['config'] });
const chillers = savedView('chillers', 'Chillers', { ownerUserId: null, viewType: 'tree' });

const rows: ViewRow[] = [1, 2, 3].map((n) => ({
  id: `p${n}`,
  name: `Pump ${n}`,
  pathLabel: `north_campus.pump_${n}`,
  entityTypeId: pump.id,
  parentId: 'site',
  properties: { status: n === 2 ? 'fault' : 'ok' },
  updatedAt: T0,
}));

const input = <T,>(args: IpcArgs) => (args as { input: T }).input;

/** A backend holding saved views that create, update, delete and restore change. */
function backend(handlers: Record<string, Handler> = {}, initial: SavedView[] = [pumps, mine, chillers]): FakeBackend {
  let views = [...initial];
  let version = 1;
  const next = () => `v${++version}`;
  return {
    roots: [site],
    children: { site: [] },
    handlers: {
      list_views: () => views.filter((v) => v.deletedAt === null),
      view_page: (): ViewPage => ({ rows, next: null }),
      view_count: () => ({ count: 1234, exact: true }),
      view_tree: () => ({ nodes: [], truncated: false }),
      list_property_definitions: () => [status],
      list_property_groups: () => [],
      list_entity_types: () => [pump],
      create_view: (args) => {
        const view = input<NewView>(args);
        const created = savedView(`new-${views.length}`, view.name, { ownerUserId: view.shared ? null : 'person-eco_admin', config: view.document as SavedView['config'], key: view.key, rootEntityId: view.rootId });
        views.push(created);
        return created;
      },
      update_view: (args) => {
        const update = input<ViewUpdate>(args);
        const view = views.find((v) => v.id === update.id)!;
        const updated = { ...view, name: update.name, description: update.description, config: update.document as SavedView['config'], updatedAt: next() };
        views = views.map((v) => (v.id === view.id ? updated : v));
        return updated;
      },
      duplicate_view: (args) => {
        const { id, shared } = args as { id: string; shared: boolean };
        const source = views.find((v) => v.id === id)!;
        const copy = { ...source, id: `${id}-copy`, name: `${source.name} (copy)`, ownerUserId: shared ? null : 'person-eco_admin', updatedAt: next() };
        views.push(copy);
        return copy;
      },
      delete_view: (args) => {
        const { id } = input<VersionedId>(args);
        const deleted = { ...views.find((v) => v.id === id)!, deletedAt: 'T9', updatedAt: `${id}-deleted` };
        views = views.map((v) => (v.id === id ? deleted : v));
        return deleted;
      },
      restore_view: (args) => {
        const { id } = input<VersionedId>(args);
        const restored = { ...views.find((v) => v.id === id)!, deletedAt: null, updatedAt: `${id}-restored` };
        views = views.map((v) => (v.id === id ? restored : v));
        return restored;
      },
      ...handlers,
    },
  };
}

type User = ReturnType<typeof renderApp>['user'];

async function openViews(handlers: Record<string, Handler> = {}, initial?: SavedView[]) {
  const rendered = renderApp(backend(handlers, initial));
  await rendered.user.click(within(await screen.findByTestId('view-switch')).getByText('Views'));
  await screen.findByTestId('views-screen');
  return rendered;
}

async function open(user: User, id: string) {
  await user.click(await screen.findByTestId(`view-open-${id}`));
  await waitFor(() => expect(screen.getByTestId(`view-item-${id}`)).toHaveAttribute('data-active'));
}

const listed = (testId: string) =>
  within(screen.getByTestId(testId))
    .queryAllByRole('button', { name: /./ })
    .filter((b) => b.dataset.testid?.startsWith('view-open-'))
    .map((b) => b.textContent);

// Whole-app flows through several dialogs: slower than the default limit under load.
describe('ViewsScreen', { timeout: 20_000 }, () => {
  it('lists personal and shared views with their type, and searches them', async () => {
    const { user } = await openViews();
    await screen.findByTestId('view-open-pumps');
    expect(listed('views-personal')).toEqual(['My faults']);
    expect(listed('views-shared')).toEqual(['Chillers', 'Pumps']);
    expect(within(screen.getByTestId('view-item-mine')).getByRole('img', { name: 'Board view' })).toBeInTheDocument();
    expect(within(screen.getByTestId('view-item-chillers')).getByRole('img', { name: 'Tree view' })).toBeInTheDocument();

    await user.type(screen.getByTestId('views-search'), 'pum');
    expect(screen.queryByTestId('views-personal')).toBeNull();
    expect(listed('views-shared')).toEqual(['Pumps']);
    await user.clear(screen.getByTestId('views-search'));
    await user.type(screen.getByTestId('views-search'), 'zzz');
    expect(screen.getByTestId('views-empty')).toHaveTextContent('No view matches.');
  });

  it('opens a view: its name, its count, and its rows read with its document', async () => {
    const { calls, user } = await openViews({ view_count: () => ({ count: 120000, exact: false }) });
    expect(await screen.findByTestId('view-title')).toHaveTextContent('Untitled view');
    await open(user, 'pumps');
    expect(screen.getByTestId('view-title')).toHaveTextContent('Pumps');
    expect(screen.getByTestId('view-owner')).toHaveTextContent('Shared');
    expect(await screen.findByTestId('view-count')).toHaveTextContent('≈ 120,000 rows');
    expect(await screen.findByTestId('view-cell-p2-property:status')).toHaveTextContent('Fault');
    const read = callsOf(calls, 'view_page').map((args) => (args as { document: ViewDocument }).document);
    expect(read.at(-1)?.filter).toEqual({ type: ['pump'] });
    expect(screen.queryByTestId('view-dirty')).toBeNull();
    expect(screen.getByTestId('view-save')).toBeDisabled();
  });

  it('saves the draft against the version it was opened at; Ctrl+S saves too', async () => {
    const { calls, user } = await openViews();
    await open(user, 'pumps');
    await screen.findByTestId('view-row-p1');
    await user.click(screen.getByTestId('view-sort-property:status'));
    expect(screen.getByTestId('view-dirty')).toHaveTextContent('Unsaved changes');
    await user.click(screen.getByTestId('view-save'));

    await waitFor(() => expect(callsOf(calls, 'update_view')).toHaveLength(1));
    const update = input<ViewUpdate>(callsOf(calls, 'update_view')[0]);
    expect(update).toMatchObject({ id: 'pumps', expectedUpdatedAt: 'pumps-v1', name: 'Pumps', description: null });
    expect(update.document.sort).toEqual([{ field: 'property:status', descending: false }]);
    expect(update.document.filter).toEqual({ type: ['pump'] });
    await waitFor(() => expect(screen.queryByTestId('view-dirty')).toBeNull());

    // The next save goes against the version that save returned.
    await user.click(screen.getByTestId('view-sort-property:status'));
    act(() => {
      fireEvent.keyDown(document.body, { key: 's', code: 'KeyS', ctrlKey: true });
    });
    await waitFor(() => expect(callsOf(calls, 'update_view')).toHaveLength(2));
    const second = input<ViewUpdate>(callsOf(calls, 'update_view')[1]);
    expect(second.expectedUpdatedAt).toBe('v2');
    expect(second.document.sort).toEqual([{ field: 'property:status', descending: true }]);
  });

  it('shows a save refused because someone else saved the view, and Reload takes their version', async () => {
    const theirs = { ...pumps, updatedAt: 'pumps-v9', config: { ...pumpsDocument, sort: [{ field: 'name', descending: true }] } as SavedView['config'] };
    const conflict: AppError = { type: 'Conflict', data: { message: 'changed', current: { kind: 'savedView', row: theirs } } };
    let refused = false;
    const { calls, user } = await openViews({
      list_views: () => (refused ? [theirs] : [pumps]),
      update_view: () => {
        refused = true;
        throw conflict;
      },
    });
    await open(user, 'pumps');
    await screen.findByTestId('view-row-p1');
    await user.click(screen.getByTestId('view-sort-property:status'));
    await user.click(screen.getByTestId('view-save'));

    const notice = await screen.findByTestId('conflict-notice');
    expect(notice).toHaveTextContent('Could not save "Pumps": Changed by someone else');
    expect(screen.getByTestId('view-dirty')).toBeInTheDocument();
    const listsBefore = callsOf(calls, 'list_views').length;
    await user.click(within(notice).getByTestId('conflict-reload'));
    await waitFor(() => expect(screen.queryByTestId('conflict-notice')).toBeNull());
    expect(screen.queryByTestId('view-dirty')).toBeNull();
    expect(screen.getByTestId('view-header-name')).toHaveAttribute('aria-sort', 'descending');
    await waitFor(() => expect(callsOf(calls, 'list_views').length).toBeGreaterThan(listsBefore));
  });

  it('"Save as…" a shared view pinned to a root, then opens it', async () => {
    const { calls, user } = await openViews();
    await screen.findByTestId('view-title');
    // A new view: Save asks for a name.
    await user.click(screen.getByTestId('view-save'));
    await user.type(await screen.findByTestId('view-save-as-name'), 'Faulty pumps');
    await user.type(screen.getByTestId('view-save-as-key'), 'faulty_pumps');
    await user.click(screen.getByTestId('view-save-as-shared'));
    await user.click(screen.getByTestId('view-save-as-root'));
    await user.click(await screen.findByRole('option', { name: 'North Campus' }));
    await user.click(screen.getByTestId('view-save-as-submit'));

    await waitFor(() => expect(callsOf(calls, 'create_view')).toHaveLength(1));
    const created = input<NewView>(callsOf(calls, 'create_view')[0]);
    expect(created).toMatchObject({ name: 'Faulty pumps', key: 'faulty_pumps', description: null, shared: true, rootId: 'site' });
    expect(created.document.version).toBe(2);
    expect(await screen.findByTestId('view-title')).toHaveTextContent('Faulty pumps');
    expect(screen.getByTestId('view-owner')).toHaveTextContent('Shared');
    expect(listed('views-shared')).toContain('Faulty pumps');
  });

  it('a personal save as sends shared: false', async () => {
    const { calls, user } = await openViews();
    await open(user, 'pumps');
    await user.click(screen.getByTestId('view-save-as'));
    const name = await screen.findByTestId('view-save-as-name');
    expect(name).toHaveValue('Pumps (copy)');
    await user.click(screen.getByTestId('view-save-as-submit'));
    await waitFor(() => expect(callsOf(calls, 'create_view')).toHaveLength(1));
    expect(input<NewView>(callsOf(calls, 'create_view')[0])).toMatchObject({ shared: false, rootId: null, key: null });
  });

  it('deletes a view from its menu, and Undo restores it against the version the delete returned', async () => {
    const { calls, user } = await openViews();
    await open(user, 'pumps');
    await user.click(screen.getByTestId('view-menu-pumps'));
    await user.click(await screen.findByTestId('view-delete'));

    await waitFor(() => expect(callsOf(calls, 'delete_view')).toEqual([{ input: { id: 'pumps', expectedUpdatedAt: 'pumps-v1' } }]));
    await waitFor(() => expect(screen.queryByTestId('view-open-pumps')).toBeNull());
    // The open view was the deleted one: a new view is open now.
    expect(screen.getByTestId('view-title')).toHaveTextContent('Untitled view');

    await user.click(await screen.findByTestId('undo-view-delete'));
    await waitFor(() => expect(callsOf(calls, 'restore_view')).toEqual([{ input: { id: 'pumps', expectedUpdatedAt: 'pumps-deleted' } }]));
    expect(await screen.findByTestId('view-open-pumps')).toBeInTheDocument();
    expect(await screen.findByText('View restored')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('view-title')).toHaveTextContent('Pumps'));
  });

  it('duplicates a view as shared and opens the copy; renames one', async () => {
    const { calls, user } = await openViews();
    await screen.findByTestId('view-open-mine');
    await user.click(screen.getByTestId('view-menu-mine'));
    await user.click(await screen.findByTestId('view-duplicate-shared'));
    await waitFor(() => expect(callsOf(calls, 'duplicate_view')).toEqual([{ id: 'mine', shared: true }]));
    expect(await screen.findByTestId('view-title')).toHaveTextContent('My faults (copy)');
    expect(listed('views-shared')).toContain('My faults (copy)');

    await user.click(screen.getByTestId('view-menu-pumps'));
    await user.click(await screen.findByTestId('view-rename'));
    const name = await screen.findByTestId('view-rename-name');
    await user.clear(name);
    await user.type(name, 'All pumps');
    await user.click(screen.getByTestId('view-rename-submit'));
    await waitFor(() => expect(callsOf(calls, 'update_view')).toHaveLength(1));
    expect(input<ViewUpdate>(callsOf(calls, 'update_view')[0])).toMatchObject({ id: 'pumps', expectedUpdatedAt: 'pumps-v1', name: 'All pumps', document: pumpsDocument });
    expect(await screen.findByTestId('view-open-pumps')).toHaveTextContent('All pumps');
  });

  it('shows why a document cannot run instead of an empty table', async () => {
    const refusal: AppError = { type: 'Validation', data: { message: 'there is no property with the key "gone"', field: 'filter.all[0].property.key', rule: 'reference' } };
    const { user } = await openViews({
      view_count: () => {
        throw refusal;
      },
      view_page: () => {
        throw refusal;
      },
    });
    await open(user, 'pumps');
    const notice = await screen.findByTestId('error-notice');
    expect(notice).toHaveTextContent('This view cannot run (filter.all[0].property.key)');
    expect(notice).toHaveTextContent('there is no property with the key "gone"');
    expect(within(screen.getByTestId('view-body')).getByText('Change the view in Filter & columns to see its rows.')).toBeInTheDocument();
    expect(screen.queryByTestId('view-table')).toBeNull();
    expect(screen.getByTestId('view-export')).toBeDisabled();
  });

  it('offers the board only when grouped; switching to the tree makes the draft unsaved', async () => {
    const { calls, user } = await openViews();
    await open(user, 'pumps');
    const board = within(screen.getByTestId('view-type')).getByRole('radio', { name: 'Board' });
    expect(board).toBeDisabled();
    await user.click(within(screen.getByTestId('view-type')).getByText('Tree'));
    await waitFor(() => expect(callsOf(calls, 'view_tree')).toHaveLength(1));
    expect((callsOf(calls, 'view_tree')[0] as { document: ViewDocument }).document.viewType).toBe('tree');
    expect(screen.getByTestId('view-dirty')).toBeInTheDocument();

    await open(user, 'mine');
    expect(within(screen.getByTestId('view-type')).getByRole('radio', { name: 'Board' })).toBeEnabled();
    expect(within(screen.getByTestId('view-type')).getByRole('radio', { name: 'Board' })).toBeChecked();
  });

  it('bulk edits every row of the view, or the selected rows, naming them', async () => {
    const preview: BulkPreview = { targets: 0, changing: 0, samples: [] };
    const { calls, user } = await openViews({ bulk_preview: () => preview });
    await open(user, 'pumps');
    await screen.findByTestId('view-row-p1');
    await screen.findByText('1,234 rows');

    await user.click(screen.getByTestId('view-bulk-menu'));
    expect(await screen.findByTestId('view-bulk-selected')).toBeDisabled();
    await user.click(screen.getByTestId('view-bulk-all'));
    const dialog = await screen.findByTestId('bulk-edit-dialog');
    expect(screen.getByText('Bulk edit all 1,234 rows of "Pumps"')).toBeInTheDocument();
    expect(within(dialog).getByTestId('bulk-target')).toHaveTextContent('All 1,234 rows of "Pumps"');
    await user.click(within(dialog).getByRole('radio', { name: 'Clear property' }));
    await user.click(screen.getByTestId('bulk-property'));
    await user.click(await screen.findByRole('option', { name: /^Status/ }));
    await user.click(screen.getByTestId('bulk-preview-button'));
    await waitFor(() => expect(callsOf(calls, 'bulk_preview')).toHaveLength(1));
    const edit = (callsOf(calls, 'bulk_preview')[0] as { edit: BulkEdit }).edit;
    expect(edit.target).toEqual({ kind: 'view', document: pumpsDocument });
    expect(edit.action).toEqual({ kind: 'setProperty', definitionId: status.id, value: null });
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('bulk-edit-dialog')).toBeNull());

    await user.click(screen.getByTestId('view-cell-p1-name'));
    await user.keyboard('{Shift>}');
    await user.click(screen.getByTestId('view-cell-p2-name'));
    await user.keyboard('{/Shift}');
    await user.click(screen.getByTestId('view-bulk-menu'));
    const selected = await screen.findByTestId('view-bulk-selected');
    expect(selected).toHaveTextContent('2 selected rows');
    await user.click(selected);
    const second = await screen.findByTestId('bulk-edit-dialog');
    expect(within(second).getByTestId('bulk-target')).toHaveTextContent('The 2 selected rows');
    await user.click(within(second).getByRole('radio', { name: 'Clear property' }));
    await user.click(screen.getByTestId('bulk-property'));
    await user.click(await screen.findByRole('option', { name: /^Status/ }));
    await user.click(screen.getByTestId('bulk-preview-button'));
    await waitFor(() => expect(callsOf(calls, 'bulk_preview')).toHaveLength(2));
    expect((callsOf(calls, 'bulk_preview')[1] as { edit: BulkEdit }).edit.target).toEqual({ kind: 'entities', ids: ['p1', 'p2'] });
  });

  it('follows a save made in another window while the draft has no edits', async () => {
    let views = [pumps];
    const { calls, user } = await openViews({ list_views: () => views });
    await open(user, 'pumps');
    await screen.findByTestId('view-row-p1');
    views = [{ ...pumps, updatedAt: 'pumps-v5', config: { ...pumpsDocument, columns: [{ field: 'name' }] } as SavedView['config'] }];
    await sendRegistryChanged({ kind: 'viewsChanged', id: 'pumps' });
    await waitFor(() => expect(screen.queryByTestId('view-header-property:status')).toBeNull());
    expect(screen.queryByTestId('view-dirty')).toBeNull();
    expect(callsOf(calls, 'list_views').length).toBeGreaterThan(1);
  });
});
