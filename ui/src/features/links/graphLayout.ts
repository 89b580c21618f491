// The neighbourhood graph's geometry, in plain numbers: a radial layout (the
// center in the middle, the entities one hop away on the first ring, two hops
// on the second) whose boxes never overlap, and the paths of the edges
// between box borders.

/** Every node is drawn as a box of this size (positions are top-left corners). */
export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 46;

/**
 * The layout works in cells: a box with the free space kept around it. In
 * cell units the rings are circles; drawn, they are ellipses as wide as the
 * boxes are (which suits a wide pane).
 */
export const CELL_WIDTH = NODE_WIDTH + 28;
export const CELL_HEIGHT = NODE_HEIGHT + 54;

/**
 * In cell units, two centers at least this far apart (the diagonal of a cell)
 * are a whole cell apart across or down, so their boxes cannot overlap.
 */
export const MIN_CELL_DISTANCE = Math.SQRT2;

export type Point = { x: number; y: number };

export type LayoutInput = {
  center: string;
  nodes: readonly { id: string; name: string }[];
  edges: readonly { sourceId: string; targetId: string }[];
};

export type PlacedNode = {
  id: string;
  /** Hops from the center (0 for the center; one ring past the last for unreachable nodes). */
  ring: number;
  /** Top-left corner of its box. */
  x: number;
  y: number;
};

const byName = (names: Map<string, string>) => (a: string, b: string) => {
  const an = names.get(a) ?? '';
  const bn = names.get(b) ?? '';
  return an < bn ? -1 : an > bn ? 1 : a < b ? -1 : a > b ? 1 : 0;
};

/**
 * The smallest ring radius (in cells) on which `count` equally spaced boxes
 * are MIN_CELL_DISTANCE apart, and as far from every box of the ring inside.
 */
export function ringRadius(count: number, inner: number): number {
  const spread = count > 1 ? MIN_CELL_DISTANCE / (2 * Math.sin(Math.PI / count)) : 0;
  return Math.max(inner + MIN_CELL_DISTANCE, spread);
}

/**
 * The rotation of `count` equally spaced slots that best matches the wished
 * angles of the nodes put in them in order (the circular mean of the
 * differences).
 */
function bestRotation(wished: number[]): number {
  const step = (2 * Math.PI) / wished.length;
  let sin = 0;
  let cos = 0;
  wished.forEach((angle, i) => {
    sin += Math.sin(angle - i * step);
    cos += Math.cos(angle - i * step);
  });
  return sin === 0 && cos === 0 ? -Math.PI / 2 : Math.atan2(sin, cos);
}

/**
 * Places the center at (0, 0) and the other nodes on rings by their distance
 * in hops (edges taken both ways). A ring's radius keeps its boxes and those
 * of the ring inside a cell apart; the nodes of the second ring sit as close as
 * their slots allow to the node that reached them. Returns every node once,
 * the center first, then ring by ring.
 */
export function radialLayout({ center, nodes, edges }: LayoutInput): PlacedNode[] {
  const names = new Map(nodes.map((n) => [n.id, n.name]));
  if (!names.has(center)) return [];
  const neighbours = new Map<string, Set<string>>([...names.keys()].map((id) => [id, new Set<string>()]));
  for (const { sourceId, targetId } of edges) {
    if (sourceId === targetId || !names.has(sourceId) || !names.has(targetId)) continue;
    neighbours.get(sourceId)!.add(targetId);
    neighbours.get(targetId)!.add(sourceId);
  }

  // Rings by breadth-first distance; each node remembers who reached it first.
  const rings: string[][] = [[center]];
  const reachedBy = new Map<string, string | null>([[center, null]]);
  for (let frontier = [center]; ; ) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const other of [...neighbours.get(id)!].sort(byName(names))) {
        if (reachedBy.has(other)) continue;
        reachedBy.set(other, id);
        next.push(other);
      }
    }
    if (next.length === 0) break;
    rings.push(next);
    frontier = next;
  }
  const unreached = [...names.keys()].filter((id) => !reachedBy.has(id)).sort(byName(names));
  if (unreached.length > 0) rings.push(unreached);

  const angles = new Map<string, number>([[center, 0]]);
  const placed: PlacedNode[] = [{ id: center, ring: 0, x: -NODE_WIDTH / 2, y: -NODE_HEIGHT / 2 }];
  let radius = 0;
  rings.slice(1).forEach((ring, index) => {
    const level = index + 1;
    // Order the ring by where its nodes' parents are, then by name.
    const parentAngle = (id: string) => {
      const parent = reachedBy.get(id);
      return parent == null ? Number.POSITIVE_INFINITY : (angles.get(parent) ?? 0);
    };
    const order = [...ring].sort((a, b) => {
      const pa = parentAngle(a);
      const pb = parentAngle(b);
      return pa !== pb && level > 1 ? pa - pb : byName(names)(a, b);
    });
    radius = ringRadius(order.length, radius);
    const step = (2 * Math.PI) / order.length;
    // The first ring starts half a step past the top, so that two nodes sit left and right.
    const start = level === 1 || !Number.isFinite(parentAngle(order[0])) ? -Math.PI / 2 + step / 2 : bestRotation(order.map(parentAngle));
    order.forEach((id, i) => {
      const angle = start + i * step;
      angles.set(id, angle);
      placed.push({
        id,
        ring: level,
        x: radius * Math.cos(angle) * CELL_WIDTH - NODE_WIDTH / 2,
        y: radius * Math.sin(angle) * CELL_HEIGHT - NODE_HEIGHT / 2,
      });
    });
  });
  return placed;
}

/** True when two boxes of the node size at these top-left corners overlap. */
export function boxesOverlap(a: Point, b: Point): boolean {
  return Math.abs(a.x - b.x) < NODE_WIDTH && Math.abs(a.y - b.y) < NODE_HEIGHT;
}

/** Where the ray from a box's center towards `toward` leaves the box (w × h around `center`). */
export function clipToBox(center: Point, toward: Point, width = NODE_WIDTH, height = NODE_HEIGHT): Point {
  const dx = toward.x - center.x;
  const dy = toward.y - center.y;
  if (dx === 0 && dy === 0) return center;
  const scale = Math.min(dx === 0 ? Infinity : width / 2 / Math.abs(dx), dy === 0 ? Infinity : height / 2 / Math.abs(dy));
  return { x: center.x + dx * scale, y: center.y + dy * scale };
}

/** How far apart two edges between the same pair of nodes are bowed (room for their labels side by side). */
export const PARALLEL_SPACING = 56;

/**
 * A bow for each edge so that edges between the same two nodes (either way)
 * do not lie on top of each other: 0 for a lone edge, ± multiples of
 * PARALLEL_SPACING / 2 for several, measured on the side left of the line
 * from the pair's lower id to its higher id.
 */
export function parallelOffsets(edges: readonly { id: string; sourceId: string; targetId: string }[]): Map<string, number> {
  const pairs = new Map<string, string[]>();
  for (const edge of edges) {
    const key = edge.sourceId < edge.targetId ? `${edge.sourceId}|${edge.targetId}` : `${edge.targetId}|${edge.sourceId}`;
    const list = pairs.get(key);
    if (list) list.push(edge.id);
    else pairs.set(key, [edge.id]);
  }
  const offsets = new Map<string, number>();
  for (const ids of pairs.values()) {
    ids.forEach((id, i) => offsets.set(id, (i - (ids.length - 1) / 2) * PARALLEL_SPACING));
  }
  return offsets;
}

export type EdgeGeometry = { path: string; labelX: number; labelY: number };

/**
 * The SVG path of an edge between two box centers, from border to border,
 * bowed by `offset` (see parallelOffsets) to the left of the line from the
 * lower id's end to the higher's, and where its label goes.
 */
export function edgeGeometry(source: Point, target: Point, offset: number, sourceIsLower: boolean): EdgeGeometry {
  const dx = target.x - source.x;
  const dy = target.y - source.y;
  const length = Math.hypot(dx, dy) || 1;
  // The normal on the left of lower → higher, whichever way the edge points.
  const sign = sourceIsLower ? 1 : -1;
  const nx = (-dy / length) * sign;
  const ny = (dx / length) * sign;
  const mid = { x: (source.x + target.x) / 2, y: (source.y + target.y) / 2 };
  // A quadratic curve whose middle is `offset` out has its control point twice as far.
  const control = { x: mid.x + nx * offset * 2, y: mid.y + ny * offset * 2 };
  const start = clipToBox(source, offset === 0 ? target : control);
  const end = clipToBox(target, offset === 0 ? source : control);
  // The labels of a bundle also step along it (from lower to higher id), so they do not line up.
  const t = Math.max(0.3, Math.min(0.7, 0.5 + (offset / PARALLEL_SPACING) * 0.15 * sign));
  const label = {
    x: (1 - t) * (1 - t) * start.x + 2 * (1 - t) * t * control.x + t * t * end.x,
    y: (1 - t) * (1 - t) * start.y + 2 * (1 - t) * t * control.y + t * t * end.y,
  };
  const round = (n: number) => Math.round(n * 10) / 10;
  const path =
    offset === 0
      ? `M ${round(start.x)} ${round(start.y)} L ${round(end.x)} ${round(end.y)}`
      : `M ${round(start.x)} ${round(start.y)} Q ${round(control.x)} ${round(control.y)} ${round(end.x)} ${round(end.y)}`;
  return { path, labelX: label.x, labelY: label.y };
}
