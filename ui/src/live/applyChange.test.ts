import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { queryKeys } from '../shared/queryKeys';
import type { ChildPage } from '../bindings';
import { makeNode } from '../test/fixtures';
import { ChangeApplier, queryKeyOf, treeIndexFromCache } from './applyChange';

const site = makeNode({ id: 'site', name: 'Site', pathLabel: 'site', hasChildren: true });
const bldA = makeNode({ id: 'a', parentId: 'site', name: 'A', pathLabel: 'site.a', hasChildren: true });
const room = makeNode({ id: 'r', parentId: 'a', name: 'Room', pathLabel: 'site.a.room' });
const other = makeNode({ id: 'o', name: 'Other', pathLabel: 'other' });

function seeded() {
  const client = new QueryClient();
  client.setQueryData(queryKeys.roots, [site, other]);
  client.setQueryData<ChildPage>(queryKeys.childPage('site', null), { nodes: [bldA], nextCursor: null });
  client.setQueryData<ChildPage>(queryKeys.childPage('a', null), { nodes: [room], nextCursor: 'x' });
  client.setQueryData<ChildPage>(queryKeys.childPage('a', 'x'), { nodes: [], nextCursor: null });
  client.setQueryData<ChildPage>(queryKeys.childPage('o', null), { nodes: [], nextCursor: null });
  client.setQueryData(queryKeys.entity('r'), { node: room });
  client.setQueryData(queryKeys.entity('o'), { node: other });
  client.setQueryData(queryKeys.trash, []);
  return client;
}

function stale(client: QueryClient): string[] {
  return client
    .getQueryCache()
    .getAll()
    .filter((q) => q.state.isInvalidated)
    .map((q) => JSON.stringify(q.queryKey))
    .sort();
}

describe('treeIndexFromCache', () => {
  it('knows loaded nodes and their loaded descendants', () => {
    const index = treeIndexFromCache(seeded());
    expect(index.node('r')?.parentId).toBe('a');
    expect(index.node('missing')).toBeUndefined();
    expect(index.loadedDescendants('site').sort()).toEqual(['a', 'r']);
    expect(index.loadedDescendants('o')).toEqual([]);
  });
});

describe('ChangeApplier', () => {
  it('invalidates exactly the affected queries (every page of the affected parents)', () => {
    const client = seeded();
    new ChangeApplier(client).applyEvent({ kind: 'updated', node: { ...room, name: 'Room 2' } });
    expect(stale(client)).toEqual(['["children","a","x"]', '["children","a",null]', '["entity","r"]']);
  });

  it('a move invalidates both parents, not unrelated lists', () => {
    const client = seeded();
    new ChangeApplier(client).applyEvent({ kind: 'moved', node: { ...room, parentId: 'o', pathLabel: 'other.room' }, oldParentId: 'a' });
    expect(stale(client)).toEqual(['["children","a","x"]', '["children","a",null]', '["children","o",null]', '["children","site",null]', '["entity","o"]', '["entity","r"]', '["roots"]']);
  });

  it('skips the event echo of a change applied locally, once', () => {
    const client = seeded();
    const applier = new ChangeApplier(client);
    const change = { kind: 'deleted', id: 'o', parentId: null, count: 1 } as const;
    applier.applyLocal(change, 1000);
    expect(stale(client)).toContain('["trash"]');
    client.getQueryCache().getAll().forEach((q) => q.setState({ isInvalidated: false }));
    expect(applier.applyEvent(change, 1500)).toBe(false);
    expect(stale(client)).toEqual([]);
    // A second, identical event is applied.
    expect(applier.applyEvent(change, 1600)).toBe(true);
  });

  it('forgets local changes after a while', () => {
    const applier = new ChangeApplier(seeded());
    applier.applyLocal({ kind: 'purged', id: 'r' }, 0);
    expect(applier.applyEvent({ kind: 'purged', id: 'r' }, 60_000)).toBe(true);
  });

  it('maps targets to query keys', () => {
    expect(queryKeyOf({ kind: 'children', parentId: 'p' })).toEqual(['children', 'p']);
    expect(queryKeyOf({ kind: 'types' })).toEqual(['entityTypes']);
    expect(queryKeyOf({ kind: 'subtreeCounts' })).toEqual(['subtreeCount']);
    expect(queryKeyOf({ kind: 'savedViews' })).toEqual(['views', 'saved']);
    expect(queryKeyOf({ kind: 'viewResults' })).toEqual(['viewResults']);
  });

  it('a value change makes every page, count and tree of every view stale, and not the saved views', () => {
    const client = seeded();
    client.setQueryData(queryKeys.viewRows('doc-a'), { pages: [], pageParams: [] });
    client.setQueryData(queryKeys.viewCount('doc-a'), { count: 3, exact: true });
    client.setQueryData(queryKeys.viewTree('doc-b'), { nodes: [], truncated: false });
    client.setQueryData(queryKeys.savedViews, []);
    new ChangeApplier(client).applyEvent({ kind: 'propertiesChanged', node: other });
    const views = stale(client).filter((key) => key.includes('view'));
    expect(views).toEqual(['["viewResults","count","doc-a"]', '["viewResults","rows","doc-a"]', '["viewResults","tree","doc-b"]']);
  });

  it('a saved view change refreshes the list of saved views only', () => {
    const client = seeded();
    client.setQueryData(queryKeys.viewRows('doc-a'), { pages: [], pageParams: [] });
    client.setQueryData(queryKeys.savedViews, []);
    new ChangeApplier(client).applyEvent({ kind: 'viewsChanged', id: 'v1' });
    expect(stale(client)).toEqual(['["views","saved"]']);
  });

  it('a vault change refreshes the vault status, the secrets lists and the versions of that secret only', () => {
    const client = seeded();
    client.setQueryData(queryKeys.vaultStatus, { locked: false });
    client.setQueryData(queryKeys.secrets(null), []);
    client.setQueryData(queryKeys.secrets('root-1'), []);
    client.setQueryData(queryKeys.secretVersions('s1'), []);
    client.setQueryData(queryKeys.secretVersions('s2'), []);
    new ChangeApplier(client).applyEvent({ kind: 'vaultChanged', rootId: 'root-1', secretId: 's1' });
    expect(stale(client)).toEqual(['["vault","secrets","root-1"]', '["vault","secrets",null]', '["vault","status"]', '["vault","versions","s1"]']);
  });

  function withDashboards() {
    const client = seeded();
    client.setQueryData(queryKeys.dashboards, []);
    client.setQueryData(queryKeys.dashboard('d1'), { id: 'd1' });
    client.setQueryData(queryKeys.dashboard('d2'), { id: 'd2' });
    client.setQueryData(queryKeys.widget('w1', '{}', null, null, '[]'), { type: 'markdown', text: '' });
    client.setQueryData(queryKeys.metrics, []);
    client.setQueryData(queryKeys.alertCounts, { pending: 0, acknowledged: 0, critical: 0 });
    client.setQueryData(queryKeys.alertList('r', 'entity'), []);
    return client;
  }

  it('a dashboard change refreshes the list and that dashboard only', () => {
    const client = withDashboards();
    new ChangeApplier(client).applyEvent({ kind: 'dashboardsChanged', id: 'd1' });
    expect(stale(client)).toEqual(['["dashboards","list"]', '["dashboards","one","d1"]']);
  });

  it('imported readings refresh the metrics and the widgets', () => {
    const client = withDashboards();
    new ChangeApplier(client).applyEvent({ kind: 'metricsChanged' });
    expect(stale(client)).toEqual(['["dashboards","widget","w1","{}",null,null,"[]"]', '["metrics"]']);
  });

  it('an alert change refreshes the counts, every alert list and the widgets', () => {
    const client = withDashboards();
    new ChangeApplier(client).applyEvent({ kind: 'alertsChanged', entityId: 'r' });
    expect(stale(client)).toEqual(['["alerts","counts"]', '["alerts","list","r","entity"]', '["dashboards","widget","w1","{}",null,null,"[]"]']);
  });
});
