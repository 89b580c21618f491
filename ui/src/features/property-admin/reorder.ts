// Reordering a list of rows by drag and drop and by keyboard (Alt+↑ / Alt+↓
// on a focused row). The moved row keeps the keyboard focus.
import { useCallback, useEffect, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';

/** `list` with the item at `from` moved to `to` (both indexes of `list`). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const next = [...list];
  if (from < 0 || from >= list.length || to < 0 || to >= list.length || from === to) return next;
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}

/** Where a dragged row would land: before or after the row under the pointer. */
export type DropMark = { id: string; side: 'before' | 'after' };

type Options = {
  /** The ids of the rows that can move, in order. */
  ids: readonly string[];
  /** Move the row at `from` to `to`. */
  onMove: (from: number, to: number) => void;
  /** Delete on a focused row. */
  onRemove?: (index: number) => void;
  /** F2 on a focused row. */
  onRename?: (index: number) => void;
  /**
   * Nothing may change (the person may only read): rows are neither dragged
   * nor moved, removed or renamed by key; ↑ / ↓ still go from row to row.
   */
  readOnly?: boolean;
};

export type RowReorder = ReturnType<typeof useRowReorder>;

export function useRowReorder({ ids, onMove, onRemove, onRename, readOnly = false }: Options) {
  const rows = useRef(new Map<string, HTMLElement>());
  const dragged = useRef<string | null>(null);
  const [draggingId, setDraggingId] = useState<string | null>(null);
  const [mark, setMark] = useState<DropMark | null>(null);
  const [focusAfterMove, setFocusAfterMove] = useState<{ id: string; element: Element | null } | null>(null);

  // Moving rows in the DOM drops the focus: give it back to the element that
  // had it (a row, or a button in it), or to the moved row when that button
  // is now disabled.
  useEffect(() => {
    if (focusAfterMove === null) return;
    const { id, element } = focusAfterMove;
    if (element instanceof HTMLElement && element.isConnected && !element.matches(':disabled')) element.focus();
    else rows.current.get(id)?.focus();
    setFocusAfterMove(null);
  }, [focusAfterMove, ids]);

  const move = useCallback(
    (from: number, to: number) => {
      if (readOnly || from === to || to < 0 || to >= ids.length) return;
      const row = rows.current.get(ids[from]);
      const active = document.activeElement;
      if (row && active && row.contains(active)) setFocusAfterMove({ id: ids[from], element: active });
      onMove(from, to);
    },
    [ids, onMove, readOnly],
  );

  const endDrag = () => {
    dragged.current = null;
    setDraggingId(null);
    setMark(null);
  };

  /** Props for the row `id`: focusable, draggable, keyboard moves. */
  const rowProps = (id: string) => {
    const index = ids.indexOf(id);
    return {
      ref: (el: HTMLElement | null) => {
        if (el) rows.current.set(id, el);
        else rows.current.delete(id);
      },
      tabIndex: 0,
      draggable: !readOnly,
      'data-dragging': draggingId === id || undefined,
      'data-drop': mark?.id === id ? mark.side : undefined,
      onKeyDown: (event: KeyboardEvent) => {
        if (event.target !== event.currentTarget) return;
        if (readOnly && (event.altKey || event.key === 'Delete' || event.key === 'F2')) return;
        if (event.altKey && event.key === 'ArrowUp') {
          event.preventDefault();
          move(index, index - 1);
        } else if (event.altKey && event.key === 'ArrowDown') {
          event.preventDefault();
          move(index, index + 1);
        } else if (!event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
          event.preventDefault();
          const next = ids[index + (event.key === 'ArrowUp' ? -1 : 1)];
          if (next !== undefined) rows.current.get(next)?.focus();
        } else if (event.key === 'Delete' && onRemove) {
          event.preventDefault();
          onRemove(index);
        } else if (event.key === 'F2' && onRename) {
          event.preventDefault();
          onRename(index);
        }
      },
      onDragStart: (event: DragEvent) => {
        if (readOnly) {
          event.preventDefault();
          return;
        }
        dragged.current = id;
        setDraggingId(id);
        if (event.dataTransfer) {
          event.dataTransfer.effectAllowed = 'move';
          event.dataTransfer.setData('text/plain', id);
        }
      },
      onDragOver: (event: DragEvent) => {
        if (dragged.current === null) return;
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
        const box = event.currentTarget.getBoundingClientRect();
        const side = box.height > 0 && event.clientY > box.top + box.height / 2 ? 'after' : 'before';
        if (mark?.id !== id || mark.side !== side) setMark({ id, side });
      },
      onDrop: (event: DragEvent) => {
        const from = dragged.current === null ? -1 : ids.indexOf(dragged.current);
        endDrag();
        if (from < 0) return;
        event.preventDefault();
        const box = event.currentTarget.getBoundingClientRect();
        const after = box.height > 0 && event.clientY > box.top + box.height / 2;
        // The drop index in the list without the dragged row.
        let to = index + (after ? 1 : 0);
        if (from < to) to -= 1;
        move(from, Math.min(Math.max(to, 0), ids.length - 1));
      },
      onDragEnd: endDrag,
    };
  };

  return { rowProps, move };
}
