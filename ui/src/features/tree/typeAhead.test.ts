import { describe, expect, it } from 'vitest';
import { makeNode } from '../../test/fixtures';
import { flattenTree } from './treeModel';
import { EMPTY_TYPE_AHEAD, findTypeAheadMatch, isTypeAheadKey, TYPE_AHEAD_TIMEOUT_MS, typeAheadInput } from './typeAhead';

const names = ['Boiler', 'Building A', 'Building B', 'Cellar', 'attic'];
const rows = flattenTree(
  names.map((name, i) => makeNode({ id: `n${i}`, name })),
  new Set(),
  () => undefined,
);

const none = { ctrl: false, meta: false, alt: false };

describe('type-ahead', () => {
  it('accepts single printable keys without command modifiers', () => {
    expect(isTypeAheadKey('b', none, EMPTY_TYPE_AHEAD, 0)).toBe(true);
    expect(isTypeAheadKey('B', none, EMPTY_TYPE_AHEAD, 0)).toBe(true);
    expect(isTypeAheadKey('ArrowDown', none, EMPTY_TYPE_AHEAD, 0)).toBe(false);
    expect(isTypeAheadKey('b', { ...none, ctrl: true }, EMPTY_TYPE_AHEAD, 0)).toBe(false);
    // Space only continues a running search.
    expect(isTypeAheadKey(' ', none, EMPTY_TYPE_AHEAD, 0)).toBe(false);
    expect(isTypeAheadKey(' ', none, { buffer: 'b', at: 0 }, 100)).toBe(true);
  });

  it('builds a buffer from quick keys and restarts after a pause', () => {
    let state = typeAheadInput(EMPTY_TYPE_AHEAD, 'B', 0);
    state = typeAheadInput(state, 'u', 100);
    expect(state.buffer).toBe('bu');
    state = typeAheadInput(state, 'c', 100 + TYPE_AHEAD_TIMEOUT_MS + 1);
    expect(state.buffer).toBe('c');
  });

  it('a prefix finds the first match from the current row (case-insensitive)', () => {
    expect(findTypeAheadMatch(rows, 0, 'bu')).toBe(1);
    expect(findTypeAheadMatch(rows, 1, 'building')).toBe(1);
    expect(findTypeAheadMatch(rows, 1, 'building b')).toBe(2);
    expect(findTypeAheadMatch(rows, 0, 'at')).toBe(4);
    expect(findTypeAheadMatch(rows, 0, 'zz')).toBe(-1);
  });

  it('one letter (or the same letter repeated) cycles through matches, wrapping', () => {
    expect(findTypeAheadMatch(rows, -1, 'b')).toBe(0);
    expect(findTypeAheadMatch(rows, 0, 'b')).toBe(1);
    expect(findTypeAheadMatch(rows, 1, 'bb')).toBe(2);
    expect(findTypeAheadMatch(rows, 2, 'bbb')).toBe(0);
    expect(findTypeAheadMatch(rows, 3, 'c')).toBe(3);
  });
});
