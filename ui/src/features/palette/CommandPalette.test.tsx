import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SearchResults } from '../../bindings';
import { focusedId, focusedTree, renderApp, selectedNames } from '../../test/app';
import { callsOf, makeChildren, makeNode } from '../../test/fixtures';

const site = makeNode({ id: 'site', name: 'Site', pathLabel: 'site', hasChildren: true });
const other = makeNode({ id: 'other', name: 'Other', pathLabel: 'other' });
const bldA = makeNode({ id: 'a', parentId: 'site', name: 'Building A', pathLabel: 'site.building_a', hasChildren: true, typeName: 'Building' });
const rooms = makeChildren(bldA, 1200, 'Room');
const boiler = { ...rooms[1099], name: 'Boiler Room', typeName: 'Room' };
rooms[1099] = boiler;

function backend(results: SearchResults) {
  return {
    roots: [site, other],
    children: { site: [bldA], a: rooms },
    handlers: { search_entities: () => results },
  };
}

describe('command palette (Ctrl+K)', () => {
  it('opens with Ctrl+K and Cmd+K, needs 3 characters, and debounces the search', async () => {
    const { calls, user } = renderApp(backend({ hits: [boiler], total: 1000, totalCapped: true }));
    await focusedTree();
    await user.keyboard('{Control>}k{/Control}');
    const input = await screen.findByTestId('palette-input');
    expect(input).toHaveFocus();
    expect(screen.getByTestId('palette-status')).toHaveTextContent('Type at least 3 characters');

    await user.type(input, 'bo');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(callsOf(calls, 'search_entities')).toHaveLength(0);

    await user.type(input, 'iler');
    expect(await screen.findByTestId('palette-hit-site.building_a.room_1100')).toHaveTextContent('Boiler Room');
    // One search for the whole burst of keys, with the final text.
    expect(callsOf(calls, 'search_entities')).toEqual([{ query: 'boiler', limit: 50 }]);
    expect(screen.getByTestId('palette-status')).toHaveTextContent('1,000+ matches');
    const hit = screen.getByTestId('palette-hit-site.building_a.room_1100');
    expect(hit).toHaveTextContent('Room');
    expect(hit).toHaveTextContent('site.building_a.room_1100');

    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('palette-input')).toBeNull());
    await user.keyboard('{Meta>}k{/Meta}');
    expect(await screen.findByTestId('palette-input')).toBeInTheDocument();
  });

  it('Enter reveals the entity: expands its ancestors, loads its page, selects it', async () => {
    const { calls, user } = renderApp(backend({ hits: [boiler], total: 1, totalCapped: false }));
    await focusedTree();
    await user.keyboard('{Control>}k{/Control}');
    await user.type(await screen.findByTestId('palette-input'), 'boiler');
    await screen.findByTestId('palette-hit-site.building_a.room_1100');
    expect(screen.getByTestId('palette-status')).toHaveTextContent('1 match');
    await user.keyboard('{Enter}');

    const row = await screen.findByTestId('tree-row-site.building_a.room_1100');
    expect(row).toHaveAttribute('aria-selected', 'true');
    expect(selectedNames()).toEqual(['Boiler Room']);
    expect(focusedId()).toBe(boiler.id);
    expect(row).toHaveAttribute('aria-level', '3');
    // Site, Building A, all 1,200 rooms (three pages), Other.
    expect(screen.getByRole('tree')).toHaveAttribute('data-row-count', String(2 + 1200 + 1));
    expect(callsOf(calls, 'get_entity')).toContainEqual({ id: boiler.id });
    // The pages up to the one holding the entity.
    expect(callsOf(calls, 'list_children').filter((a) => a?.parentId === 'a')).toEqual([
      { parentId: 'a', after: null, limit: 500 },
      { parentId: 'a', after: 'site.building_a.room_500', limit: 500 },
      { parentId: 'a', after: 'site.building_a.room_1000', limit: 500 },
    ]);
    expect(screen.getAllByRole('treeitem').length).toBeLessThan(100);
    expect(await screen.findByTestId('details-name')).toHaveTextContent('Boiler Room');
    expect(screen.getByRole('tree')).toHaveFocus();
  });

  it('shows search errors by type', async () => {
    const { user } = renderApp({
      roots: [site],
      handlers: {
        search_entities: () => {
          throw { type: 'Validation', data: { message: 'query too short' } };
        },
      },
    });
    await focusedTree();
    await user.keyboard('{Control>}k{/Control}');
    await user.type(await screen.findByTestId('palette-input'), 'abc');
    await waitFor(() => expect(screen.getByTestId('palette-status')).toHaveTextContent('Invalid request: query too short'));
    expect(within(screen.getByRole('dialog')).queryByRole('option')).toBeNull();
  });
});
