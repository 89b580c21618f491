import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp, rowNames } from '../test/app';
import { callsOf, makeNode, sendRegistryChanged } from '../test/fixtures';

const site = makeNode({ id: 'site', name: 'Site', pathLabel: 'site', hasChildren: true });
const office = makeNode({ id: 'office', name: 'Office', pathLabel: 'office', hasChildren: true });
const bldA = makeNode({ id: 'a', parentId: 'site', name: 'Building A', pathLabel: 'site.building_a' });
const desk = makeNode({ id: 'd', parentId: 'office', name: 'Desk', pathLabel: 'office.desk' });

describe('live updates (registry-changed)', () => {
  it('refetches only the lists a change affects, keeping the expansion', async () => {
    const backend = { roots: [site, office], children: { site: [bldA], office: [desk] } };
    const { calls, user } = renderApp(backend);
    await user.click(await screen.findByTestId('tree-toggle-site'));
    await user.click(await screen.findByTestId('tree-toggle-office'));
    await screen.findByTestId('tree-row-office.desk');
    const listed = (parentId: string) => callsOf(calls, 'list_children').filter((a) => a?.parentId === parentId).length;
    expect([listed('site'), listed('office'), callsOf(calls, 'list_roots').length]).toEqual([1, 1, 1]);

    // Someone else renames Building A.
    const renamed = { ...bldA, name: 'Building Alpha', updatedAt: 'v2' };
    backend.children.site = [renamed];
    await sendRegistryChanged({ kind: 'updated', node: renamed });
    expect(await screen.findByText('Building Alpha')).toBeInTheDocument();
    expect([listed('site'), listed('office'), callsOf(calls, 'list_roots').length]).toEqual([2, 1, 1]);

    // Someone moves the desk to the top level: old parent and roots.
    const moved = { ...desk, parentId: null, pathLabel: 'desk' };
    backend.children.office = [];
    backend.roots = [site, office, moved];
    await sendRegistryChanged({ kind: 'moved', node: moved, oldParentId: 'office' });
    await waitFor(() => expect(rowNames()).toEqual(['Site', 'Building Alpha', 'Office', 'Desk']));
    expect([listed('site'), listed('office'), callsOf(calls, 'list_roots').length]).toEqual([2, 2, 2]);
    expect(screen.getByTestId('tree-row-site')).toHaveAttribute('aria-expanded', 'true');
  });

  it('a deletion elsewhere refreshes the parent list and the list showing the parent', async () => {
    const backend = {
      roots: [site],
      children: { site: [bldA] },
      handlers: { list_trash: () => [] },
    };
    const { calls, user } = renderApp(backend);
    await user.click(await screen.findByTestId('tree-toggle-site'));
    await screen.findByTestId('tree-row-site.building_a');
    backend.children.site = [];
    await sendRegistryChanged({ kind: 'deleted', id: 'a', parentId: 'site', count: 1 });
    await waitFor(() => expect(screen.queryByTestId('tree-row-site.building_a')).toBeNull());
    // The roots show Site, whose chevron may change.
    expect(callsOf(calls, 'list_roots')).toHaveLength(2);
    expect(callsOf(calls, 'list_children')).toHaveLength(2);
  });
});
