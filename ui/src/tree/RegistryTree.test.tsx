import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { AppError, TreeNode } from '../bindings';
import { deferred, installBackend, makeChildren, makeNode, renderWithProviders } from '../test/fixtures';
import { TREE_VIEWPORT_HEIGHT } from '../test/layout';
import { FALLBACK_ICON, NodeIcon, resolveNodeIcon } from './nodeIcons';
import { RegistryTree, ROW_HEIGHT } from './RegistryTree';

const plant = makeNode({ id: 'plant', name: 'Plant North', pathLabel: 'Plant North', icon: 'building-factory', typeName: 'Plant', hasChildren: true });
const office = makeNode({ id: 'office', name: 'Office', pathLabel: 'Office', icon: 'building', hasChildren: true });
const depot = makeNode({ id: 'depot', name: 'Depot', pathLabel: 'Depot', icon: 'not-an-icon' });
const hall = makeNode({ id: 'hall', parentId: 'plant', name: 'Hall A', pathLabel: 'Plant North/Hall A', typeName: 'Hall', icon: 'stack', hasChildren: true });
const lab = makeNode({ id: 'lab', parentId: 'plant', name: 'Lab', pathLabel: 'Plant North/Lab', typeName: 'Room', icon: 'door' });
const press = makeNode({ id: 'press', parentId: 'hall', name: 'Press 1', pathLabel: 'Plant North/Hall A/Press 1', typeName: 'Machine', icon: 'cpu' });

/** The tree with selection state, reporting the selected node in the DOM. */
function Harness() {
  const [selected, setSelected] = useState<TreeNode | null>(null);
  return (
    <>
      <div data-testid="selected">{selected?.id ?? 'none'}</div>
      <div style={{ height: TREE_VIEWPORT_HEIGHT, display: 'flex', flexDirection: 'column' }}>
        <RegistryTree selectedId={selected?.id ?? null} onSelect={setSelected} />
      </div>
    </>
  );
}

function rowNames() {
  return screen.queryAllByRole('treeitem').map((row) => row.getAttribute('data-node-name'));
}

describe('RegistryTree', () => {
  it('renders roots from list_roots with icons, types and aria attributes', async () => {
    const calls = installBackend({ roots: [plant, office, depot] });
    renderWithProviders(<Harness />);

    const tree = await screen.findByRole('tree', { name: 'Entity registry' });
    expect(rowNames()).toEqual(['Plant North', 'Office', 'Depot']);

    const plantRow = screen.getByTestId('tree-row-Plant North');
    expect(plantRow).toHaveAttribute('aria-level', '1');
    expect(plantRow).toHaveAttribute('aria-expanded', 'false');
    expect(plantRow).toHaveAttribute('aria-selected', 'false');
    expect(plantRow).toHaveAttribute('aria-posinset', '1');
    expect(plantRow).toHaveAttribute('aria-setsize', '3');
    expect(within(plantRow).getByText('Plant')).toBeInTheDocument();
    expect(plantRow.querySelector('[data-icon="building-factory"]')).not.toBeNull();

    // A leaf has no chevron and no aria-expanded; an unknown icon falls back.
    const depotRow = screen.getByTestId('tree-row-Depot');
    expect(depotRow).not.toHaveAttribute('aria-expanded');
    expect(screen.queryByTestId('tree-toggle-Depot')).toBeNull();
    expect(screen.getByTestId('tree-toggle-Plant North')).toBeInTheDocument();
    expect(depotRow.querySelector('[data-icon="fallback"]')).not.toBeNull();

    expect(tree).toHaveAttribute('tabindex', '0');
    expect(calls.map((c) => c.cmd)).toEqual(['list_roots']);
  });

  it('shows an error with the AppError message when list_roots fails', async () => {
    installBackend({ roots: { type: 'NotReady' } });
    renderWithProviders(<Harness />);
    const alert = await screen.findByTestId('tree-roots-error');
    expect(alert).toHaveTextContent('Database not ready');
    expect(screen.queryByRole('tree')).toBeNull();
  });

  it('expanding a node calls list_children with { parentId } and renders children', async () => {
    const calls = installBackend({ roots: [plant, office], children: { plant: [hall, lab], hall: [press] } });
    const user = userEvent.setup();
    renderWithProviders(<Harness />);

    await user.click(await screen.findByTestId('tree-toggle-Plant North'));
    expect(calls).toContainEqual({ cmd: 'list_children', args: { parentId: 'plant' } });

    expect(await screen.findByTestId('tree-row-Plant North/Hall A')).toBeInTheDocument();
    expect(rowNames()).toEqual(['Plant North', 'Hall A', 'Lab', 'Office']);
    expect(screen.getByTestId('tree-row-Plant North')).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByTestId('tree-row-Plant North/Hall A')).toHaveAttribute('aria-level', '2');

    // Second level.
    await user.click(screen.getByTestId('tree-toggle-Plant North/Hall A'));
    const pressRow = await screen.findByTestId('tree-row-Plant North/Hall A/Press 1');
    expect(pressRow).toHaveAttribute('aria-level', '3');
    expect(pressRow).toHaveAttribute('data-node-name', 'Press 1');

    // Collapsing hides the whole subtree; re-expanding uses the cache.
    await user.click(screen.getByTestId('tree-toggle-Plant North'));
    expect(rowNames()).toEqual(['Plant North', 'Office']);
    await user.click(screen.getByTestId('tree-toggle-Plant North'));
    expect(rowNames()).toEqual(['Plant North', 'Hall A', 'Press 1', 'Lab', 'Office']);
    expect(calls.filter((c) => c.cmd === 'list_children')).toHaveLength(2);
  });

  it('shows a spinner row while children load', async () => {
    const gate = deferred<TreeNode[]>();
    installBackend({
      roots: [plant],
      override: (cmd) => (cmd === 'list_children' ? gate.promise : undefined),
    });
    const user = userEvent.setup();
    renderWithProviders(<Harness />);

    await user.click(await screen.findByTestId('tree-toggle-Plant North'));
    expect(await screen.findByTestId('tree-loading-Plant North')).toBeInTheDocument();

    await act(async () => gate.resolve([hall]));
    expect(await screen.findByTestId('tree-row-Plant North/Hall A')).toBeInTheDocument();
    expect(screen.queryByTestId('tree-loading-Plant North')).toBeNull();
  });

  it('a failing list_children shows an inline error row, and retry recovers', async () => {
    const failure: AppError = { type: 'Database', data: { message: 'connection reset by peer' } };
    const backend = { roots: [plant, office], children: { plant: failure as TreeNode[] | AppError } };
    const calls = installBackend(backend);
    const user = userEvent.setup();
    renderWithProviders(<Harness />);

    await user.click(await screen.findByTestId('tree-toggle-Plant North'));
    const errorRow = await screen.findByTestId('tree-error-Plant North');
    expect(errorRow).toHaveTextContent('Database error');
    expect(errorRow).toHaveTextContent('connection reset by peer');
    expect(rowNames()).toEqual(['Plant North', 'Office']);

    backend.children.plant = [hall, lab];
    await user.click(within(errorRow).getByRole('button', { name: /retry/i }));
    expect(await screen.findByTestId('tree-row-Plant North/Lab')).toBeInTheDocument();
    expect(screen.queryByTestId('tree-error-Plant North')).toBeNull();
    expect(calls.filter((c) => c.cmd === 'list_children')).toHaveLength(2);
  });

  it('clicking a row selects it', async () => {
    installBackend({ roots: [plant, office] });
    const user = userEvent.setup();
    renderWithProviders(<Harness />);

    await user.click(await screen.findByTestId('tree-row-Office'));
    expect(screen.getByTestId('selected')).toHaveTextContent('office');
    expect(screen.getByTestId('tree-row-Office')).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByTestId('tree-row-Plant North')).toHaveAttribute('aria-selected', 'false');
    expect(screen.getByRole('tree')).toHaveAttribute('aria-activedescendant', 'tree-item-office');
    expect(screen.getByRole('tree')).toHaveFocus();
  });

  it('supports keyboard navigation: Down, Right, Left, Home, End, Up', async () => {
    const calls = installBackend({ roots: [plant, office, depot], children: { plant: [hall, lab], hall: [press] } });
    const user = userEvent.setup();
    renderWithProviders(<Harness />);
    const tree = await screen.findByRole('tree');
    const selected = () => screen.getByTestId('selected').textContent;

    act(() => tree.focus());
    await user.keyboard('{ArrowDown}');
    expect(selected()).toBe('plant');

    // Right on a collapsed node expands it (and loads children).
    await user.keyboard('{ArrowRight}');
    await screen.findByTestId('tree-row-Plant North/Hall A');
    expect(calls).toContainEqual({ cmd: 'list_children', args: { parentId: 'plant' } });
    expect(selected()).toBe('plant');

    // Right on an expanded node moves to its first child.
    await user.keyboard('{ArrowRight}');
    expect(selected()).toBe('hall');

    await user.keyboard('{ArrowDown}');
    expect(selected()).toBe('lab');

    // Left on a leaf moves to the parent; Left on an expanded node collapses it.
    await user.keyboard('{ArrowLeft}');
    expect(selected()).toBe('plant');
    await user.keyboard('{ArrowLeft}');
    expect(rowNames()).toEqual(['Plant North', 'Office', 'Depot']);
    expect(screen.getByTestId('tree-row-Plant North')).toHaveAttribute('aria-expanded', 'false');

    await user.keyboard('{End}');
    expect(selected()).toBe('depot');
    await user.keyboard('{ArrowUp}');
    expect(selected()).toBe('office');
    await user.keyboard('{Home}');
    expect(selected()).toBe('plant');
    expect(tree).toHaveAttribute('aria-activedescendant', 'tree-item-plant');
  });

  it('collapsing an ancestor of the selection moves the selection to it', async () => {
    installBackend({ roots: [plant], children: { plant: [hall, lab] } });
    const user = userEvent.setup();
    renderWithProviders(<Harness />);

    await user.click(await screen.findByTestId('tree-toggle-Plant North'));
    await user.click(await screen.findByTestId('tree-row-Plant North/Lab'));
    expect(screen.getByTestId('selected')).toHaveTextContent('lab');
    await user.click(screen.getByTestId('tree-toggle-Plant North'));
    expect(screen.getByTestId('selected')).toHaveTextContent('plant');
  });

  it('virtualizes: 10,000 children render only a window of rows', async () => {
    const many = makeChildren(plant, 10_000, 'Sensor');
    installBackend({ roots: [plant, office], children: { plant: many } });
    const user = userEvent.setup();
    renderWithProviders(<Harness />);

    await user.click(await screen.findByTestId('tree-toggle-Plant North'));
    await screen.findByTestId('tree-row-Plant North/Sensor 1');

    const tree = screen.getByRole('tree');
    expect(tree).toHaveAttribute('data-row-count', '10002');
    const rendered = screen.getAllByRole('treeitem');
    const visibleRows = Math.ceil(TREE_VIEWPORT_HEIGHT / ROW_HEIGHT);
    expect(rendered.length).toBeGreaterThanOrEqual(visibleRows);
    expect(rendered.length).toBeLessThan(100);
    expect(screen.queryByTestId('tree-row-Plant North/Sensor 10000')).toBeNull();
    expect(screen.queryByTestId('tree-row-Office')).toBeNull();

    // The canvas is sized for all rows so the scrollbar is right.
    const canvas = tree.firstElementChild as HTMLElement;
    expect(canvas.style.height).toBe(`${10_002 * ROW_HEIGHT}px`);

    // End jumps to the last row, which scrolls it into the rendered window.
    act(() => tree.focus());
    await user.keyboard('{End}');
    expect(await screen.findByTestId('tree-row-Office')).toBeInTheDocument();
    expect(screen.getByTestId('selected')).toHaveTextContent('office');
    expect(screen.queryByTestId('tree-row-Plant North/Sensor 1')).toBeNull();
    expect(screen.getAllByRole('treeitem').length).toBeLessThan(100);
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
