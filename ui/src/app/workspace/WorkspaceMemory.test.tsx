import { notifications } from '@mantine/notifications';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { focusedId, renderApp, selectedNames, settle } from '../../test/app';
import { makeChildren, makeNode, READY } from '../../test/fixtures';
import { memoryKey, parseMemory, serializeMemory, type RememberedWorkspace } from './workspaceMemory';

const site = makeNode({ id: 'site', name: 'Site', pathLabel: 'site', hasChildren: true });
const building = makeNode({ id: 'bld', parentId: 'site', name: 'Building A', pathLabel: 'site.building_a', hasChildren: true, typeName: 'Building' });
const rooms = makeChildren(building, 3, 'Room');
const backend = { roots: [site], children: { site: [building], bld: rooms } };

const KEY = READY.state === 'ready' ? memoryKey(READY.database) : '';
const NOTHING: RememberedWorkspace = { view: 'registry', detailTab: 'overview', dataTab: 'packs', openedViewId: null, panes: {}, selectedId: null };

const remember = (memory: Partial<RememberedWorkspace>) => window.localStorage.setItem(KEY, serializeMemory({ ...NOTHING, ...memory }));
const kept = () => parseMemory(window.localStorage.getItem(KEY));
const checkedScreen = () => within(screen.getByTestId('view-switch')).getByRole('radio', { checked: true });

describe('the workspace after a restart', () => {
  it('opens the screen and tab it showed, for this database', async () => {
    remember({ view: 'data', dataTab: 'runs' });
    renderApp({ ...backend, handlers: { import_runs: () => [], pack_list: () => [] } });
    expect(await screen.findByTestId('import-runs-empty')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Import runs' })).toHaveAttribute('aria-selected', 'true');
    expect(checkedScreen()).toHaveAccessibleName('Data');
    expect(screen.queryByRole('tree'), 'the registry is not drawn first').toBeNull();
  });

  it('ignores what another database kept', async () => {
    window.localStorage.setItem('eco-studio.workspace:external:db.example.org/other', serializeMemory({ ...NOTHING, view: 'trash' }));
    renderApp(backend);
    expect(await screen.findByRole('tree')).toBeInTheDocument();
    expect(checkedScreen()).toHaveAccessibleName('Registry');
  });

  it('selects and reveals the entity selected before, on the tab shown before', async () => {
    remember({ selectedId: rooms[1].id, detailTab: 'history' });
    renderApp(backend);
    const row = await screen.findByTestId('tree-row-site.building_a.room_2');
    await waitFor(() => expect(row).toHaveAttribute('aria-selected', 'true'));
    expect(selectedNames()).toEqual(['Room 2']);
    expect(focusedId()).toBe(rooms[1].id);
    expect(screen.getByTestId('tree-row-site')).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('tab', { name: 'History' })).toHaveAttribute('aria-selected', 'true');
  });

  it('lets go of an entity that is gone without a word', async () => {
    const shown = vi.spyOn(notifications, 'show');
    remember({ selectedId: 'deleted-meanwhile' });
    renderApp(backend);
    expect(await screen.findByTestId('tree-row-site')).toBeInTheDocument();
    await settle(50);
    expect(selectedNames()).toEqual([]);
    expect(shown).not.toHaveBeenCalled();
    expect(await screen.findByTestId('details-empty')).toBeInTheDocument();
    await waitFor(() => expect(kept()?.selectedId).toBeNull());
  });

  it('keeps the screen, its tabs and the selection as they change', async () => {
    const { user } = renderApp({ ...backend, handlers: { import_runs: () => [], pack_list: () => [] } });
    await user.click(await screen.findByTestId('tree-row-site'));
    await waitFor(() => expect(kept()?.selectedId).toBe('site'));
    await user.click(within(screen.getByTestId('view-switch')).getByText('Data'));
    await user.click(await screen.findByRole('tab', { name: 'Import runs' }));
    await waitFor(() => expect(kept()).toMatchObject({ view: 'data', dataTab: 'runs', selectedId: 'site' }));
  });
});
