import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../bindings';
import { focusedId, renderApp } from '../../test/app';
import { makeNode } from '../../test/fixtures';

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
