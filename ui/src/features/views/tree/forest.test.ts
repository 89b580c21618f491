import { describe, expect, it } from 'vitest';
import type { ViewTreeNode } from '../../../bindings';
import { buildForest, visibleRows, type ForestNode } from './forest';

const n = (id: string, parentId: string | null, matches = true): ViewTreeNode => ({ id, parentId, name: id, entityTypeId: 't', matches });

/** The forest as nested [id, matches below, children]. */
const shape = (items: ForestNode[]): unknown[] => items.map((i) => (i.children.length ? [i.node.id, i.matches, shape(i.children)] : [i.node.id, i.matches]));

describe('buildForest', () => {
  it('puts children under their parents whatever the order of the list, keeping the order of siblings', () => {
    // By name, as the core sends them: children can come before their parents.
    const forest = buildForest([n('a-room', 'site', true), n('b-hall', 'site', false), n('c-pump', 'b-hall'), n('site', null, false), n('d-fan', 'b-hall')]);
    expect(shape(forest.roots)).toEqual([['site', 3, [['a-room', 1], ['b-hall', 2, [['c-pump', 1], ['d-fan', 1]]]]]]);
    expect(visibleRows(forest.roots, new Set()).map((r) => r.item.node.id)).toEqual(['site', 'a-room', 'b-hall', 'c-pump', 'd-fan']);
  });

  it('puts a node whose parent is absent at the top', () => {
    const forest = buildForest([n('x', 'not-here'), n('y', null), n('z', 'x')]);
    expect(shape(forest.roots)).toEqual([['x', 2, [['z', 1]]], ['y', 1]]);
  });

  it('counts the nodes, the matches, and the matches below each node', () => {
    const forest = buildForest([n('r', null, false), n('m1', 'r'), n('g', 'r', false), n('m2', 'g'), n('m3', 'g'), n('m3', 'g')]);
    expect(forest.total).toBe(5);
    expect(forest.matches).toBe(3);
    expect(forest.roots[0].matches).toBe(3);
    expect(forest.roots[0].children.map((c) => [c.node.id, c.matches])).toEqual([
      ['m1', 1],
      ['g', 2],
    ]);
  });

  it('cuts a loop of parent ids instead of losing its nodes', () => {
    const forest = buildForest([n('a', 'b'), n('b', 'a'), n('c', 'a')]);
    expect(forest.total).toBe(3);
    const rows = visibleRows(forest.roots, new Set());
    expect(rows.map((r) => r.item.node.id).sort()).toEqual(['a', 'b', 'c']);
    expect(forest.matches).toBe(3);
  });

  it('visible rows skip the branches of collapsed nodes and say where each row sits', () => {
    const forest = buildForest([n('r', null, false), n('a', 'r'), n('b', 'r', false), n('c', 'b'), n('s', null)]);
    const rows = visibleRows(forest.roots, new Set(['b']));
    expect(rows.map((r) => [r.item.node.id, r.depth, r.expanded, r.parentId, r.posInSet, r.setSize])).toEqual([
      ['r', 0, true, null, 1, 2],
      ['a', 1, false, 'r', 1, 2],
      ['b', 1, false, 'r', 2, 2],
      ['s', 0, false, null, 2, 2],
    ]);
  });
});
