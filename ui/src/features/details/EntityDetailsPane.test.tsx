import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../bindings';
import { focusedId, renderApp } from '../../test/app';
import { ALICE, makeNode, sessionOn, type FakeBackend } from '../../test/fixtures';

const site = makeNode({ id: 'site', name: 'Main Site', pathLabel: 'main_site', icon: 'map-pin', hasChildren: true });
const bld = makeNode({ id: 'bld', parentId: 'site', name: 'Building A', pathLabel: 'main_site.building_a', hasChildren: true, typeKey: 'building', typeName: 'Building' });
const room = makeNode({ id: 'room-7', parentId: 'bld', name: 'Boiler Room', pathLabel: 'main_site.building_a.boiler_room', icon: 'door', typeKey: 'room', typeName: 'Room' });

const history: HistoryEntry[] = [
  { id: 'h2', occurredAt: '2025-03-02T10:00:00Z', action: 'entity.move', actor: 'ben', source: 'studio', requestId: null, before: { parentId: 'x' }, after: { parentId: 'bld' } },
  { id: 'h1', occurredAt: '2025-03-01T10:00:00Z', action: 'entity.create', actor: 'ana', source: 'import', requestId: null, before: null, after: { name: 'Boiler Room', pathLabel: 'main_site.building_a.boiler_room' } },
];

describe('entity detail pane', () => {
  it('shows breadcrumb, name, type, path, ids, dates and the subtree count; the breadcrumb reveals', async () => {
    const { user } = renderApp({
      roots: [site],
      children: { site: [bld], bld: [room] },
      handlers: { subtree_count: (args) => (args?.id === 'room-7' ? 1 : 1234), entity_history: () => history },
    });
    expect(await screen.findByTestId('details-empty')).toBeInTheDocument();
    await user.click(await screen.findByTestId('tree-toggle-main_site'));
    await user.click(await screen.findByTestId('tree-toggle-main_site.building_a'));
    await user.click(await screen.findByTestId('tree-row-main_site.building_a.boiler_room'));

    const details = await screen.findByTestId('node-details');
    expect(within(details).getByTestId('details-name')).toHaveTextContent('Boiler Room');
    expect(within(details).getByTestId('details-path')).toHaveTextContent('main_site.building_a.boiler_room');
    expect(within(details).getByTestId('details-id')).toHaveTextContent('room-7');
    expect(details).toHaveTextContent('Room');
    expect(details).toHaveTextContent('bld');
    expect(within(details).getByTestId('details-created')).not.toBeEmptyDOMElement();
    expect(await within(details).findByTestId('details-subtree-count')).toHaveTextContent('1 entity in this subtree');
    const crumbs = within(details).getByTestId('details-breadcrumb');
    expect(crumbs).toHaveTextContent('Main Site');
    expect(crumbs).toHaveTextContent('Building A');

    // History tab.
    await user.click(screen.getByTestId('details-history-tab'));
    const rows = await screen.findAllByTestId('history-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Moved');
    expect(rows[0]).toHaveTextContent('ben');
    expect(rows[0]).toHaveTextContent('via studio');
    expect(within(rows[0]).getByTestId('history-change-parentId')).toHaveTextContent('bld');
    expect(rows[1]).toHaveTextContent('Created');
    expect(within(rows[1]).getByTestId('history-change-name')).toHaveTextContent('Boiler Room');

    // Clicking an ancestor in the breadcrumb selects it in the tree.
    await user.click(screen.getByRole('tab', { name: 'Overview' }));
    await user.click(await screen.findByTestId('crumb-bld'));
    await waitFor(() => expect(focusedId()).toBe('bld'));
    expect(await screen.findByTestId('details-subtree-count')).toHaveTextContent('1,234 entities in this subtree');
  });

  it('shows a deleted entity as in the trash', async () => {
    const { user } = renderApp({
      roots: [site],
      handlers: { get_entity: () => ({ node: site, createdAt: '2025-01-01T00:00:00Z', deletedAt: '2025-03-01T00:00:00Z', breadcrumb: [] }) },
    });
    await user.click(await screen.findByTestId('tree-row-main_site'));
    expect(await screen.findByTestId('details-deleted')).toHaveTextContent('In the trash');
  });
});

describe('what the person may change', () => {
  /** The app signed in as `session`, with the Boiler Room (two levels under its root) shown. */
  async function showRoom(session: FakeBackend['session'], handlers: FakeBackend['handlers'] = {}) {
    const app = renderApp({ roots: [site], children: { site: [bld], bld: [room] }, session, handlers });
    await app.user.click(await screen.findByTestId('tree-toggle-main_site'));
    await app.user.click(await screen.findByTestId('tree-toggle-main_site.building_a'));
    await app.user.click(await screen.findByTestId('tree-row-main_site.building_a.boiler_room'));
    expect(await screen.findByTestId('details-name')).toHaveTextContent('Boiler Room');
    return app;
  }

  it('says once, on every tab, why an entity under a root the person may only read cannot be changed', async () => {
    const { user } = await showRoom(sessionOn('site', ['read']));
    const notice = await screen.findByTestId('details-read-only');
    expect(notice).toHaveAttribute('role', 'status');
    // The root is found from the entity's path, two levels up.
    expect(notice).toHaveTextContent("Read-only: you need the 'write' capability on Main Site");
    // Reading goes on as usual.
    expect(await screen.findByTestId('details-subtree-count')).toHaveTextContent('1 entity in this subtree');
    for (const tab of ['details-links-tab', 'details-history-tab']) {
      await user.click(screen.getByTestId(tab));
      expect(screen.getAllByTestId('details-read-only')).toHaveLength(1);
    }
  });

  it('says nothing to a person who may write there', async () => {
    await showRoom(sessionOn('site', ['read', 'write']));
    // Once the session is known (the badge shows it), the pane is final.
    expect(await screen.findByTestId('session-info')).toHaveTextContent('Alice Ng');
    expect(screen.getByTestId('details-subtree-count')).toBeInTheDocument();
    expect(screen.queryByTestId('details-read-only')).toBeNull();
  });

  it('refuses every change while an administrator views as someone, whatever that person may do', async () => {
    await showRoom(sessionOn('site', ['read', 'write']), { viewing_as: () => ALICE });
    expect(await screen.findByTestId('details-read-only')).toHaveTextContent('Viewing as Alice Ng: nothing can be changed');
  });
});
