import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ViewDocument, ViewTree, ViewTreeNode } from '../../../bindings';
import { callsOf, installBackend, makeType, renderWithProviders } from '../../../test/fixtures';
import { ViewTreeView } from '.';

const document: ViewDocument = { version: 2, filter: null, viewType: 'tree' };

const node = (id: string, parentId: string | null, name: string, matches: boolean): ViewTreeNode => ({ id, parentId, name, entityTypeId: 'type-device', matches });

// By name, as the core sends them: Pump 1's parent comes after it.
const small: ViewTree = {
  nodes: [
    node('hall', 'site', 'Hall', false),
    node('p1', 'hall', 'Pump 1', true),
    node('p2', 'hall', 'Pump 2', true),
    node('site', null, 'Site', false),
    node('stray', 'gone', 'Stray pump', true),
  ],
  truncated: false,
};

function renderTree(tree: ViewTree) {
  const calls = installBackend({
    handlers: {
      view_tree: () => tree,
      list_entity_types: () => [makeType({ id: 'type-device', key: 'device', name: 'Device', icon: 'device-desktop' })],
    },
  });
  const user = userEvent.setup();
  return { calls, user, ...renderWithProviders(<ViewTreeView document={document} />) };
}

const names = () => screen.queryAllByRole('treeitem').map((row) => row.dataset.nodeName);
const row = (id: string) => screen.getByTestId(`view-tree-row-${id}`);
const focused = () => treeRoot().querySelector('[role="treeitem"][data-focused="true"]')?.getAttribute('data-node-name') ?? null;
const treeRoot = () => screen.getByTestId('view-tree');

describe('ViewTreeView', () => {
  it('shows the matches under their ancestors, all expanded, with the ancestors that are not in the view greyed', async () => {
    const { calls } = renderTree(small);
    await screen.findByRole('tree');
    expect(callsOf(calls, 'view_tree')).toEqual([{ document }]);
    expect(names()).toEqual(['Site', 'Hall', 'Pump 1', 'Pump 2', 'Stray pump']);
    expect(screen.getAllByRole('treeitem').map((r) => r.getAttribute('aria-level'))).toEqual(['1', '2', '3', '3', '1']);

    expect(row('site')).toHaveAttribute('data-matches', 'false');
    expect(row('site')).toHaveAccessibleName('Site, not in this view');
    expect(row('hall')).toHaveTextContent('not in this view, 2 matches below');
    expect(row('p1')).toHaveAttribute('data-matches', 'true');
    expect(row('p1')).not.toHaveAccessibleName(/not in this view/);
    expect(row('p1')).toHaveTextContent('Device');
    expect(screen.getByTestId('view-tree-summary')).toHaveTextContent('3 matches, shown under 2 greyed ancestors that are not in this view');
    expect(screen.queryByTestId('view-tree-truncated')).toBeNull();
  });

  it('says when only the first matches are shown', async () => {
    const matches = Array.from({ length: 2000 }, (_, i) => node(`m${i}`, null, `Match ${String(i).padStart(4, '0')}`, true));
    renderTree({ nodes: matches, truncated: true });
    expect(await screen.findByTestId('view-tree-truncated')).toHaveTextContent('showing the first 2,000 matches');
  });

  it('selects a match on a click, never a greyed ancestor', async () => {
    const { user } = renderTree(small);
    await screen.findByRole('tree');
    await user.click(row('site'));
    expect(row('site')).not.toHaveAttribute('data-selected');
    await user.click(row('p2'));
    expect(row('p2')).toHaveAttribute('data-selected', 'true');
    expect(row('p2')).toHaveAttribute('aria-selected', 'true');
    await user.click(row('p1'));
    expect(row('p1')).toHaveAttribute('data-selected', 'true');
    expect(row('p2')).not.toHaveAttribute('data-selected');
  });

  it('moves with the arrow keys; left collapses or goes to the parent, right expands or goes to the first child', async () => {
    const { user } = renderTree(small);
    const tree = await screen.findByRole('tree');
    act(() => tree.focus());
    expect(focused()).toBe('Site');
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(focused()).toBe('Pump 1');
    expect(tree).toHaveAttribute('aria-activedescendant', row('p1').id);
    await user.keyboard('{ArrowLeft}');
    expect(focused()).toBe('Hall');
    await user.keyboard('{ArrowLeft}');
    expect(row('hall')).toHaveAttribute('aria-expanded', 'false');
    expect(names()).toEqual(['Site', 'Hall', 'Stray pump']);
    await user.keyboard('{ArrowRight}');
    expect(names()).toEqual(['Site', 'Hall', 'Pump 1', 'Pump 2', 'Stray pump']);
    await user.keyboard('{ArrowRight}');
    expect(focused()).toBe('Pump 1');
    await user.keyboard('{ArrowDown} ');
    expect(row('p2')).toHaveAttribute('data-selected', 'true');
    await user.keyboard('{End}');
    expect(focused()).toBe('Stray pump');
  });

  it('collapsing a branch by its toggle moves a focus inside it up to the branch', async () => {
    const { user } = renderTree(small);
    await screen.findByRole('tree');
    await user.click(row('p2'));
    await user.click(screen.getByTestId('view-tree-toggle-site'));
    expect(names()).toEqual(['Site', 'Stray pump']);
    expect(focused()).toBe('Site');
  });

  it('renders only the rows in sight of a large tree', async () => {
    const rooms = Array.from({ length: 1200 }, (_, i) => node(`r${i}`, 'site', `Room ${String(i).padStart(4, '0')}`, true));
    const { user } = renderTree({ nodes: [node('site', null, 'Site', false), ...rooms], truncated: false });
    const tree = await screen.findByRole('tree');
    expect(tree).toHaveAttribute('data-virtual', 'true');
    expect(tree).toHaveAttribute('data-row-count', '1201');
    expect(screen.getAllByRole('treeitem').length).toBeLessThan(100);
    act(() => tree.focus());
    await user.keyboard('{End}');
    await waitFor(() => expect(within(tree).getByTestId('view-tree-row-r1199')).toHaveAttribute('data-focused', 'true'));
  });

  it('renders every row of a small tree', async () => {
    renderTree(small);
    const tree = await screen.findByRole('tree');
    expect(tree).not.toHaveAttribute('data-virtual');
  });
});
