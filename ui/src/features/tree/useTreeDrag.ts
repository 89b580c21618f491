import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { TreeNode } from '../../bindings';
import { topMostNodes, validateDrop, type ParentLookup } from './dropRules';
import { actionTargets, selectOnly, type Selection } from './selection';
import type { NodeRow, TreeRow } from './treeModel';

/** Where the pointer is during a drag: a row id, or 'top' for the top level. */
export type DropTarget = { key: string; ok: boolean; reason: string | null };

export const TOP_LEVEL_KEY = 'top';
const HOVER_EXPAND_MS = 700;
const NO_IDS: ReadonlySet<string> = new Set();

type Options = {
  rows: readonly TreeRow[];
  selection: Selection;
  setSelection: (selection: Selection) => void;
  parentOf: ParentLookup;
  expand: (id: string) => void;
  /** A valid drop: confirm and move. */
  onMove: (nodes: TreeNode[], target: TreeNode | null) => void;
  /** An invalid drop: say why (nothing is called). */
  onRefuse: (reason: string) => void;
};

export type TreeDrag = ReturnType<typeof useTreeDrag>;

/**
 * HTML5 drag and drop of tree rows. Dragging a selected row drags the whole
 * selection (its top-most nodes). Targets are checked while hovering (red
 * rows refuse) and again on drop; a refused drop never calls the backend.
 */
export function useTreeDrag({ rows, selection, setSelection, parentOf, expand, onMove, onRefuse }: Options) {
  const dragged = useRef<TreeNode[] | null>(null);
  const hover = useRef<{ id: string; timer: ReturnType<typeof setTimeout> } | null>(null);
  const [draggingIds, setDraggingIds] = useState<ReadonlySet<string>>(NO_IDS);
  const [dropTarget, setDropTarget] = useState<DropTarget | null>(null);

  const clearHover = useCallback(() => {
    if (hover.current) clearTimeout(hover.current.timer);
    hover.current = null;
  }, []);

  useEffect(() => clearHover, [clearHover]);

  const end = useCallback(() => {
    dragged.current = null;
    clearHover();
    setDraggingIds(NO_IDS);
    setDropTarget(null);
  }, [clearHover]);

  const start = (event: DragEvent, row: NodeRow) => {
    let nodes: TreeNode[];
    if (selection.ids.has(row.node.id)) {
      nodes = actionTargets(selection, rows, row.node);
    } else {
      nodes = [row.node];
      setSelection(selectOnly(row.node.id));
    }
    nodes = topMostNodes(nodes, parentOf);
    dragged.current = nodes;
    setDraggingIds(new Set(nodes.map((n) => n.id)));
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', nodes.map((n) => n.pathLabel).join('\n'));
    }
  };

  const scheduleHoverExpand = (target: TreeNode | null, expanded: boolean) => {
    if (!target || !target.hasChildren || expanded) return clearHover();
    if (hover.current?.id === target.id) return;
    clearHover();
    hover.current = { id: target.id, timer: setTimeout(() => expand(target.id), HOVER_EXPAND_MS) };
  };

  const over = (event: DragEvent, target: TreeNode | null, expanded = false) => {
    if (!dragged.current) return;
    event.preventDefault();
    event.stopPropagation();
    const verdict = validateDrop(dragged.current, target, parentOf);
    if (event.dataTransfer) event.dataTransfer.dropEffect = verdict.ok ? 'move' : 'none';
    const key = target?.id ?? TOP_LEVEL_KEY;
    const reason = verdict.ok ? null : verdict.reason;
    setDropTarget((prev) => (prev?.key === key && prev.ok === verdict.ok ? prev : { key, ok: verdict.ok, reason }));
    scheduleHoverExpand(target, expanded);
  };

  const drop = (event: DragEvent, target: TreeNode | null) => {
    const nodes = dragged.current;
    if (!nodes) return;
    event.preventDefault();
    event.stopPropagation();
    end();
    const verdict = validateDrop(nodes, target, parentOf);
    if (verdict.ok) onMove(verdict.nodes, target);
    else onRefuse(verdict.reason);
  };

  const rowHandlers = (row: NodeRow) => ({
    onDragStart: (event: DragEvent) => start(event, row),
    onDragOver: (event: DragEvent) => over(event, row.node, row.expanded),
    onDrop: (event: DragEvent) => drop(event, row.node),
    onDragEnd: end,
  });

  /** For the tree's empty area and the "Top level" zone. */
  const topLevelHandlers = {
    onDragOver: (event: DragEvent) => over(event, null),
    onDrop: (event: DragEvent) => drop(event, null),
    onDragLeave: (event: DragEvent) => {
      if (event.currentTarget === event.target) setDropTarget((prev) => (prev?.key === TOP_LEVEL_KEY ? null : prev));
    },
  };

  const dropStateOf = (key: string): 'ok' | 'invalid' | null => (dropTarget?.key === key ? (dropTarget.ok ? 'ok' : 'invalid') : null);

  return { dragging: draggingIds.size > 0, draggingIds, dropTarget, dropStateOf, rowHandlers, topLevelHandlers, end };
}
