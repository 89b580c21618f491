import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, ChildPage, TreeNode } from '../../bindings';
import { focusedId, focusedTree, renderApp, rowNames, selectedNames, settle } from '../../test/app';
import { callsOf, deferred, makeChildren, makeNode, renderWithProviders } from '../../test/fixtures';
import { TREE_VIEWPORT_HEIGHT } from '../../test/layout';
import { FALLBACK_ICON, NodeIcon, resolveNodeIcon } from '../../shared/nodeIcons';
import { ROW_HEIGHT } from './RegistryTree';

const plant = makeNode({ id: 'plant', name: 'Plant North', pathLabel: 'plant_north', icon: 'building-factory', typeName: 'Plant', hasChildren: true });
const office = makeNode({ id: 'office', name: 'Office', pathLabel: 'office', icon: 'building', hasChildren: true });
const depot = makeNode({ id: 'depot', name: 'Depot', pathLabel: 'depot', icon: 'not-an-icon' });
const hall = makeNode({ id: 'hall', parentId: 'plant', name: 'Hall A', pathLabel: 'plant_north.hall_a', typeName: 'Hall', icon: 'stack', hasChildren: true });
const lab = makeNode({ id: 'lab', parentId: 'plant', name: 'Lab', pathLabel: 'plant_north.lab', typeName: 'Room', icon: 'door' });
const press = makeNode({ id: 'press', parentId: 'hall', name: 'Press 1', pathLabel: 'plant_north.hall_a.press_1', typeName: 'Machine', icon: 'cpu' });

describe('RegistryTree', () => {
  it('renders roots from list_roots with icons, types and aria attributes', async () => {
    const { calls } = renderApp({ roots: [plant, office, depot] });

    const tree = await screen.findByRole('tree', { name: 'Entity registry' });
    expect(tree).toHaveAttribute('data-testid', 'tree-scroll');
    expect(rowNames()).toEqual(['Plant North', 'Office', 'Depot']);

    const plantRow = screen.getByTestId('tree-row-plant_north');
    expect(plantRow).toHaveAttribute('aria-level', '1');
    expect(plantRow).toHaveAttribute('aria-expanded', 'false');
    expect(plantRow).toHaveAttribute('aria-selected', 'false');
    expect(plantRow).toHaveAttribute('aria-posinset', '1');
    expect(plantRow).toHaveAttribute('aria-setsize', '3');
    expect(plantRow).toHaveAttribute('data-node-name', 'Plant North');
    expect(within(plantRow).getByText('Plant')).toBeInTheDocument();
    expect(plantRow.querySelector('[data-icon="building-factory"]')).not.toBeNull();

    const depotRow = screen.getByTestId('tree-row-depot');
    expect(depotRow).not.toHaveAttribute('aria-expanded');
    expect(screen.queryByTestId('tree-toggle-depot')).toBeNull();
    expect(screen.getByTestId('tree-toggle-plant_north')).toBeInTheDocument();
    expect(depotRow.querySelector('[data-icon="fallback"]')).not.toBeNull();

    expect(tree).toHaveAttribute('tabindex', '0');
    // The roots, and who the app is signed in as, the open alerts and the notifications (the toolbar shows them), whether the app is offline (the banner), and that the first rows painted (start-up measurement).
    expect([...new Set(calls.map((c) => c.cmd))].sort()).toEqual(['alert_counts', 'current_session', 'list_notifications', 'list_roots', 'offline_overview', 'startup_painted', 'startup_status', 'vault_status', 'viewing_as', 'welcome_needed']);
    expect(calls.filter((c) => c.cmd === 'startup_painted')).toHaveLength(1);
  });

  it('shows an error with the AppError message when list_roots fails', async () => {
    renderApp({ roots: { type: 'NotReady' } });
    const alert = await screen.findByTestId('tree-roots-error');
    expect(alert).toHaveTextContent('Database not ready');
    expect(screen.queryByRole('tree')).toBeNull();
  });

  it('expanding a node asks for the first page of 500 and renders the children', async () => {
    const { calls, user } = renderApp({ roots: [plant, office], children: { plant: [hall, lab], hall: [press] } });

    await user.click(await screen.findByTestId('tree-toggle-plant_north'));
    expect(calls).toContainEqual({ cmd: 'list_children', args: { parentId: 'plant', after: null, limit: 500 } });

    expect(await screen.findByTestId('tree-row-plant_north.hall_a')).toBeInTheDocument();
    expect(rowNames()).toEqual(['Plant North', 'Hall A', 'Lab', 'Office']);
    expect(screen.getByTestId('tree-row-plant_north')).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByTestId('tree-row-plant_north.hall_a')).toHaveAttribute('aria-level', '2');

    await user.click(screen.getByTestId('tree-toggle-plant_north.hall_a'));
    const pressRow = await screen.findByTestId('tree-row-plant_north.hall_a.press_1');
    expect(pressRow).toHaveAttribute('aria-level', '3');

    // Collapsing hides the whole subtree; re-expanding uses the cache.
    await user.click(screen.getByTestId('tree-toggle-plant_north'));
    expect(rowNames()).toEqual(['Plant North', 'Office']);
    await user.click(screen.getByTestId('tree-toggle-plant_north'));
    expect(rowNames()).toEqual(['Plant North', 'Hall A', 'Press 1', 'Lab', 'Office']);
    expect(callsOf(calls, 'list_children')).toHaveLength(2);
  });

  it('records click-to-painted expand times in window.__ecoMetrics.expand', async () => {
    const { user } = renderApp({ roots: [plant], children: { plant: [hall, lab] } });
    const toggle = await screen.findByTestId('tree-toggle-plant_north');
    // Frames left over from earlier tests have run by now.
    await settle(50);
    delete window.__ecoMetrics;
    await user.click(toggle);
    await screen.findByTestId('tree-row-plant_north.lab');
    await waitFor(() => expect(window.__ecoMetrics?.expand).toHaveLength(1));
    const [ms] = window.__ecoMetrics!.expand!;
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(5000);
  });

  it('shows a spinner row while children load', async () => {
    const gate = deferred<ChildPage>();
    const { user } = renderApp({ roots: [plant], override: (cmd) => (cmd === 'list_children' ? gate.promise : undefined) });

    await user.click(await screen.findByTestId('tree-toggle-plant_north'));
    expect(await screen.findByTestId('tree-loading-plant_north')).toBeInTheDocument();

    await act(async () => gate.resolve({ nodes: [hall], nextCursor: null }));
    expect(await screen.findByTestId('tree-row-plant_north.hall_a')).toBeInTheDocument();
    expect(screen.queryByTestId('tree-loading-plant_north')).toBeNull();
  });

  it('a failing list_children shows an inline error row, and retry recovers', async () => {
    const failure: AppError = { type: 'Database', data: { message: 'connection reset by peer' } };
    const backend = { roots: [plant, office], children: { plant: failure as TreeNode[] | AppError } };
    const { calls, user } = renderApp(backend);

    await user.click(await screen.findByTestId('tree-toggle-plant_north'));
    const errorRow = await screen.findByTestId('tree-error-plant_north');
    expect(errorRow).toHaveTextContent('Database error');
    expect(errorRow).toHaveTextContent('connection reset by peer');

    backend.children.plant = [hall, lab];
    await user.click(within(errorRow).getByRole('button', { name: /retry/i }));
    expect(await screen.findByTestId('tree-row-plant_north.lab')).toBeInTheDocument();
    expect(screen.queryByTestId('tree-error-plant_north')).toBeNull();
    expect(callsOf(calls, 'list_children')).toHaveLength(2);
  });

  it('clicking a row selects and focuses it; the details load', async () => {
    const { user } = renderApp({ roots: [plant, office] });
    await user.click(await screen.findByTestId('tree-row-office'));
    expect(selectedNames()).toEqual(['Office']);
    expect(screen.getByRole('tree')).toHaveAttribute('aria-activedescendant', 'tree-item-office');
    expect(screen.getByRole('tree')).toHaveFocus();
    expect(await screen.findByTestId('details-name')).toHaveTextContent('Office');
  });

  it('supports keyboard navigation: Down, Right, Left, Home, End, Up', async () => {
    const { calls, user } = renderApp({ roots: [plant, office, depot], children: { plant: [hall, lab], hall: [press] } });
    const tree = await focusedTree();

    await user.keyboard('{ArrowDown}');
    expect(focusedId()).toBe('plant');
    await user.keyboard('{ArrowRight}');
    await screen.findByTestId('tree-row-plant_north.hall_a');
    expect(calls).toContainEqual({ cmd: 'list_children', args: { parentId: 'plant', after: null, limit: 500 } });
    await user.keyboard('{ArrowRight}');
    expect(focusedId()).toBe('hall');
    await user.keyboard('{ArrowDown}');
    expect(focusedId()).toBe('lab');
    await user.keyboard('{ArrowLeft}');
    expect(focusedId()).toBe('plant');
    await user.keyboard('{ArrowLeft}');
    expect(rowNames()).toEqual(['Plant North', 'Office', 'Depot']);
    await user.keyboard('{End}');
    expect(focusedId()).toBe('depot');
    await user.keyboard('{ArrowUp}');
    expect(focusedId()).toBe('office');
    await user.keyboard('{Home}');
    expect(focusedId()).toBe('plant');
    expect(tree).toHaveAttribute('aria-activedescendant', 'tree-item-plant');
  });

  it('collapsing an ancestor of the selection moves the selection to it', async () => {
    const { user } = renderApp({ roots: [plant], children: { plant: [hall, lab] } });
    await user.click(await screen.findByTestId('tree-toggle-plant_north'));
    await user.click(await screen.findByTestId('tree-row-plant_north.lab'));
    expect(selectedNames()).toEqual(['Lab']);
    await user.click(screen.getByTestId('tree-toggle-plant_north'));
    expect(selectedNames()).toEqual(['Plant North']);
    expect(focusedId()).toBe('plant');
  });

  it('type-ahead jumps to the next visible row starting with the typed letters', async () => {
    const boiler = makeNode({ id: 'boiler', name: 'Boiler', pathLabel: 'boiler' });
    const building = makeNode({ id: 'bldg', name: 'Building', pathLabel: 'building' });
    const { user } = renderApp({ roots: [plant, office, boiler, building, depot] });
    await focusedTree();

    await user.keyboard('bu');
    expect(focusedId()).toBe('bldg');
    await user.keyboard('{Home}');
    await new Promise((resolve) => setTimeout(resolve, 700));
    await user.keyboard('d');
    expect(focusedId()).toBe('depot');
    expect(selectedNames()).toEqual(['Depot']);
  });

  it('multi-select: Ctrl+click toggles, Shift+click ranges, Shift+arrows extend', async () => {
    const { user } = renderApp({ roots: [plant, office, depot] });
    await user.click(await screen.findByTestId('tree-row-plant_north'));
    await user.keyboard('{Control>}');
    await user.click(screen.getByTestId('tree-row-depot'));
    await user.keyboard('{/Control}');
    expect(selectedNames()).toEqual(['Plant North', 'Depot']);

    await user.click(screen.getByTestId('tree-row-plant_north'));
    await user.keyboard('{Shift>}');
    await user.click(screen.getByTestId('tree-row-depot'));
    await user.keyboard('{/Shift}');
    expect(selectedNames()).toEqual(['Plant North', 'Office', 'Depot']);

    await user.click(screen.getByTestId('tree-row-plant_north'));
    await user.keyboard('{Shift>}{ArrowDown}{/Shift}');
    expect(selectedNames()).toEqual(['Plant North', 'Office']);
    expect(await screen.findByTestId('details-multi')).toHaveTextContent('2 entities selected');
  });

  it('virtualizes: 10,000 children render only a window of rows', async () => {
    const many = makeChildren(plant, 10_000, 'Sensor');
    const { user } = renderApp({ roots: [plant, office], children: { plant: many } });

    await user.click(await screen.findByTestId('tree-toggle-plant_north'));
    await screen.findByTestId('tree-row-plant_north.sensor_1');

    const tree = screen.getByRole('tree');
    // Plant, the first page of 500, the "loading more" row, Office.
    expect(tree).toHaveAttribute('data-row-count', '503');
    const rendered = screen.getAllByRole('treeitem');
    expect(rendered.length).toBeGreaterThanOrEqual(Math.ceil(TREE_VIEWPORT_HEIGHT / ROW_HEIGHT));
    expect(rendered.length).toBeLessThan(100);
    expect(screen.queryByTestId('tree-row-office')).toBeNull();
    const canvas = tree.firstElementChild as HTMLElement;
    expect(canvas.style.height).toBe(`${503 * ROW_HEIGHT}px`);
  });

  it('pages a wide node as the user scrolls near the end of its loaded rows', async () => {
    const many = makeChildren(plant, 10_000, 'Sensor');
    const { calls, user } = renderApp({ roots: [plant, office], children: { plant: many } });
    await user.click(await screen.findByTestId('tree-toggle-plant_north'));
    await screen.findByTestId('tree-row-plant_north.sensor_1');
    await settle();
    // Near the top: only the first page.
    expect(callsOf(calls, 'list_children')).toEqual([{ parentId: 'plant', after: null, limit: 500 }]);

    const scroller = screen.getByTestId('tree-scroll');
    act(() => scroller.scrollTo({ top: 470 * ROW_HEIGHT }));
    await waitFor(() => expect(callsOf(calls, 'list_children')).toHaveLength(2));
    expect(callsOf(calls, 'list_children')[1]).toEqual({ parentId: 'plant', after: 'plant_north.sensor_500', limit: 500 });
    await waitFor(() => expect(scroller).toHaveAttribute('data-row-count', '1003'));

    // Keep scrolling: the third page follows the second page's cursor.
    act(() => scroller.scrollTo({ top: 950 * ROW_HEIGHT }));
    await waitFor(() => expect(callsOf(calls, 'list_children')).toHaveLength(3));
    expect(callsOf(calls, 'list_children')[2]).toEqual({ parentId: 'plant', after: 'plant_north.sensor_1000', limit: 500 });
    await screen.findByTestId('tree-row-plant_north.sensor_960');
    expect(screen.getAllByRole('treeitem').length).toBeLessThan(200);
    expect(document.querySelectorAll('[data-testid^="tree-"][style]').length).toBeLessThan(200);
  });

  it('shows "loading more…" while the next page loads', async () => {
    const many = makeChildren(plant, 600, 'Sensor');
    const gate = deferred<ChildPage>();
    const backend = {
      roots: [plant],
      children: { plant: many },
      override: (cmd: string, args: Record<string, unknown> | undefined) => (cmd === 'list_children' && args?.after !== null ? gate.promise : undefined),
    };
    const { user } = renderApp(backend);
    await user.click(await screen.findByTestId('tree-toggle-plant_north'));
    await screen.findByTestId('tree-row-plant_north.sensor_1');
    act(() => screen.getByTestId('tree-scroll').scrollTo({ top: 480 * ROW_HEIGHT }));
    expect(await screen.findByTestId('tree-more-plant_north')).toHaveTextContent('Loading more…');
    await act(async () => gate.resolve({ nodes: many.slice(500), nextCursor: null }));
    expect(await screen.findByTestId('tree-row-plant_north.sensor_501')).toBeInTheDocument();
    expect(screen.queryByTestId('tree-more-plant_north')).toBeNull();
  });
});

describe('node icons', () => {
  it('maps known names and falls back otherwise', () => {
    expect(resolveNodeIcon('building')).not.toBe(FALLBACK_ICON);
    expect(resolveNodeIcon('map-pin')).not.toBe(resolveNodeIcon('building'));
    expect(resolveNodeIcon('Device-Desktop')).toBe(resolveNodeIcon('device-desktop'));
    expect(resolveNodeIcon(null)).toBe(FALLBACK_ICON);
    expect(resolveNodeIcon('toString')).toBe(FALLBACK_ICON);
    expect(resolveNodeIcon('nope')).toBe(FALLBACK_ICON);
  });

  it('renders an svg', () => {
    renderWithProviders(<NodeIcon icon="bolt" data-testid="icon" />);
    expect(screen.getByTestId('icon').tagName.toLowerCase()).toBe('svg');
  });
});

