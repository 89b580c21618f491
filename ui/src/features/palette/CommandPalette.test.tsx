import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { SavedView, SearchResults, TreeNode } from '../../bindings';
import { useWorkspace, WorkspaceProvider } from '../../shared/WorkspaceContext';
import { focusedId, focusedTree, renderApp, selectedNames } from '../../test/app';
import { callsOf, installBackend, makeChildren, makeNode, renderWithProviders, T0 } from '../../test/fixtures';
import { CommandPalette, matchingActions, matchingViews, offersNewView, PALETTE_ACTIONS, VIEW_LIMIT } from './CommandPalette';

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

const savedView = (id: string, name: string, fields: Partial<SavedView> = {}): SavedView => ({
  id,
  key: null,
  name,
  description: null,
  viewType: 'table',
  ownerUserId: null,
  rootEntityId: null,
  config: { version: 2 },
  createdAt: T0,
  updatedAt: T0,
  deletedAt: null,
  ...fields,
});

const views = [
  savedView('v-boilers', 'Boilers east', { viewType: 'board', description: 'By status' }),
  savedView('v-pumps', 'Pumps', { ownerUserId: 'person-eco_admin' }),
  savedView('v-old', 'Old boilers', { deletedAt: T0 }),
];

/** Where the workspace is: its screen and the saved view it opened. */
function WorkspaceProbe() {
  const { view, openedViewId, dataTab } = useWorkspace();
  return (
    <>
      <output data-testid="workspace-probe">{`${view}:${openedViewId ?? 'new'}`}</output>
      <output data-testid="data-tab-probe">{dataTab}</output>
    </>
  );
}

function renderPalette(props: Partial<Parameters<typeof CommandPalette>[0]> = {}, hits: TreeNode[] = []) {
  const calls = installBackend({
    handlers: {
      list_views: () => views,
      search_entities: (args) => {
        const found = hits.filter((h) => h.name.toLowerCase().includes(String(args?.query).toLowerCase()));
        return { hits: found, total: found.length, totalCapped: false };
      },
    },
  });
  const onPick = vi.fn();
  const onClose = vi.fn();
  const user = userEvent.setup();
  renderWithProviders(
    <WorkspaceProvider>
      <WorkspaceProbe />
      <CommandPalette title="Find" onPick={onPick} onClose={onClose} {...props} />
    </WorkspaceProvider>,
  );
  return { calls, onPick, onClose, user };
}

const optionIds = () => within(screen.getByRole('listbox')).getAllByRole('option').map((o) => o.dataset.testid);

describe('command palette: saved views', () => {
  it('lists the live saved views as "Open view: …", a "New view" command and the commands before any text', async () => {
    renderPalette();
    expect(await screen.findByTestId('palette-view-v-boilers')).toHaveTextContent('Open view: Boilers east');
    expect(screen.getByTestId('palette-view-v-boilers')).toHaveTextContent('By status');
    expect(screen.getByTestId('palette-view-v-pumps')).toHaveTextContent('Your saved view');
    expect(optionIds().slice(0, 5)).toEqual(['palette-view-v-boilers', 'palette-view-v-pumps', 'palette-new-view', 'palette-action-data-packs', 'palette-action-data-import']);
    // Then every other command of the screen shown (the registry) and of the app.
    expect(optionIds()).toContain('palette-action-go-dashboards');
    expect(optionIds()).toContain('palette-action-registry-rename');
    expect(optionIds()).not.toContain('palette-action-dashboards-edit');
  });

  it('keeps the views whose name holds the typed text, before the entities found', async () => {
    const { user } = renderPalette({}, [boiler]);
    await screen.findByTestId('palette-view-v-boilers');
    await user.type(screen.getByTestId('palette-input'), 'BOIL');
    await screen.findByTestId('palette-hit-site.building_a.room_1100');
    expect(optionIds()).toEqual(['palette-view-v-boilers', 'palette-hit-site.building_a.room_1100']);
    await user.clear(screen.getByTestId('palette-input'));
    await user.type(screen.getByTestId('palette-input'), 'new view');
    await waitFor(() => expect(optionIds()).toEqual(['palette-new-view']));
  });

  it('Enter on a view opens it in the Views screen and closes the palette', async () => {
    const { onClose, onPick, user } = renderPalette();
    await screen.findByTestId('palette-view-v-boilers');
    expect(screen.getByTestId('workspace-probe')).toHaveTextContent('registry:new');
    await user.keyboard('{ArrowDown}{Enter}');
    expect(screen.getByTestId('workspace-probe')).toHaveTextContent('views:v-pumps');
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(onPick).not.toHaveBeenCalled();
  });

  it('"New view" opens the Views screen on a new view', async () => {
    const { onClose, user } = renderPalette();
    await user.click(await screen.findByTestId('palette-new-view'));
    expect(screen.getByTestId('workspace-probe')).toHaveTextContent('views:new');
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('"Data: Packs" and "Data: Import a file" open those tabs of the Data screen', async () => {
    const { onClose, onPick, user } = renderPalette();
    await user.type(screen.getByTestId('palette-input'), 'import');
    await waitFor(() => expect(optionIds()).toEqual(['palette-action-data-import', 'palette-action-data-runs', 'palette-action-dashboards-import-readings']));
    expect(screen.getByTestId('palette-action-data-import')).toHaveTextContent('CSV or JSON');
    await user.keyboard('{Enter}');
    expect(screen.getByTestId('workspace-probe')).toHaveTextContent('data:new');
    expect(screen.getByTestId('data-tab-probe')).toHaveTextContent('import');
    expect(onClose).toHaveBeenCalledTimes(1);

    await user.clear(screen.getByTestId('palette-input'));
    await user.type(screen.getByTestId('palette-input'), 'packs');
    await user.click(await screen.findByTestId('palette-action-data-packs'));
    expect(screen.getByTestId('data-tab-probe')).toHaveTextContent('packs');
    expect(onPick).not.toHaveBeenCalled();
  });

  it('picking a new parent offers no views', async () => {
    const { calls } = renderPalette({ offerTopLevel: true });
    expect(await screen.findByTestId('palette-top-level')).toBeInTheDocument();
    expect(optionIds()).toEqual(['palette-top-level']);
    expect(callsOf(calls, 'list_views')).toEqual([]);
  });
});

describe('command palette (Ctrl+K) in the app: saved views', () => {
  it('opens a saved view from the registry, leaving the registry for the Views screen', async () => {
    const { calls, user } = renderApp({ ...backend({ hits: [], total: 0, totalCapped: false }), handlers: { list_views: () => views } });
    await focusedTree();
    await user.keyboard('{Control>}k{/Control}');
    const option = await screen.findByTestId('palette-view-v-boilers');
    expect(callsOf(calls, 'list_views')).toHaveLength(1);
    expect(screen.getByTestId('tree-row-site')).toBeInTheDocument();
    await user.click(option);
    await waitFor(() => expect(screen.queryByTestId('palette-input')).toBeNull());
    // The registry tree is gone: the workspace switched screens.
    await waitFor(() => expect(screen.queryByTestId('tree-row-site')).toBeNull());
  });
});

describe('matching saved views', () => {
  it('matches the name or key in any case, skips deleted views, and caps the list', () => {
    expect(matchingViews(views, ' boilers ').map((v) => v.id)).toEqual(['v-boilers']);
    expect(matchingViews([savedView('k', 'Plain', { key: 'ops-board' })], 'OPS').map((v) => v.id)).toEqual(['k']);
    const many = Array.from({ length: 20 }, (_, i) => savedView(`m${i}`, `View ${i}`));
    expect(matchingViews(many, '')).toHaveLength(VIEW_LIMIT);
    expect(offersNewView('')).toBe(true);
    expect(offersNewView('New  V')).toBe(true);
    expect(offersNewView('boil')).toBe(false);
  });

  it('matches the screen actions by every word of the text', () => {
    expect(matchingActions('')).toHaveLength(PALETTE_ACTIONS.length);
    expect(matchingActions('DATA').map((a) => a.id)).toEqual(['data-packs', 'data-import', 'data-runs', 'data-offline', 'go-data', 'toolbar-switch-person']);
    expect(matchingActions('install pack').map((a) => a.id)).toEqual(['data-packs']);
    expect(matchingActions('csv').map((a) => a.id)).toEqual(['data-import', 'views-export', 'dashboards-import-readings']);
    expect(matchingActions('boiler')).toEqual([]);
  });
});
