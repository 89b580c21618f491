// Pure multi-selection over the visible rows: a set of selected ids, the
// focused row (where the keyboard is, shown in the detail pane) and the
// anchor that Shift ranges start from.

import type { TreeNode } from '../../bindings';
import type { TreeRow } from './treeModel';

export type Selection = {
  readonly ids: ReadonlySet<string>;
  readonly focusId: string | null;
  readonly anchorId: string | null;
};

export const EMPTY_SELECTION: Selection = { ids: new Set(), focusId: null, anchorId: null };

/** Plain click / arrow: only this row. */
export function selectOnly(id: string): Selection {
  return { ids: new Set([id]), focusId: id, anchorId: id };
}

/** Ctrl/Cmd+click, Ctrl+Space: add or remove one row; it becomes focus and anchor. */
export function toggleSelected(selection: Selection, id: string): Selection {
  const ids = new Set(selection.ids);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  return { ids, focusId: id, anchorId: id };
}

/** Ctrl+arrows: move the focus without touching the selected set. */
export function moveFocus(selection: Selection, id: string): Selection {
  return { ...selection, focusId: id };
}

function nodeIndex(rows: readonly TreeRow[], id: string | null): number {
  if (id === null) return -1;
  return rows.findIndex((row) => row.kind === 'node' && row.node.id === id);
}

/**
 * Shift+click, Shift+arrows: every visible node row between the anchor (or
 * the focus when there is no visible anchor) and `id`, inclusive. The anchor
 * stays, so repeated Shift moves grow and shrink the same range.
 */
export function selectRange(selection: Selection, rows: readonly TreeRow[], id: string): Selection {
  const to = nodeIndex(rows, id);
  if (to === -1) return selection;
  let anchorId = selection.anchorId;
  let from = nodeIndex(rows, anchorId);
  if (from === -1) {
    anchorId = selection.focusId;
    from = nodeIndex(rows, anchorId);
  }
  if (from === -1) return selectOnly(id);
  const ids = new Set<string>();
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  for (let i = lo; i <= hi; i++) {
    const row = rows[i];
    if (row.kind === 'node') ids.add(row.node.id);
  }
  return { ids, focusId: id, anchorId };
}

/** Ctrl+A: every visible node row. */
export function selectAll(selection: Selection, rows: readonly TreeRow[]): Selection {
  const ids = new Set<string>();
  for (const row of rows) if (row.kind === 'node') ids.add(row.node.id);
  return { ids, focusId: selection.focusId, anchorId: selection.anchorId };
}

/**
 * After rows disappeared (a collapse): drop hidden ids. When the focus was
 * hidden it moves to `fallbackId` (the collapsed node), which is selected too.
 */
export function withoutIds(selection: Selection, hidden: ReadonlySet<string>, fallbackId: string): Selection {
  if (hidden.size === 0) return selection;
  let changed = false;
  const ids = new Set<string>();
  for (const id of selection.ids) {
    if (hidden.has(id)) changed = true;
    else ids.add(id);
  }
  const focusHidden = selection.focusId !== null && hidden.has(selection.focusId);
  if (!changed && !focusHidden) return selection;
  if (focusHidden) ids.add(fallbackId);
  const anchorHidden = selection.anchorId !== null && hidden.has(selection.anchorId);
  return {
    ids,
    focusId: focusHidden ? fallbackId : selection.focusId,
    anchorId: anchorHidden ? fallbackId : selection.anchorId,
  };
}

/** The selected nodes that are visible, in row order. */
export function selectedNodes(selection: Selection, rows: readonly TreeRow[]): TreeNode[] {
  if (selection.ids.size === 0) return [];
  const nodes: TreeNode[] = [];
  for (const row of rows) {
    if (row.kind === 'node' && selection.ids.has(row.node.id)) nodes.push(row.node);
  }
  return nodes;
}

/**
 * What an action (delete, drag, move) applies to: the selection when the
 * focused node is part of it, otherwise the focused node alone.
 */
export function actionTargets(selection: Selection, rows: readonly TreeRow[], node: TreeNode | null): TreeNode[] {
  if (node && !selection.ids.has(node.id)) return [node];
  const nodes = selectedNodes(selection, rows);
  return nodes.length > 0 ? nodes : node ? [node] : [];
}
