// Pure multi-selection over the loaded rows of a table: the selected ids, the
// focused row (where the keyboard is) and the anchor Shift ranges start from.
// Ids are kept when the rows reload; what counts is what is loaded
// (`selectedIds`).

export type RowSelection = {
  readonly ids: ReadonlySet<string>;
  readonly focusId: string | null;
  readonly anchorId: string | null;
};

export const EMPTY_ROW_SELECTION: RowSelection = { ids: new Set(), focusId: null, anchorId: null };

/** How a row was clicked: Shift adds a range, Ctrl/Cmd one row. */
export type ClickMods = { shift: boolean; toggle: boolean };

function range(rowIds: readonly string[], fromId: string | null, toId: string): string[] | null {
  const from = fromId === null ? -1 : rowIds.indexOf(fromId);
  const to = rowIds.indexOf(toId);
  if (from < 0 || to < 0) return null;
  const [lo, hi] = from <= to ? [from, to] : [to, from];
  return rowIds.slice(lo, hi + 1);
}

/** Ctrl/Cmd+click, a row's checkbox, Space: one row in or out; it becomes focus and anchor. */
export function toggleRow(selection: RowSelection, id: string): RowSelection {
  const ids = new Set(selection.ids);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  return { ids, focusId: id, anchorId: id };
}

/**
 * A click on a row. Plain: only this row. Ctrl/Cmd: toggles it. Shift: the
 * rows from the anchor to it (the anchor stays, so ranges grow and shrink);
 * Ctrl+Shift adds that range to what was selected.
 */
export function clickRow(selection: RowSelection, rowIds: readonly string[], id: string, mods: ClickMods): RowSelection {
  if (mods.shift) {
    const anchorId = selection.anchorId ?? selection.focusId;
    const ids = range(rowIds, anchorId, id);
    if (ids === null) return { ids: new Set([id]), focusId: id, anchorId: id };
    const base = mods.toggle ? selection.ids : [];
    return { ids: new Set([...base, ...ids]), focusId: id, anchorId };
  }
  if (mods.toggle) return toggleRow(selection, id);
  return { ids: new Set([id]), focusId: id, anchorId: id };
}

/** Ctrl+A: every loaded row. */
export function selectAllRows(selection: RowSelection, rowIds: readonly string[]): RowSelection {
  return { ...selection, ids: new Set(rowIds) };
}

export function clearRows(selection: RowSelection): RowSelection {
  return { ...selection, ids: new Set() };
}

/**
 * Arrow keys: the focus moves by `delta` rows (clamped to the loaded ones);
 * with Shift the selection becomes the range from the anchor, else it stays.
 */
export function moveFocus(selection: RowSelection, rowIds: readonly string[], delta: number, extend: boolean): RowSelection {
  if (rowIds.length === 0) return selection;
  const at = selection.focusId === null ? -1 : rowIds.indexOf(selection.focusId);
  const next = at < 0 ? (delta >= 0 ? 0 : rowIds.length - 1) : Math.min(rowIds.length - 1, Math.max(0, at + delta));
  const focusId = rowIds[next];
  if (!extend) return { ...selection, focusId, anchorId: focusId };
  const anchorId = selection.anchorId ?? selection.focusId ?? focusId;
  const ids = range(rowIds, anchorId, focusId) ?? [focusId];
  return { ids: new Set(ids), focusId, anchorId };
}

/** The selected rows that are loaded, in row order. */
export function selectedIds(selection: RowSelection, rowIds: readonly string[]): string[] {
  return rowIds.filter((id) => selection.ids.has(id));
}
