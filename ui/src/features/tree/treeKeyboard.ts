// Pure keyboard handling for the tree (WAI-ARIA tree pattern, multi-select).

import type { NodeRow, TreeRow } from './treeModel';
import { indexOfNode } from './treeModel';

/** How a focus move changes the selection. */
export type FocusMode = 'replace' | 'extend' | 'focus-only';

export type TreeCommand =
  | { type: 'focus'; index: number; row: NodeRow; mode: FocusMode }
  | { type: 'expand'; index: number; row: NodeRow }
  | { type: 'collapse'; index: number; row: NodeRow }
  | { type: 'open'; index: number; row: NodeRow }
  | { type: 'toggle-selected'; index: number; row: NodeRow }
  | { type: 'select-all' }
  | { type: 'rename'; row: NodeRow }
  | { type: 'delete' }
  | { type: 'new-child' }
  | { type: 'bulk-edit' }
  | { type: 'context-menu'; index: number; row: NodeRow };

export type KeyInput = {
  key: string;
  shift?: boolean;
  /** Ctrl or Cmd. */
  mod?: boolean;
  alt?: boolean;
};

function nodeAt(rows: readonly TreeRow[], index: number): NodeRow | null {
  const row = rows[index];
  return row && row.kind === 'node' ? row : null;
}

function firstNodeIndex(rows: readonly TreeRow[], from: number, step: 1 | -1): number {
  for (let i = from; i >= 0 && i < rows.length; i += step) {
    if (rows[i].kind === 'node') return i;
  }
  return -1;
}

function focus(rows: readonly TreeRow[], index: number, mode: FocusMode): TreeCommand | null {
  const row = nodeAt(rows, index);
  return row ? { type: 'focus', index, row, mode } : null;
}

/**
 * What a key press on the tree should do, given the visible rows and the
 * focused node id. Returns null when the key is not handled (so the caller
 * does not prevent the browser default, and type-ahead may take it).
 */
export function keyToCommand(input: KeyInput, rows: readonly TreeRow[], focusId: string | null): TreeCommand | null {
  const { key, shift = false, mod = false, alt = false } = input;
  if (alt) return null;
  const mode: FocusMode = shift ? 'extend' : mod ? 'focus-only' : 'replace';
  const current = indexOfNode(rows, focusId);

  // Commands that do not need a focused row.
  if (mod && !shift && (key === 'n' || key === 'N')) return { type: 'new-child' };
  if (key === 'Insert' && !mod) return { type: 'new-child' };
  if (mod && !shift && (key === 'a' || key === 'A')) return { type: 'select-all' };
  if (mod && !shift && (key === 'e' || key === 'E')) return { type: 'bulk-edit' };

  if (current === -1) {
    // Nothing (visible) focused: the first navigation key picks a row.
    switch (key) {
      case 'ArrowDown':
      case 'Home':
        return focus(rows, firstNodeIndex(rows, 0, 1), 'replace');
      case 'ArrowUp':
      case 'End':
        return focus(rows, firstNodeIndex(rows, rows.length - 1, -1), 'replace');
      case 'Delete':
        return { type: 'delete' };
      default:
        return null;
    }
  }

  const row = rows[current] as NodeRow;
  switch (key) {
    case 'ArrowDown':
      return focus(rows, firstNodeIndex(rows, current + 1, 1), mode);
    case 'ArrowUp':
      return focus(rows, firstNodeIndex(rows, current - 1, -1), mode);
    case 'Home':
      return focus(rows, firstNodeIndex(rows, 0, 1), mode);
    case 'End':
      return focus(rows, firstNodeIndex(rows, rows.length - 1, -1), mode);
    case 'ArrowRight': {
      if (shift || mod || !row.node.hasChildren) return null;
      if (!row.expanded) return { type: 'expand', index: current, row };
      const child = nodeAt(rows, current + 1);
      return child && child.depth === row.depth + 1 ? focus(rows, current + 1, 'replace') : null;
    }
    case 'ArrowLeft': {
      if (shift || mod) return null;
      if (row.expanded) return { type: 'collapse', index: current, row };
      for (let i = current - 1; i >= 0; i--) {
        const candidate = rows[i];
        if (candidate.kind === 'node' && candidate.depth < row.depth) return focus(rows, i, 'replace');
      }
      return null;
    }
    case 'Enter':
      return shift || mod ? null : { type: 'open', index: current, row };
    case ' ':
      return mod ? { type: 'toggle-selected', index: current, row } : null;
    case 'F2':
      return { type: 'rename', row };
    case 'Delete':
      return { type: 'delete' };
    case 'F10':
      return shift ? { type: 'context-menu', index: current, row } : null;
    case 'ContextMenu':
      return { type: 'context-menu', index: current, row };
    default:
      return null;
  }
}
