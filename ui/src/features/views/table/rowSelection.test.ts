import { describe, expect, it } from 'vitest';
import { clearRows, clickRow, EMPTY_ROW_SELECTION, moveFocus, selectAllRows, selectedIds, toggleRow, type RowSelection } from './rowSelection';

const rows = ['a', 'b', 'c', 'd', 'e'];
const ids = (selection: RowSelection) => [...selection.ids].sort();
const plain = { shift: false, toggle: false };

describe('row selection', () => {
  it('a click selects only that row; Ctrl+click adds and removes one', () => {
    let s = clickRow(EMPTY_ROW_SELECTION, rows, 'b', plain);
    expect(ids(s)).toEqual(['b']);
    s = clickRow(s, rows, 'd', { shift: false, toggle: true });
    expect(ids(s)).toEqual(['b', 'd']);
    s = clickRow(s, rows, 'b', { shift: false, toggle: true });
    expect(ids(s)).toEqual(['d']);
    expect(s.focusId).toBe('b');
    expect(ids(clickRow(s, rows, 'e', plain))).toEqual(['e']);
  });

  it('Shift+click takes the range from the anchor, which stays; Ctrl+Shift adds the range', () => {
    let s = clickRow(EMPTY_ROW_SELECTION, rows, 'b', plain);
    s = clickRow(s, rows, 'd', { shift: true, toggle: false });
    expect(ids(s)).toEqual(['b', 'c', 'd']);
    s = clickRow(s, rows, 'a', { shift: true, toggle: false });
    expect(ids(s)).toEqual(['a', 'b']);
    expect(s.anchorId).toBe('b');
    const added = clickRow(clickRow(s, rows, 'e', { shift: false, toggle: true }), rows, 'd', { shift: true, toggle: true });
    expect(ids(added)).toEqual(['a', 'b', 'd', 'e']);
  });

  it('Shift+click with no anchor on screen selects just that row', () => {
    const s = clickRow({ ids: new Set(['zz']), focusId: 'zz', anchorId: 'zz' }, rows, 'c', { shift: true, toggle: false });
    expect(ids(s)).toEqual(['c']);
  });

  it('arrows move the focus; Shift+arrows grow the range from the anchor', () => {
    let s = moveFocus(EMPTY_ROW_SELECTION, rows, 1, false);
    expect(s.focusId).toBe('a');
    s = moveFocus(s, rows, 1, false);
    expect(s).toMatchObject({ focusId: 'b', anchorId: 'b' });
    expect(ids(s)).toEqual([]);
    s = moveFocus(s, rows, 1, true);
    s = moveFocus(s, rows, 1, true);
    expect(ids(s)).toEqual(['b', 'c', 'd']);
    s = moveFocus(s, rows, -3, true);
    expect(ids(s)).toEqual(['a', 'b']);
    expect(moveFocus(s, rows, 99, false).focusId).toBe('e');
    expect(moveFocus(EMPTY_ROW_SELECTION, rows, -1, false).focusId).toBe('e');
    expect(moveFocus(EMPTY_ROW_SELECTION, [], 1, false)).toBe(EMPTY_ROW_SELECTION);
  });

  it('Ctrl+A takes every loaded row; Space toggles; Escape clears', () => {
    const all = selectAllRows(EMPTY_ROW_SELECTION, rows);
    expect(ids(all)).toEqual(rows);
    expect(ids(toggleRow(all, 'c'))).toEqual(['a', 'b', 'd', 'e']);
    expect(ids(clearRows(all))).toEqual([]);
  });

  it('counts only the loaded rows, in row order', () => {
    expect(selectedIds({ ids: new Set(['e', 'gone', 'a']), focusId: null, anchorId: null }, rows)).toEqual(['a', 'e']);
  });
});
