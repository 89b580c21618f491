import { describe, expect, it } from 'vitest';
import { boxesOverlap, CELL_HEIGHT, CELL_WIDTH, clipToBox, edgeGeometry, NODE_HEIGHT, NODE_WIDTH, parallelOffsets, radialLayout, type LayoutInput, type PlacedNode } from './graphLayout';

const node = (id: string) => ({ id, name: id.toUpperCase() });
const edge = (sourceId: string, targetId: string) => ({ sourceId, targetId });

/** A star of `first` nodes around c, each with `second` nodes of its own. */
function twoHopStar(first: number, second: number): LayoutInput {
  const nodes = [node('c')];
  const edges = [];
  for (let i = 0; i < first; i++) {
    nodes.push(node(`a${i}`));
    edges.push(edge('c', `a${i}`));
    for (let j = 0; j < second; j++) {
      nodes.push(node(`a${i}b${j}`));
      edges.push(i % 2 === 0 ? edge(`a${i}`, `a${i}b${j}`) : edge(`a${i}b${j}`, `a${i}`));
    }
  }
  return { center: 'c', nodes, edges };
}

function overlaps(placed: PlacedNode[]): [string, string][] {
  const found: [string, string][] = [];
  for (let i = 0; i < placed.length; i++) {
    for (let j = i + 1; j < placed.length; j++) if (boxesOverlap(placed[i], placed[j])) found.push([placed[i].id, placed[j].id]);
  }
  return found;
}

describe('radialLayout', () => {
  it('places every node once, the center first in the middle, then ring by ring', () => {
    const input = twoHopStar(3, 2);
    const placed = radialLayout(input);
    expect(placed.map((p) => p.id).sort()).toEqual(input.nodes.map((n) => n.id).sort());
    expect(new Set(placed.map((p) => p.id)).size).toBe(placed.length);
    expect(placed[0]).toEqual({ id: 'c', ring: 0, x: -NODE_WIDTH / 2, y: -NODE_HEIGHT / 2 });
    expect(placed.map((p) => p.ring)).toEqual([0, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
  });

  it('never lets two boxes overlap, however many nodes a ring holds', () => {
    for (const [first, second] of [
      [1, 0],
      [2, 0],
      [5, 0],
      [12, 0],
      [1, 1],
      [3, 4],
      [6, 6],
      [20, 1],
    ]) {
      const placed = radialLayout(twoHopStar(first, second));
      expect(placed).toHaveLength(1 + first + first * second);
      expect(overlaps(placed)).toEqual([]);
    }
  });

  it('keeps any two boxes a whole cell apart across or down (the free space around a box)', () => {
    for (const placed of [radialLayout(twoHopStar(8, 3)), radialLayout(twoHopStar(2, 1)), radialLayout(twoHopStar(30, 0))]) {
      for (let i = 0; i < placed.length; i++) {
        for (let j = i + 1; j < placed.length; j++) {
          const dx = Math.abs(placed[i].x - placed[j].x);
          const dy = Math.abs(placed[i].y - placed[j].y);
          expect(dx >= CELL_WIDTH - 1e-6 || dy >= CELL_HEIGHT - 1e-6, `${placed[i].id} and ${placed[j].id}`).toBe(true);
        }
      }
    }
  });

  it('puts two neighbours left and right of the center, wider than tall', () => {
    const [, first, second] = radialLayout({ center: 'c', nodes: ['c', 'a', 'b'].map(node), edges: [edge('a', 'c'), edge('c', 'b')] });
    expect(Math.abs(first.y + NODE_HEIGHT / 2)).toBeLessThan(1e-6);
    expect(Math.abs(second.y + NODE_HEIGHT / 2)).toBeLessThan(1e-6);
    expect(Math.sign(first.x)).toBe(-Math.sign(second.x));
  });

  it('takes edges both ways and puts a second-hop node near the node that reached it', () => {
    const placed = radialLayout({ center: 'c', nodes: ['c', 'n', 'e', 's', 'w', 'far'].map(node), edges: [edge('c', 'n'), edge('e', 'c'), edge('c', 's'), edge('w', 'c'), edge('far', 'e')] });
    const at = new Map(placed.map((p) => [p.id, p]));
    expect(at.get('far')!.ring).toBe(2);
    // "far" hangs off "e": it is nearer to it than to any other first-ring node.
    const distance = (a: string, b: string) => Math.hypot(at.get(a)!.x - at.get(b)!.x, at.get(a)!.y - at.get(b)!.y);
    for (const other of ['n', 's', 'w']) expect(distance('far', 'e')).toBeLessThan(distance('far', other));
  });

  it('is deterministic and orders a ring by name', () => {
    const input: LayoutInput = { center: 'c', nodes: [node('c'), node('zeta'), node('alpha'), node('mid')], edges: [edge('c', 'zeta'), edge('alpha', 'c'), edge('c', 'mid')] };
    expect(radialLayout(input)).toEqual(radialLayout({ ...input, nodes: [...input.nodes].reverse() }));
    expect(radialLayout(input).map((p) => p.id)).toEqual(['c', 'alpha', 'mid', 'zeta']);
  });

  it('puts nodes no edge reaches on an outer ring, and ignores edges to unknown nodes', () => {
    const placed = radialLayout({ center: 'c', nodes: [node('c'), node('a'), node('lost')], edges: [edge('c', 'a'), edge('a', 'ghost')] });
    expect(placed.map((p) => [p.id, p.ring])).toEqual([
      ['c', 0],
      ['a', 1],
      ['lost', 2],
    ]);
    expect(overlaps(placed)).toEqual([]);
  });

  it('draws nothing without its center', () => {
    expect(radialLayout({ center: 'x', nodes: [node('a')], edges: [] })).toEqual([]);
  });
});

describe('edge geometry', () => {
  it('clips a ray from a box center at the box border', () => {
    expect(clipToBox({ x: 0, y: 0 }, { x: 500, y: 0 })).toEqual({ x: NODE_WIDTH / 2, y: 0 });
    expect(clipToBox({ x: 0, y: 0 }, { x: 0, y: -300 })).toEqual({ x: 0, y: -NODE_HEIGHT / 2 });
    const corner = clipToBox({ x: 10, y: 10 }, { x: 1010, y: 110 });
    expect(corner.x).toBeCloseTo(10 + NODE_WIDTH / 2);
    expect(corner.y).toBeCloseTo(10 + NODE_WIDTH / 2 / 10);
  });

  it('bows edges between the same two nodes apart, whichever way they point', () => {
    const offsets = parallelOffsets([
      { id: 'r1', sourceId: 'a', targetId: 'b' },
      { id: 'r2', sourceId: 'b', targetId: 'a' },
      { id: 'r3', sourceId: 'a', targetId: 'c' },
    ]);
    expect(offsets.get('r3')).toBe(0);
    expect(offsets.get('r1')).toBe(-offsets.get('r2')!);
    expect(offsets.get('r1')).not.toBe(0);
  });

  it('draws a lone edge straight from border to border, with its label in the middle', () => {
    const geometry = edgeGeometry({ x: 0, y: 0 }, { x: 400, y: 0 }, 0, true);
    expect(geometry.path).toBe(`M ${NODE_WIDTH / 2} 0 L ${400 - NODE_WIDTH / 2} 0`);
    expect([geometry.labelX, geometry.labelY]).toEqual([200, 0]);
  });

  it('bows two opposite edges of a pair to opposite sides, their labels apart along the pair too', () => {
    const offsets = parallelOffsets([
      { id: 'ab', sourceId: 'a', targetId: 'b' },
      { id: 'ba', sourceId: 'b', targetId: 'a' },
    ]);
    const a = { x: 0, y: 0 };
    const b = { x: 400, y: 0 };
    const ab = edgeGeometry(a, b, offsets.get('ab')!, true);
    const ba = edgeGeometry(b, a, offsets.get('ba')!, false);
    expect(ab.path).toContain(' Q ');
    expect(Math.sign(ab.labelY)).toBe(-Math.sign(ba.labelY));
    expect(Math.abs(ab.labelX - ba.labelX)).toBeGreaterThan(20);
    expect(Math.abs(ab.labelY - ba.labelY)).toBeGreaterThan(40);
  });
});
