import { describe, expect, it } from 'vitest';
import { makeNode } from '../test/fixtures';
import { keyToAction, type TreeAction } from './treeKeyboard';
import { flattenTree, type ChildrenState } from './treeModel';

const a = makeNode({ id: 'a', name: 'A', hasChildren: true });
const a1 = makeNode({ id: 'a1', parentId: 'a', name: 'A1', hasChildren: true });
const a2 = makeNode({ id: 'a2', parentId: 'a', name: 'A2' });
const b = makeNode({ id: 'b', name: 'B', hasChildren: true });
const c = makeNode({ id: 'c', name: 'C' });

const children: Record<string, ChildrenState> = {
  a: { status: 'success', nodes: [a1, a2] },
  a1: { status: 'pending' },
};
// Rows: A(expanded), A1(expanded), (loading A1), A2, B, C
const rows = flattenTree([a, b, c], new Set(['a', 'a1']), (id) => children[id]);

function summary(action: TreeAction | null) {
  return action ? `${action.type}:${action.row.node.id}` : null;
}

describe('keyToAction', () => {
  it('ArrowDown / ArrowUp move between node rows, skipping status rows', () => {
    expect(summary(keyToAction('ArrowDown', rows, 'a'))).toBe('select:a1');
    expect(summary(keyToAction('ArrowDown', rows, 'a1'))).toBe('select:a2');
    expect(summary(keyToAction('ArrowUp', rows, 'a2'))).toBe('select:a1');
    expect(keyToAction('ArrowUp', rows, 'a')).toBeNull();
    expect(keyToAction('ArrowDown', rows, 'c')).toBeNull();
  });

  it('selects the first or last row when nothing is selected', () => {
    expect(summary(keyToAction('ArrowDown', rows, null))).toBe('select:a');
    expect(summary(keyToAction('ArrowUp', rows, null))).toBe('select:c');
    expect(summary(keyToAction('ArrowDown', rows, 'not-visible'))).toBe('select:a');
    expect(keyToAction('ArrowLeft', rows, null)).toBeNull();
  });

  it('Home / End jump to the ends', () => {
    expect(summary(keyToAction('Home', rows, 'b'))).toBe('select:a');
    expect(summary(keyToAction('End', rows, 'a1'))).toBe('select:c');
  });

  it('ArrowRight expands a collapsed node, then moves to its first child', () => {
    expect(summary(keyToAction('ArrowRight', rows, 'b'))).toBe('expand:b');
    expect(summary(keyToAction('ArrowRight', rows, 'a'))).toBe('select:a1');
    // Expanded but still loading: nothing to move to.
    expect(keyToAction('ArrowRight', rows, 'a1')).toBeNull();
    // Leaf: nothing to do.
    expect(keyToAction('ArrowRight', rows, 'c')).toBeNull();
  });

  it('ArrowLeft collapses an expanded node, else moves to the parent', () => {
    expect(summary(keyToAction('ArrowLeft', rows, 'a'))).toBe('collapse:a');
    expect(summary(keyToAction('ArrowLeft', rows, 'a1'))).toBe('collapse:a1');
    expect(summary(keyToAction('ArrowLeft', rows, 'a2'))).toBe('select:a');
    expect(keyToAction('ArrowLeft', rows, 'b')).toBeNull();
  });

  it('Enter selects the current row; other keys are ignored', () => {
    expect(summary(keyToAction('Enter', rows, 'a2'))).toBe('select:a2');
    expect(keyToAction('x', rows, 'a2')).toBeNull();
    expect(keyToAction('Tab', rows, 'a2')).toBeNull();
  });

  it('reports the row index of the target', () => {
    const action = keyToAction('ArrowDown', rows, 'a1');
    expect(action?.index).toBe(3);
  });
});
