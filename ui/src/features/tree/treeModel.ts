// Pure tree logic: turn roots + expanded state + loaded child pages into the
// flat list of visible rows that the virtualized list renders. No React here.

import type { TreeNode } from '../../bindings';

/** Whether more pages of a node's children exist beyond the loaded ones. */
export type MoreState =
  | { status: 'none' }
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; error: unknown };

/** What is known about one expanded node's children. */
export type ChildrenState =
  | { status: 'pending' }
  | { status: 'error'; error: unknown }
  | { status: 'success'; nodes: readonly TreeNode[]; pages: number; more: MoreState };

export type NodeRow = {
  kind: 'node';
  key: string;
  node: TreeNode;
  /** 0 for roots. */
  depth: number;
  /** True only when the node has children and is expanded. */
  expanded: boolean;
  /** 1-based position among its loaded siblings (aria-posinset). */
  posInSet: number;
  /** Number of loaded siblings including itself (aria-setsize). */
  setSize: number;
};

/** Placeholder under an expanded node whose first page is loading. */
export type LoadingRow = { kind: 'loading'; key: string; parent: TreeNode; depth: number };

/** Placeholder under an expanded node whose children (or next page) failed to load. */
export type ErrorRow = { kind: 'error'; key: string; parent: TreeNode; depth: number; error: unknown };

/** After the last loaded child of a node that has more pages. */
export type MoreRow = {
  kind: 'more';
  key: string;
  parent: TreeNode;
  depth: number;
  /** Pages loaded so far; the next request asks for one more. */
  pages: number;
  loading: boolean;
};

export type TreeRow = NodeRow | LoadingRow | ErrorRow | MoreRow;

export type ChildrenLookup = (parentId: string) => ChildrenState | undefined;

/**
 * Depth-first flattening of the visible part of the tree.
 *
 * A node's children are included only if the node is in `expanded`, reports
 * `hasChildren`, and is itself visible. A node id that repeats one of its
 * ancestors (a cycle in bad data) is not descended into again.
 */
export function flattenTree(
  roots: readonly TreeNode[],
  expanded: ReadonlySet<string>,
  getChildren: ChildrenLookup,
): TreeRow[] {
  const rows: TreeRow[] = [];
  const ancestors = new Set<string>();

  const visit = (nodes: readonly TreeNode[], depth: number) => {
    const setSize = nodes.length;
    for (let i = 0; i < setSize; i++) {
      const node = nodes[i];
      const isExpanded = node.hasChildren && expanded.has(node.id) && !ancestors.has(node.id);
      rows.push({ kind: 'node', key: node.id, node, depth, expanded: isExpanded, posInSet: i + 1, setSize });
      if (!isExpanded) continue;

      const children = getChildren(node.id) ?? { status: 'pending' };
      const childDepth = depth + 1;
      switch (children.status) {
        case 'pending':
          rows.push({ kind: 'loading', key: `loading:${node.id}`, parent: node, depth: childDepth });
          break;
        case 'error':
          rows.push({ kind: 'error', key: `error:${node.id}`, parent: node, depth: childDepth, error: children.error });
          break;
        case 'success': {
          ancestors.add(node.id);
          visit(children.nodes, childDepth);
          ancestors.delete(node.id);
          const { more } = children;
          if (more.status === 'idle' || more.status === 'loading') {
            rows.push({ kind: 'more', key: `more:${node.id}`, parent: node, depth: childDepth, pages: children.pages, loading: more.status === 'loading' });
          } else if (more.status === 'error') {
            rows.push({ kind: 'error', key: `error:${node.id}`, parent: node, depth: childDepth, error: more.error });
          }
          break;
        }
      }
    }
  };

  visit(roots, 0);
  return rows;
}

/** Index of the node row with this id, or -1 when it is not visible. */
export function indexOfNode(rows: readonly TreeRow[], id: string | null): number {
  if (id === null) return -1;
  return rows.findIndex((row) => row.kind === 'node' && row.node.id === id);
}

/** A new set with `id` added or removed. */
export function toggleInSet(set: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/**
 * True when the row at `ancestorIndex` is a visible ancestor of the node `id`,
 * i.e. `id` appears inside that row's subtree in the flattened list.
 */
export function isInSubtree(rows: readonly TreeRow[], ancestorIndex: number, id: string): boolean {
  const ancestor = rows[ancestorIndex];
  if (!ancestor || ancestor.kind !== 'node') return false;
  for (let i = ancestorIndex + 1; i < rows.length; i++) {
    const row = rows[i];
    if (row.depth <= ancestor.depth) return false;
    if (row.kind === 'node' && row.node.id === id) return true;
  }
  return false;
}

/** Ids of the visible rows inside the subtree of the row at `index` (not itself). */
export function visibleDescendantIds(rows: readonly TreeRow[], index: number): Set<string> {
  const ids = new Set<string>();
  const ancestor = rows[index];
  if (!ancestor) return ids;
  for (let i = index + 1; i < rows.length; i++) {
    const row = rows[i];
    if (row.depth <= ancestor.depth) break;
    if (row.kind === 'node') ids.add(row.node.id);
  }
  return ids;
}

/**
 * Indexes of `more` rows whose parent should load its next page because the
 * rendered window [first, last] reaches within `threshold` rows of them.
 */
export function moreRowsNear(rows: readonly TreeRow[], first: number, last: number, threshold: number): MoreRow[] {
  const found: MoreRow[] = [];
  const end = Math.min(rows.length - 1, last + threshold);
  for (let i = Math.max(0, first); i <= end; i++) {
    const row = rows[i];
    if (row.kind === 'more' && !row.loading) found.push(row);
  }
  return found;
}
