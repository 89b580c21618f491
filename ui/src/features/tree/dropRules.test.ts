import { describe, expect, it } from 'vitest';
import { makeNode } from '../../test/fixtures';
import { ancestorIds, isPathUnder, moveQuestion, topMostNodes, validateDrop } from './dropRules';

const site = makeNode({ id: 'site', name: 'Site', pathLabel: 'site', hasChildren: true });
const bldA = makeNode({ id: 'a', parentId: 'site', name: 'Building A', pathLabel: 'site.building_a', hasChildren: true });
const bldB = makeNode({ id: 'b', parentId: 'site', name: 'Building B', pathLabel: 'site.building_b', hasChildren: true });
const room = makeNode({ id: 'r', parentId: 'a', name: 'Room 1', pathLabel: 'site.building_a.room_1' });
const other = makeNode({ id: 'o', name: 'Other', pathLabel: 'other' });
// A look-alike path that is not inside building_a.
const annex = makeNode({ id: 'x', parentId: 'site', name: 'Annex', pathLabel: 'site.building_a2' });

const parents: Record<string, string | null> = { site: null, a: 'site', b: 'site', r: 'a', o: null, x: 'site' };
const parentOf = (id: string) => parents[id];

describe('drop rules', () => {
  it('isPathUnder needs a whole label boundary', () => {
    expect(isPathUnder('site.building_a', 'site.building_a.room_1')).toBe(true);
    expect(isPathUnder('site.building_a', 'site.building_a2')).toBe(false);
    expect(isPathUnder('site.building_a', 'site.building_a')).toBe(false);
  });

  it('ancestorIds walks the loaded parents and stops on cycles', () => {
    expect(ancestorIds('r', parentOf)).toEqual(['a', 'site']);
    expect(ancestorIds('q', (id) => (id === 'q' ? 'w' : id === 'w' ? 'q' : undefined))).toEqual(['w']);
  });

  it('topMostNodes drops nodes inside another dragged node', () => {
    expect(topMostNodes([room, bldA, other], parentOf).map((n) => n.id)).toEqual(['a', 'o']);
    expect(topMostNodes([bldA, bldA, annex]).map((n) => n.id)).toEqual(['a', 'x']);
  });

  it('refuses a drop onto a dragged node itself', () => {
    const verdict = validateDrop([bldA, bldB], bldA, parentOf);
    expect(verdict).toEqual({ ok: false, reason: `Can't move "Building A" into itself.` });
  });

  it('refuses a drop onto a descendant, by path label or by loaded parents', () => {
    expect(validateDrop([site], room, parentOf)).toEqual({ ok: false, reason: `Can't move "Site" into its own descendant "Room 1".` });
    // Path labels that do not show it: the parent chain still does.
    const oddRoom = { ...room, pathLabel: 'elsewhere' };
    expect(validateDrop([bldA], oddRoom, parentOf).ok).toBe(false);
    // A look-alike sibling path is fine.
    expect(validateDrop([bldA], annex, parentOf).ok).toBe(true);
  });

  it('refuses when nothing would change and keeps only the nodes that move', () => {
    expect(validateDrop([room], bldA, parentOf)).toEqual({ ok: false, reason: `"Room 1" is already under "Building A".` });
    expect(validateDrop([site, other], null, parentOf)).toEqual({ ok: false, reason: 'They are already at the top level.' });
    const verdict = validateDrop([room, bldB], bldA, parentOf);
    expect(verdict.ok && verdict.nodes.map((n) => n.id)).toEqual(['b']);
    const top = validateDrop([room, other], null, parentOf);
    expect(top.ok && top.nodes.map((n) => n.id)).toEqual(['r']);
  });

  it('words the confirmation', () => {
    expect(moveQuestion([bldA, bldB, room], site)).toBe('Move 3 entities under Site?');
    expect(moveQuestion([room], null)).toBe('Move "Room 1" to the top level?');
  });
});
