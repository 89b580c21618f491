// A view's matches in their hierarchy, as a forest built from the flat list
// the core sends (matches and their visible ancestors, by name), and the
// rows it shows with some nodes collapsed.
import type { ViewTreeNode } from '../../../bindings';

export type ForestNode = {
  node: ViewTreeNode;
  children: ForestNode[];
  /** Matches at or below this node. */
  matches: number;
};

export type Forest = {
  roots: ForestNode[];
  /** Nodes in the forest (each id once). */
  total: number;
  /** Of those, the matches (the others are greyed ancestors). */
  matches: number;
};

/**
 * Builds the forest: each node under its parent whatever the order of the
 * list, a node whose parent is absent (or that would close a loop) at the
 * top; siblings keep the list's order. An id listed twice counts once.
 */
export function buildForest(nodes: readonly ViewTreeNode[]): Forest {
  const byId = new Map<string, ForestNode>();
  for (const node of nodes) {
    if (!byId.has(node.id)) byId.set(node.id, { node, children: [], matches: 0 });
  }
  // Each node's parent in the forest: none when absent; a loop of parent
  // ids (which the core never sends) is cut where it is found.
  const parentOf = new Map<string, string | null>();
  for (const [id, item] of byId) parentOf.set(id, item.node.parentId !== null && byId.has(item.node.parentId) ? item.node.parentId : null);
  const walked = new Map<string, 'walking' | 'done'>();
  for (const id of byId.keys()) {
    const path: string[] = [];
    let current: string | null = id;
    while (current !== null && !walked.has(current)) {
      walked.set(current, 'walking');
      path.push(current);
      current = parentOf.get(current) ?? null;
    }
    if (current !== null && walked.get(current) === 'walking') parentOf.set(current, null);
    for (const done of path) walked.set(done, 'done');
  }
  const roots: ForestNode[] = [];
  for (const [id, item] of byId) {
    const parentId = parentOf.get(id) ?? null;
    if (parentId === null) roots.push(item);
    else byId.get(parentId)?.children.push(item);
  }
  // Counts from the leaves up: walk parents before children, then back.
  const order: ForestNode[] = [...roots];
  for (let i = 0; i < order.length; i++) order.push(...order[i].children);
  for (let i = order.length - 1; i >= 0; i--) {
    const item = order[i];
    item.matches += item.node.matches ? 1 : 0;
    const parent = byId.get(parentOf.get(item.node.id) ?? '');
    if (parent) parent.matches += item.matches;
  }
  const matches = roots.reduce((sum, root) => sum + root.matches, 0);
  return { roots, total: byId.size, matches };
}

export type ForestRow = {
  item: ForestNode;
  /** 0 at the top. */
  depth: number;
  expanded: boolean;
  /** The parent's id in the forest (null at the top). */
  parentId: string | null;
  /** 1-based position among its siblings, and how many there are. */
  posInSet: number;
  setSize: number;
};

/** The rows shown: every node whose ancestors are all expanded, parents before their children. */
export function visibleRows(roots: readonly ForestNode[], collapsed: ReadonlySet<string>): ForestRow[] {
  const rows: ForestRow[] = [];
  // Iterative, so a very deep hierarchy cannot overflow the stack.
  const stack: { siblings: readonly ForestNode[]; index: number; depth: number; parentId: string | null }[] = [{ siblings: roots, index: 0, depth: 0, parentId: null }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.index >= frame.siblings.length) {
      stack.pop();
      continue;
    }
    const item = frame.siblings[frame.index];
    frame.index += 1;
    const expanded = item.children.length > 0 && !collapsed.has(item.node.id);
    rows.push({ item, depth: frame.depth, expanded, parentId: frame.parentId, posInSet: frame.index, setSize: frame.siblings.length });
    if (expanded) stack.push({ siblings: item.children, index: 0, depth: frame.depth + 1, parentId: item.node.id });
  }
  return rows;
}
