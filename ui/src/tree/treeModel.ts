// Pure tree logic: turn roots + expanded state + loaded children into the flat
// list of visible rows that the virtualized list renders. No React in here.

import type { TreeNode } from '../bindings';

/** What is known about one expanded node's children. */
export type ChildrenState =
  | { status: 'pending' }
  | { status: 'error'; error: unknown }
  | { status: 'success'; nodes: readonly TreeNode[] };

export type NodeRow = {
  kind: 'node';
  key: string;
  node: TreeNode;
  /** 0 for roots. */
  depth: number;
  /** True only when the node has children and is expanded. */
  expanded: boolean;
  /** 1-based position among its siblings (aria-posinset). */
  posInSet: number;
  /** Number of siblings including itself (aria-setsize). */
  setSize: number;
};

/** Placeholder under an expanded node whose children are loading. */
export type LoadingRow = { kind: 'loading'; key: string; parent: TreeNode; depth: number };

/** Placeholder under an expanded node whose children failed to load. */
export type ErrorRow = { kind: 'error'; key: string; parent: TreeNode; depth: number; error: unknown };

export type TreeRow = NodeRow | LoadingRow | ErrorRow;

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
      switch (children.status) {
        case 'pending':
          rows.push({ kind: 'loading', key: `loading:${node.id}`, parent: node, depth: depth + 1 });
          break;
        case 'error':
          rows.push({ kind: 'error', key: `error:${node.id}`, parent: node, depth: depth + 1, error: children.error });
          break;
        case 'success':
          ancestors.add(node.id);
          visit(children.nodes, depth + 1);
          ancestors.delete(node.id);
          break;
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
