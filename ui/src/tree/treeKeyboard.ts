// Pure keyboard handling for the tree (WAI-ARIA tree pattern, single-select).

import type { NodeRow, TreeRow } from './treeModel';
import { indexOfNode } from './treeModel';

export type TreeAction =
  | { type: 'select'; index: number; row: NodeRow }
  | { type: 'expand'; index: number; row: NodeRow }
  | { type: 'collapse'; index: number; row: NodeRow };

function nodeAt(rows: readonly TreeRow[], index: number): NodeRow | null {
  const row = rows[index];
  return row && row.kind === 'node' ? row : null;
}

function select(rows: readonly TreeRow[], index: number): TreeAction | null {
  const row = nodeAt(rows, index);
  return row ? { type: 'select', index, row } : null;
}

function firstNodeIndex(rows: readonly TreeRow[], from: number, step: 1 | -1): number {
  for (let i = from; i >= 0 && i < rows.length; i += step) {
    if (rows[i].kind === 'node') return i;
  }
  return -1;
}

/**
 * What a key press on the tree should do, given the visible rows and the
 * selected node id. Returns null when the key is not handled (so the caller
 * does not prevent the browser default).
 */
export function keyToAction(key: string, rows: readonly TreeRow[], selectedId: string | null): TreeAction | null {
  const current = indexOfNode(rows, selectedId);

  if (current === -1) {
    // Nothing (visible) selected: the first navigation key picks a row.
    switch (key) {
      case 'ArrowDown':
      case 'Home':
        return select(rows, firstNodeIndex(rows, 0, 1));
      case 'ArrowUp':
      case 'End':
        return select(rows, firstNodeIndex(rows, rows.length - 1, -1));
      default:
        return null;
    }
  }

  const row = rows[current] as NodeRow;
  switch (key) {
    case 'ArrowDown':
      return select(rows, firstNodeIndex(rows, current + 1, 1));
    case 'ArrowUp':
      return select(rows, firstNodeIndex(rows, current - 1, -1));
    case 'Home':
      return select(rows, firstNodeIndex(rows, 0, 1));
    case 'End':
      return select(rows, firstNodeIndex(rows, rows.length - 1, -1));
    case 'ArrowRight': {
      if (!row.node.hasChildren) return null;
      if (!row.expanded) return { type: 'expand', index: current, row };
      const child = nodeAt(rows, current + 1);
      return child && child.depth === row.depth + 1 ? select(rows, current + 1) : null;
    }
    case 'ArrowLeft': {
      if (row.expanded) return { type: 'collapse', index: current, row };
      for (let i = current - 1; i >= 0; i--) {
        const candidate = rows[i];
        if (candidate.kind === 'node' && candidate.depth < row.depth) return select(rows, i);
      }
      return null;
    }
    case 'Enter':
      return select(rows, current);
    default:
      return null;
  }
}
