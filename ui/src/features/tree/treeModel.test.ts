import { describe, expect, it } from 'vitest';
import type { TreeNode } from '../../bindings';
import { makeChildren, makeNode } from '../../test/fixtures';
import { flattenTree, indexOfNode, isInSubtree, moreRowsNear, toggleInSet, visibleDescendantIds, type ChildrenState, type TreeRow } from './treeModel';

const plant = makeNode({ id: 'p', name: 'Plant', hasChildren: true });
const office = makeNode({ id: 'o', name: 'Office', hasChildren: true });
const yard = makeNode({ id: 'y', name: 'Yard', hasChildren: false });
const hall = makeNode({ id: 'h', parentId: 'p', name: 'Hall', pathLabel: 'Plant/Hall', hasChildren: true });
const lab = makeNode({ id: 'l', parentId: 'p', name: 'Lab', pathLabel: 'Plant/Lab' });
const press = makeNode({ id: 'x', parentId: 'h', name: 'Press', pathLabel: 'Plant/Hall/Press' });

const roots = [plant, office, yard];

function lookup(map: Record<string, ChildrenState>) {
  return (id: string) => map[id];
}

function describeRows(rows: TreeRow[]): string[] {
  return rows.map((row) => {
    const pad = '  '.repeat(row.depth);
    switch (row.kind) {
      case 'node':
        return `${pad}${row.node.name}${row.expanded ? ' [-]' : row.node.hasChildren ? ' [+]' : ''}`;
      case 'loading':
        return `${pad}(loading ${row.parent.name})`;
      case 'error':
        return `${pad}(error ${row.parent.name})`;
      case 'more':
        return `${pad}(more ${row.parent.name} after ${row.pages}${row.loading ? ', loading' : ''})`;
    }
  });
}

const loaded = (nodes: TreeNode[]): ChildrenState => ({ status: 'success', nodes, pages: 1, more: { status: 'none' } });

describe('flattenTree', () => {
  it('shows only roots when nothing is expanded', () => {
    const rows = flattenTree(roots, new Set(), lookup({ p: loaded([hall, lab]) }));
    expect(describeRows(rows)).toEqual(['Plant [+]', 'Office [+]', 'Yard']);
    expect(rows.every((row) => row.depth === 0)).toBe(true);
  });

  it('inserts loaded children after their expanded parent, depth first', () => {
    const rows = flattenTree(roots, new Set(['p', 'h']), lookup({ p: loaded([hall, lab]), h: loaded([press]) }));
    expect(describeRows(rows)).toEqual(['Plant [-]', '  Hall [-]', '    Press', '  Lab', 'Office [+]', 'Yard']);
  });

  it('sets posInSet and setSize per sibling group', () => {
    const rows = flattenTree(roots, new Set(['p']), lookup({ p: loaded([hall, lab]) }));
    const sets = rows.map((row) => (row.kind === 'node' ? `${row.node.name}:${row.posInSet}/${row.setSize}` : ''));
    expect(sets).toEqual(['Plant:1/3', 'Hall:1/2', 'Lab:2/2', 'Office:2/3', 'Yard:3/3']);
  });

  it('adds a loading row while children are pending or unknown', () => {
    const rows = flattenTree(roots, new Set(['p', 'o']), lookup({ p: { status: 'pending' } }));
    expect(describeRows(rows)).toEqual(['Plant [-]', '  (loading Plant)', 'Office [-]', '  (loading Office)', 'Yard']);
  });

  it('adds an error row carrying the error when children failed', () => {
    const error = new Error('boom');
    const rows = flattenTree(roots, new Set(['o']), lookup({ o: { status: 'error', error } }));
    expect(describeRows(rows)).toEqual(['Plant [+]', 'Office [-]', '  (error Office)', 'Yard']);
    const errorRow = rows[2];
    expect(errorRow.kind === 'error' && errorRow.error).toBe(error);
  });

  it('hides descendants of a collapsed node even if they are expanded', () => {
    const rows = flattenTree(roots, new Set(['h']), lookup({ p: loaded([hall, lab]), h: loaded([press]) }));
    expect(describeRows(rows)).toEqual(['Plant [+]', 'Office [+]', 'Yard']);
  });

  it('ignores expansion of nodes without children', () => {
    const rows = flattenTree(roots, new Set(['y']), lookup({}));
    expect(describeRows(rows)).toEqual(['Plant [+]', 'Office [+]', 'Yard']);
  });

  it('does not loop on cyclic data', () => {
    const again = { ...plant, parentId: 'h' };
    const rows = flattenTree([plant], new Set(['p', 'h']), lookup({ p: loaded([hall]), h: loaded([again]) }));
    expect(describeRows(rows)).toEqual(['Plant [-]', '  Hall [-]', '    Plant [+]']);
  });

  it('adds a "more" row after the loaded children of a node with further pages', () => {
    const idle: ChildrenState = { status: 'success', nodes: [hall, lab], pages: 2, more: { status: 'idle' } };
    expect(describeRows(flattenTree(roots, new Set(['p']), lookup({ p: idle })))).toEqual(['Plant [-]', '  Hall [+]', '  Lab', '  (more Plant after 2)', 'Office [+]', 'Yard']);
    const loading: ChildrenState = { ...idle, more: { status: 'loading' } };
    expect(describeRows(flattenTree(roots, new Set(['p']), lookup({ p: loading })))[3]).toBe('  (more Plant after 2, loading)');
    const failed: ChildrenState = { ...idle, more: { status: 'error', error: new Error('x') } };
    expect(describeRows(flattenTree(roots, new Set(['p']), lookup({ p: failed })))[3]).toBe('  (error Plant)');
  });

  it('gives rows unique keys', () => {
    const rows = flattenTree(roots, new Set(['p', 'o']), lookup({ p: loaded([hall, lab]), o: { status: 'pending' } }));
    expect(new Set(rows.map((row) => row.key)).size).toBe(rows.length);
  });

  it('flattens 100,000 children quickly', () => {
    const many = makeChildren(plant, 100_000);
    const started = performance.now();
    const rows = flattenTree(roots, new Set(['p']), lookup({ p: loaded(many) }));
    expect(rows).toHaveLength(100_003);
    expect(rows[100_000].kind === 'node' && rows[100_000].node.name).toBe('Item 100000');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('helpers', () => {
  const rows = flattenTree(roots, new Set(['p', 'h']), lookup({ p: loaded([hall, lab]), h: loaded([press]) }));

  it('indexOfNode finds visible nodes only', () => {
    expect(indexOfNode(rows, 'x')).toBe(2);
    expect(indexOfNode(rows, 'y')).toBe(5);
    expect(indexOfNode(rows, 'missing')).toBe(-1);
    expect(indexOfNode(rows, null)).toBe(-1);
  });

  it('isInSubtree checks the flattened subtree', () => {
    expect(isInSubtree(rows, 0, 'x')).toBe(true);
    expect(isInSubtree(rows, 0, 'l')).toBe(true);
    expect(isInSubtree(rows, 1, 'l')).toBe(false);
    expect(isInSubtree(rows, 0, 'o')).toBe(false);
    expect(isInSubtree(rows, 0, 'p')).toBe(false);
  });

  it('visibleDescendantIds lists the visible nodes under a row', () => {
    expect([...visibleDescendantIds(rows, 0)].sort()).toEqual(['h', 'l', 'x']);
    expect([...visibleDescendantIds(rows, 1)]).toEqual(['x']);
    expect(visibleDescendantIds(rows, 4).size).toBe(0);
  });

  it('toggleInSet adds and removes without mutating', () => {
    const start = new Set(['a']);
    const added = toggleInSet(start, 'b');
    expect([...added].sort()).toEqual(['a', 'b']);
    expect([...toggleInSet(added, 'a')]).toEqual(['b']);
    expect([...start]).toEqual(['a']);
  });
});

describe('moreRowsNear', () => {
  const many = makeChildren(plant, 500);
  const state: ChildrenState = { status: 'success', nodes: many, pages: 1, more: { status: 'idle' } };
  const rows = flattenTree(roots, new Set(['p']), lookup({ p: state }));
  // Plant, 500 children, the more row at 501, Office, Yard.

  it('finds the more row only when the window comes within the threshold', () => {
    expect(rows[501].kind).toBe('more');
    expect(moreRowsNear(rows, 0, 30, 100)).toEqual([]);
    expect(moreRowsNear(rows, 380, 410, 100).map((r) => r.parent.id)).toEqual(['p']);
    expect(moreRowsNear(rows, 490, 503, 100).map((r) => r.pages)).toEqual([1]);
  });

  it('skips a more row that is already loading', () => {
    const busy = flattenTree(roots, new Set(['p']), lookup({ p: { ...state, more: { status: 'loading' } } }));
    expect(moreRowsNear(busy, 490, 503, 100)).toEqual([]);
  });
});
