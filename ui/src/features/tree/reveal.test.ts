import { describe, expect, it } from 'vitest';
import type { ChildPage } from '../../bindings';
import { detailOf, makeChildren, makeNode, pageOf } from '../../test/fixtures';
import { planReveal, RevealError, type RevealDeps } from './reveal';

const site = makeNode({ id: 'site', name: 'Site', pathLabel: 'site', hasChildren: true });
const rooms = makeChildren(site, 1200, 'Room');
const target = rooms[1100];

function deps(overrides: Partial<RevealDeps> = {}): RevealDeps & { pages: string[] } {
  const pages: string[] = [];
  return {
    pages,
    getEntity: async () => detailOf(target, [site]),
    listRoots: async () => [site],
    fetchPage: async (parentId, after): Promise<ChildPage> => {
      pages.push(`${parentId}:${after}`);
      return pageOf(parentId === 'site' ? rooms : [], after, 500);
    },
    ...overrides,
  };
}

describe('planReveal', () => {
  it('expands the breadcrumb and loads pages until the entity is found', async () => {
    const d = deps();
    const plan = await planReveal(target.id, d);
    expect(plan.target).toBe(target);
    expect(plan.expand).toEqual(['site']);
    expect(plan.pages.get('site')).toBe(3);
    expect(d.pages).toEqual(['site:null', `site:${rooms[499].pathLabel}`, `site:${rooms[999].pathLabel}`]);
  });

  it('a root needs nothing expanded', async () => {
    const plan = await planReveal('site', deps({ getEntity: async () => detailOf(site) }));
    expect(plan.expand).toEqual([]);
    expect(plan.pages.size).toBe(0);
  });

  it('refuses deleted entities and stale breadcrumbs', async () => {
    await expect(planReveal('x', deps({ getEntity: async () => ({ ...detailOf(target, [site]), deletedAt: '2025-02-02T00:00:00Z' }) }))).rejects.toThrow(/trash/);
    await expect(planReveal('x', deps({ fetchPage: async () => ({ nodes: [], nextCursor: null }) }))).rejects.toBeInstanceOf(RevealError);
    await expect(planReveal('x', deps({ listRoots: async () => [] }))).rejects.toThrow(/top-level/);
  });
});
