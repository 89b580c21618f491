import { describe, expect, it } from 'vitest';
import { makeNode } from '../../test/fixtures';
import { actionTargets, EMPTY_SELECTION, moveFocus, selectAll, selectedNodes, selectOnly, selectRange, toggleSelected, withoutIds } from './selection';
import { flattenTree } from './treeModel';

const a = makeNode({ id: 'a', name: 'A', hasChildren: true });
const a1 = makeNode({ id: 'a1', parentId: 'a', name: 'A1' });
const a2 = makeNode({ id: 'a2', parentId: 'a', name: 'A2' });
const b = makeNode({ id: 'b', name: 'B' });
const c = makeNode({ id: 'c', name: 'C' });
const rows = flattenTree([a, b, c], new Set(['a']), () => ({ status: 'success', nodes: [a1, a2], pages: 1, more: { status: 'none' } }));
// Rows: A, A1, A2, B, C

const ids = (s: { ids: ReadonlySet<string> }) => [...s.ids].sort();

describe('selection', () => {
  it('selectOnly selects one row and anchors there', () => {
    expect(selectOnly('b')).toEqual({ ids: new Set(['b']), focusId: 'b', anchorId: 'b' });
  });

  it('toggleSelected adds and removes rows (Ctrl+click)', () => {
    let s = toggleSelected(selectOnly('a1'), 'b');
    expect(ids(s)).toEqual(['a1', 'b']);
    expect(s.focusId).toBe('b');
    s = toggleSelected(s, 'a1');
    expect(ids(s)).toEqual(['b']);
    expect(s.focusId).toBe('a1');
  });

  it('selectRange selects from the anchor to the row, both ways (Shift+click)', () => {
    const s = selectRange(selectOnly('a1'), rows, 'b');
    expect(ids(s)).toEqual(['a1', 'a2', 'b']);
    expect(s.anchorId).toBe('a1');
    expect(s.focusId).toBe('b');
    // Shrinking back past the anchor keeps the anchor.
    expect(ids(selectRange(s, rows, 'a'))).toEqual(['a', 'a1']);
  });

  it('selectRange without a visible anchor starts at the focus, or selects only the row', () => {
    expect(ids(selectRange({ ids: new Set(), focusId: 'b', anchorId: 'gone' }, rows, 'c'))).toEqual(['b', 'c']);
    expect(selectRange(EMPTY_SELECTION, rows, 'c')).toEqual(selectOnly('c'));
    expect(selectRange(selectOnly('a'), rows, 'not-visible')).toEqual(selectOnly('a'));
  });

  it('moveFocus keeps the selected set; selectAll takes every visible row', () => {
    const s = moveFocus(selectOnly('a'), 'c');
    expect(ids(s)).toEqual(['a']);
    expect(s.focusId).toBe('c');
    expect(ids(selectAll(s, rows))).toEqual(['a', 'a1', 'a2', 'b', 'c']);
  });

  it('withoutIds drops hidden rows and moves a hidden focus to the fallback', () => {
    const s = selectRange(selectOnly('a1'), rows, 'b');
    const collapsed = withoutIds(s, new Set(['a1', 'a2']), 'a');
    expect(ids(collapsed)).toEqual(['b']);
    expect(collapsed.focusId).toBe('b');
    expect(collapsed.anchorId).toBe('a');
    const focusHidden = withoutIds(selectOnly('a2'), new Set(['a1', 'a2']), 'a');
    expect(focusHidden).toEqual(selectOnly('a'));
    const untouched = selectOnly('c');
    expect(withoutIds(untouched, new Set(['a1']), 'a')).toBe(untouched);
  });

  it('selectedNodes lists visible selected nodes in row order', () => {
    const s = toggleSelected(toggleSelected(selectOnly('c'), 'a1'), 'hidden');
    expect(selectedNodes(s, rows).map((n) => n.id)).toEqual(['a1', 'c']);
  });

  it('actionTargets: the selection when the node is in it, else the node alone', () => {
    const s = toggleSelected(selectOnly('a1'), 'b');
    expect(actionTargets(s, rows, b).map((n) => n.id)).toEqual(['a1', 'b']);
    expect(actionTargets(s, rows, c).map((n) => n.id)).toEqual(['c']);
    expect(actionTargets(s, rows, null).map((n) => n.id)).toEqual(['a1', 'b']);
    expect(actionTargets(EMPTY_SELECTION, rows, null)).toEqual([]);
  });
});
