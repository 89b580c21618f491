import { describe, expect, it } from 'vitest';
import type { ChildPage } from '../../bindings';
import { makeNode } from '../../test/fixtures';
import { childrenStateOf, pageSpecs } from './treeQueries';

const n = (id: string) => makeNode({ id, name: id });
const page = (ids: string[], nextCursor: string | null): ChildPage => ({ nodes: ids.map(n), nextCursor });
const ok = (data: ChildPage) => ({ data, isError: false, isFetching: false, error: null });
const pending = { data: undefined, isError: false, isFetching: true, error: null };
const failed = { data: undefined, isError: true, isFetching: false, error: new Error('x') };

describe('pageSpecs', () => {
  const cache: Record<string, ChildPage> = {
    'p|': page(['a', 'b'], 'b'),
    'p|b': page(['c'], 'c'),
    'q|': page(['z'], null),
  };
  const cached = (parentId: string, after: string | null) => cache[`${parentId}|${after ?? ''}`];

  it('asks for the first page of each expanded node by default', () => {
    expect(pageSpecs(['p', 'q'], new Map(), cached)).toEqual([
      { parentId: 'p', after: null },
      { parentId: 'q', after: null },
    ]);
  });

  it('follows cached cursors up to the page target', () => {
    expect(pageSpecs(['p'], new Map([['p', 3]]), cached)).toEqual([
      { parentId: 'p', after: null },
      { parentId: 'p', after: 'b' },
      { parentId: 'p', after: 'c' },
    ]);
    // Without the previous page cached the chain stops there.
    expect(pageSpecs(['r'], new Map([['r', 3]]), cached)).toEqual([{ parentId: 'r', after: null }]);
    // The last page has no cursor.
    expect(pageSpecs(['q'], new Map([['q', 5]]), cached)).toEqual([{ parentId: 'q', after: null }]);
  });
});

describe('childrenStateOf', () => {
  it('is pending or error until the first page arrives', () => {
    expect(childrenStateOf([pending])).toEqual({ status: 'pending' });
    expect(childrenStateOf([failed])).toEqual({ status: 'error', error: failed.error });
  });

  it('concatenates loaded pages and says whether there is more', () => {
    const one = childrenStateOf([ok(page(['a', 'b'], 'b'))]);
    expect(one.status === 'success' && [one.nodes.map((x) => x.id), one.pages, one.more.status]).toEqual([['a', 'b'], 1, 'idle']);
    const loading = childrenStateOf([ok(page(['a', 'b'], 'b')), pending]);
    expect(loading.status === 'success' && loading.more.status).toBe('loading');
    const done = childrenStateOf([ok(page(['a', 'b'], 'b')), ok(page(['c'], null))]);
    expect(done.status === 'success' && [done.nodes.map((x) => x.id), done.pages, done.more.status]).toEqual([['a', 'b', 'c'], 2, 'none']);
    const broken = childrenStateOf([ok(page(['a'], 'a')), failed]);
    expect(broken.status === 'success' && broken.more.status).toBe('error');
  });
});
