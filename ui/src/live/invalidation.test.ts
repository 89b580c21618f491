import { describe, expect, it } from 'vitest';
import type { TreeNode } from '../bindings';
import { makeNode } from '../test/fixtures';
import { changeFingerprint, EMPTY_TREE_INDEX, invalidationsFor, targetKey, type TreeIndex } from './invalidation';

const site = makeNode({ id: 'site', name: 'Site', pathLabel: 'site', hasChildren: true });
const bldA = makeNode({ id: 'a', parentId: 'site', name: 'A', pathLabel: 'site.a', hasChildren: true });
const bldB = makeNode({ id: 'b', parentId: 'site', name: 'B', pathLabel: 'site.b', hasChildren: true });
const room = makeNode({ id: 'r', parentId: 'a', name: 'Room', pathLabel: 'site.a.room', hasChildren: true });
const desk = makeNode({ id: 'd', parentId: 'r', name: 'Desk', pathLabel: 'site.a.room.desk' });

function indexOf(nodes: TreeNode[]): TreeIndex {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return {
    node: (id) => byId.get(id),
    loadedDescendants: (id) => {
      const out: string[] = [];
      const walk = (parent: string) => {
        for (const n of nodes) if (n.parentId === parent) (out.push(n.id), walk(n.id));
      };
      walk(id);
      return out;
    },
  };
}

const index = indexOf([site, bldA, bldB, room, desk]);
const keys = (change: Parameters<typeof invalidationsFor>[0], idx: TreeIndex = index) => invalidationsFor(change, idx).map(targetKey);

describe('invalidationsFor', () => {
  it('created: the parent list, the list showing the parent (its chevron), its details, counts, search', () => {
    const created = makeNode({ id: 'n', parentId: 'a', name: 'New', pathLabel: 'site.a.new' });
    expect(keys({ kind: 'created', node: created })).toEqual(['children:a', 'children:site', 'entity:a', 'subtreeCounts', 'search', 'viewResults']);
  });

  it('created at the top level: only the roots list among the lists', () => {
    const created = makeNode({ id: 'n', name: 'New' });
    expect(keys({ kind: 'created', node: created })).toEqual(['roots', 'subtreeCounts', 'search', 'viewResults']);
  });

  it('created under a parent whose own row is not loaded: no guess about its list', () => {
    const created = makeNode({ id: 'n', parentId: 'unknown', name: 'New' });
    expect(keys({ kind: 'created', node: created })).toEqual(['children:unknown', 'entity:unknown', 'subtreeCounts', 'search', 'viewResults']);
  });

  it('updated (rename): its list, details and history; not the subtree when the path is unchanged', () => {
    expect(keys({ kind: 'updated', node: { ...room, name: 'Room 2' } })).toEqual(['children:a', 'entity:r', 'history:r', 'search', 'viewResults']);
  });

  it('updated with a new path label: the loaded subtree too', () => {
    expect(keys({ kind: 'updated', node: { ...room, pathLabel: 'site.a.room_2' } })).toEqual(['children:a', 'entity:r', 'history:r', 'children:r', 'children:d', 'entity:d', 'search', 'viewResults']);
  });

  it('moved: old and new parent lists, the lists showing both parents, the moved subtree', () => {
    const moved = { ...room, parentId: 'b', pathLabel: 'site.b.room' };
    expect(keys({ kind: 'moved', node: moved, oldParentId: 'a' })).toEqual([
      'children:a',
      'children:b',
      'children:site',
      'entity:a',
      'entity:b',
      'entity:r',
      'history:r',
      'children:r',
      'children:d',
      'entity:d',
      'subtreeCounts',
      'search',
      'viewResults',
    ]);
  });

  it('moved to or from the top level uses the roots list', () => {
    const toTop = { ...bldA, parentId: null, pathLabel: 'a' };
    expect(keys({ kind: 'moved', node: toTop, oldParentId: 'site' }).slice(0, 3)).toEqual(['children:site', 'roots', 'entity:site']);
    const fromTop = { ...site, parentId: 'b' };
    expect(keys({ kind: 'moved', node: fromTop, oldParentId: null }).slice(0, 3)).toEqual(['roots', 'children:b', 'children:site']);
  });

  it('deleted: the parent list, details of the subtree, trash', () => {
    expect(keys({ kind: 'deleted', id: 'r', parentId: 'a', count: 2 })).toEqual([
      'children:a',
      'children:site',
      'entity:a',
      'entity:r',
      'history:r',
      'entity:d',
      'subtreeCounts',
      'trash',
      'search',
      'viewResults',
    ]);
    expect(keys({ kind: 'deleted', id: 'site', parentId: null, count: 5 }, EMPTY_TREE_INDEX)).toEqual(['roots', 'entity:site', 'history:site', 'subtreeCounts', 'trash', 'search', 'viewResults']);
  });

  it('restored: the parent list, its own children, trash', () => {
    expect(keys({ kind: 'restored', node: room, count: 2 })).toEqual(['children:a', 'children:site', 'entity:a', 'entity:r', 'history:r', 'children:r', 'subtreeCounts', 'trash', 'search', 'viewResults']);
  });

  it('purged: only the trash and its own caches (a deleted entity is in no view)', () => {
    expect(keys({ kind: 'purged', id: 'r' })).toEqual(['trash', 'entity:r', 'history:r']);
  });

  it('typesChanged: types, and every drawn row (type names and icons)', () => {
    expect(keys({ kind: 'typesChanged' })).toEqual(['types', 'roots', 'allChildren', 'allEntities', 'trash', 'search', 'viewResults']);
  });

  it('propertiesChanged: its list (new version), details, history, property pane and view results', () => {
    expect(keys({ kind: 'propertiesChanged', node: room })).toEqual(['children:a', 'entity:r', 'history:r', 'pane:r', 'viewResults']);
    expect(changeFingerprint({ kind: 'propertiesChanged', node: room })).toBe(`propertiesChanged:r:${room.updatedAt}`);
  });

  it('tagsChanged: its list, details, history, links and the tag lists', () => {
    expect(keys({ kind: 'tagsChanged', node: room })).toEqual(['children:a', 'entity:r', 'history:r', 'links:r', 'tagSchema', 'viewResults']);
    expect(changeFingerprint({ kind: 'tagsChanged', node: room })).toBe(`tagsChanged:r:${room.updatedAt}`);
  });

  it('tag schema, group and relationship changes: the links of every loaded entity', () => {
    expect(keys({ kind: 'tagSchemaChanged' })).toEqual(['tagSchema', 'allLinks', 'viewResults']);
    expect(keys({ kind: 'groupChanged', groupId: 'g' })).toEqual(['allLinks', 'history:g']);
    expect(keys({ kind: 'relationshipsChanged', sourceId: 's', targetId: 't' })).toEqual(['allLinks', 'history:s', 'viewResults']);
  });

  it('schemaChanged: the property schema and every pane', () => {
    expect(keys({ kind: 'schemaChanged' })).toEqual(['propertySchema', 'allPanes', 'types', 'viewResults']);
    expect(changeFingerprint({ kind: 'schemaChanged' })).toBeNull();
  });

  it('bulkEdited: every row, pane, link list and history', () => {
    expect(keys({ kind: 'bulkEdited', count: 3 })).toEqual(['roots', 'allChildren', 'allEntities', 'allHistories', 'allPanes', 'allLinks', 'tagSchema', 'search', 'viewResults']);
    expect(changeFingerprint({ kind: 'bulkEdited', count: 3 })).toBeNull();
  });

  it('reloaded (a bulk load, a pack, a sign-in, the reads moving to or from the offline copy): every list, row, count, history, the trash, types, search, views, schema, dashboards and their data, alerts, workflows and runs, packs, imports', () => {
    expect(keys({ kind: 'reloaded' })).toEqual([
      'types',
      'roots',
      'allChildren',
      'allEntities',
      'allHistories',
      'allPanes',
      'allLinks',
      'tagSchema',
      'subtreeCounts',
      'trash',
      'search',
      'viewResults',
      'savedViews',
      'people',
      'propertySchema',
      'dashboards',
      'widgetData',
      'metrics',
      'alerts',
      'workflows',
      'executions',
      'approvals',
      'packs',
      'imports',
    ]);
    expect(changeFingerprint({ kind: 'reloaded' })).toBeNull();
  });

  it('a saved view changed: the list of saved views, not any view results', () => {
    expect(keys({ kind: 'viewsChanged', id: 'v1' })).toEqual(['savedViews']);
    expect(changeFingerprint({ kind: 'viewsChanged', id: 'v1' })).toBeNull();
  });

  it('the vault changed: its status and the secrets lists; the versions of one secret, or of all after a key change', () => {
    expect(keys({ kind: 'vaultChanged', rootId: 'site', secretId: 's1' })).toEqual(['vaultStatus', 'secrets', 'secretVersions:s1']);
    expect(keys({ kind: 'vaultChanged', rootId: 'site', secretId: null })).toEqual(['vaultStatus', 'secrets', 'allSecretVersions']);
    // The lock: what may be shown of the secrets, never the tree.
    expect(keys({ kind: 'vaultChanged', rootId: null, secretId: null })).toEqual(['vaultStatus', 'secrets']);
    expect(changeFingerprint({ kind: 'vaultChanged', rootId: null, secretId: null })).toBeNull();
  });

  it('readings imported: the metrics and every widget, nothing of the tree', () => {
    expect(keys({ kind: 'metricsChanged' })).toEqual(['metrics', 'widgetData']);
    expect(changeFingerprint({ kind: 'metricsChanged' })).toBeNull();
  });

  it('an alert changed: the alert counts and lists, and the widgets', () => {
    expect(keys({ kind: 'alertsChanged', entityId: 'r' })).toEqual(['alerts', 'widgetData']);
    expect(changeFingerprint({ kind: 'alertsChanged', entityId: 'r' })).toBeNull();
  });

  it('a dashboard changed: the list and that dashboard, not the widgets', () => {
    expect(keys({ kind: 'dashboardsChanged', id: 'd1' })).toEqual(['dashboards', 'dashboard:d1']);
    expect(changeFingerprint({ kind: 'dashboardsChanged', id: 'd1' })).toBeNull();
  });

  it('a workflow, a run or a vote changed: the workflow lists, the runs and the approvals', () => {
    expect(keys({ kind: 'workflowsChanged', id: 'w1' })).toEqual(['workflows', 'executions', 'approvals']);
    expect(changeFingerprint({ kind: 'workflowsChanged', id: 'w1' })).toBeNull();
  });
});

describe('changeFingerprint', () => {
  it('identifies a change by kind, id and version', () => {
    expect(changeFingerprint({ kind: 'updated', node: room })).toBe(`updated:r:${room.updatedAt}`);
    expect(changeFingerprint({ kind: 'moved', node: room, oldParentId: 'b' })).toBe(`moved:r:${room.updatedAt}`);
    expect(changeFingerprint({ kind: 'deleted', id: 'r', parentId: 'a', count: 3 })).toBe('deleted:r:3');
    expect(changeFingerprint({ kind: 'purged', id: 'r' })).toBe('purged:r');
    expect(changeFingerprint({ kind: 'typesChanged' })).toBeNull();
  });
});

describe('view results', () => {
  const changes: Parameters<typeof invalidationsFor>[0][] = [
    { kind: 'created', node: room },
    { kind: 'updated', node: room },
    { kind: 'moved', node: room, oldParentId: 'b' },
    { kind: 'deleted', id: 'r', parentId: 'a', count: 1 },
    { kind: 'restored', node: room, count: 1 },
    { kind: 'purged', id: 'r' },
    { kind: 'typesChanged' },
    { kind: 'propertiesChanged', node: room },
    { kind: 'tagsChanged', node: room },
    { kind: 'tagSchemaChanged' },
    { kind: 'groupChanged', groupId: 'g' },
    { kind: 'relationshipsChanged', sourceId: 's', targetId: 't' },
    { kind: 'schemaChanged' },
    { kind: 'bulkEdited', count: 2 },
    { kind: 'reloaded' },
    { kind: 'viewsChanged', id: 'v1' },
    { kind: 'vaultChanged', rootId: 'site', secretId: 's1' },
    { kind: 'metricsChanged' },
    { kind: 'alertsChanged', entityId: 'r' },
    { kind: 'dashboardsChanged', id: 'd1' },
  ];

  it('every change that makes searches stale makes view results stale too', () => {
    const withSearch = changes.filter((change) => keys(change).includes('search'));
    expect(withSearch.length).toBeGreaterThan(5);
    for (const change of withSearch) expect(keys(change), change.kind).toContain('viewResults');
  });

  it('values, tags and bulk edits refresh view results though some leave searches alone', () => {
    const refreshing = changes.filter((change) => keys(change).includes('viewResults')).map((change) => change.kind);
    expect(refreshing).toEqual(expect.arrayContaining(['propertiesChanged', 'tagsChanged', 'bulkEdited', 'reloaded']));
    expect(refreshing).not.toContain('viewsChanged');
    expect(refreshing).not.toContain('vaultChanged');
    expect(refreshing).not.toContain('purged');
    expect(refreshing).not.toContain('groupChanged');
  });
});
