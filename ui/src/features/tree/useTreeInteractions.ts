import { notifications } from '@mantine/notifications';
import { useCallback, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { TreeNode } from '../../bindings';
import { useActionRequests, useWorkspace, type DetailTab } from '../../shared/WorkspaceContext';
import { useOfflineActions } from '../offline';
import { useCapabilities } from '../people';
import { topMostNodes, type ParentLookup } from './dropRules';
import { actionTargets, moveFocus, selectAll, selectOnly, selectRange, toggleSelected, withoutIds } from './selection';
import type { ContextAction, ContextMenuState } from './TreeContextMenu';
import { useTreeController } from './TreeController';
import { keyToCommand, type FocusMode, type TreeCommand } from './treeKeyboard';
import { indexOfNode, visibleDescendantIds, type NodeRow, type TreeRow } from './treeModel';
import { rowDomId } from './TreeRowViews';
import { EMPTY_TYPE_AHEAD, findTypeAheadMatch, isTypeAheadKey, typeAheadInput } from './typeAhead';

type Options = {
  rows: readonly TreeRow[];
  parentOf: ParentLookup;
  scrollToIndex: (index: number) => void;
  focusTree: () => void;
};

async function copyText(label: string, text: string) {
  try {
    await navigator.clipboard.writeText(text);
    notifications.show({ color: 'teal', title: `${label} copied`, message: text, autoClose: 2000 });
  } catch {
    notifications.show({ color: 'red', title: `Could not copy the ${label.toLowerCase()}`, message: text });
  }
}

/** Clicks, keys, type-ahead and the context menu of the tree, as commands on the controller. */
export function useTreeInteractions({ rows, parentOf, scrollToIndex, focusTree }: Options) {
  const tree = useTreeController();
  const workspace = useWorkspace();
  const { selection, setSelection } = tree;
  const typeAhead = useRef(EMPTY_TYPE_AHEAD);
  const [menu, setMenu] = useState<ContextMenuState | null>(null);
  const { whyNot } = useCapabilities();
  const offline = useOfflineActions();

  /** Says why a change of these nodes (null: the top level) is not the person's to make; true if so. */
  const refused = (nodes: readonly (TreeNode | null)[]) => {
    const reason = nodes.map((node) => whyNot(node, 'write')).find((r) => r !== null);
    if (!reason) return false;
    notifications.show({ color: 'orange', title: 'Not yours to change', message: reason, autoClose: 4000 });
    return true;
  };

  const focusIndex = indexOfNode(rows, selection.focusId);
  const focusNode = focusIndex >= 0 ? (rows[focusIndex] as NodeRow).node : null;
  const targetsFor = (node: TreeNode | null) => topMostNodes(actionTargets(selection, rows, node), parentOf);

  const toggle = useCallback(
    (index: number) => {
      const row = rows[index];
      if (!row || row.kind !== 'node' || !row.node.hasChildren) return;
      const id = row.node.id;
      if (row.expanded) {
        // Collapsing hides rows: drop them from the selection (the focus moves to this node).
        const hidden = visibleDescendantIds(rows, index);
        tree.setSelection((prev) => withoutIds(prev, hidden, id));
        if (tree.editingId !== null && hidden.has(tree.editingId)) tree.setEditingId(null);
        tree.expandTimer.cancel(id);
        tree.setExpanded(id, false);
      } else {
        tree.expandTimer.start(id);
        tree.setExpanded(id, true);
      }
    },
    [rows, tree],
  );

  const focusRow = (index: number, row: NodeRow, mode: FocusMode) => {
    const id = row.node.id;
    if (mode === 'extend') setSelection((prev) => selectRange(prev, rows, id));
    else if (mode === 'focus-only') setSelection((prev) => moveFocus(prev, id));
    else setSelection(selectOnly(id));
    scrollToIndex(index);
  };

  const openMenuAtRow = (row: NodeRow) => {
    const rect = document.getElementById(rowDomId(row.node.id))?.getBoundingClientRect();
    setMenu({ x: (rect?.left ?? 0) + 32, y: rect?.bottom ?? 0, node: row.node, targets: targetsFor(row.node) });
  };

  const run = (command: TreeCommand) => {
    switch (command.type) {
      case 'focus':
        return focusRow(command.index, command.row, command.mode);
      case 'expand':
      case 'collapse':
        return toggle(command.index);
      case 'open':
        setSelection(selectOnly(command.row.node.id));
        return workspace.setDetailTab('overview');
      case 'toggle-selected':
        return setSelection((prev) => toggleSelected(prev, command.row.node.id));
      case 'select-all':
        return setSelection((prev) => selectAll(prev, rows));
      case 'rename':
        if (refused([command.row.node])) return;
        return tree.setEditingId(command.row.node.id);
      case 'delete': {
        const nodes = targetsFor(focusNode);
        if (nodes.length > 0 && !refused(nodes)) workspace.openDialog({ kind: 'delete', nodes });
        return;
      }
      case 'new-child':
        if (refused([focusNode])) return;
        return workspace.openDialog({ kind: 'new-entity', parent: focusNode });
      case 'bulk-edit': {
        // Every selected entity (not only the top-most: each is edited, not its subtree).
        const nodes = actionTargets(selection, rows, focusNode);
        if (nodes.length > 0 && !refused(nodes)) workspace.openDialog({ kind: 'bulk-edit', nodes });
        return;
      }
      case 'context-menu':
        return openMenuAtRow(command.row);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (tree.editingId !== null && event.target !== event.currentTarget) return;
    const mod = event.ctrlKey || event.metaKey;
    const command = keyToCommand({ key: event.key, shift: event.shiftKey, mod, alt: event.altKey }, rows, selection.focusId);
    if (command) {
      event.preventDefault();
      run(command);
      return;
    }
    const now = performance.now();
    if (isTypeAheadKey(event.key, { ctrl: event.ctrlKey, meta: event.metaKey, alt: event.altKey }, typeAhead.current, now)) {
      event.preventDefault();
      typeAhead.current = typeAheadInput(typeAhead.current, event.key, now);
      const index = findTypeAheadMatch(rows, focusIndex, typeAhead.current.buffer);
      if (index >= 0) focusRow(index, rows[index] as NodeRow, 'replace');
    }
  };

  const onRowClick = (event: MouseEvent, row: NodeRow) => {
    const id = row.node.id;
    if (event.shiftKey) setSelection((prev) => selectRange(prev, rows, id));
    else if (event.ctrlKey || event.metaKey) setSelection((prev) => toggleSelected(prev, id));
    else setSelection(selectOnly(id));
    focusTree();
  };

  const onRowContextMenu = (event: MouseEvent, row: NodeRow) => {
    event.preventDefault();
    const id = row.node.id;
    const inSelection = selection.ids.has(id);
    const next = inSelection ? moveFocus(selection, id) : selectOnly(id);
    setSelection(next);
    const targets = topMostNodes(actionTargets(next, rows, row.node), parentOf);
    setMenu({ x: event.clientX, y: event.clientY, node: row.node, targets });
  };

  const onMenuAction = (action: ContextAction, state: ContextMenuState) => {
    setMenu(null);
    const { node, targets } = state;
    switch (action) {
      case 'new-child':
        return workspace.openDialog({ kind: 'new-entity', parent: node });
      case 'rename':
        return tree.setEditingId(node.id);
      case 'move':
        return workspace.openDialog({ kind: 'move-picker', nodes: targets });
      case 'bulk-edit':
        return workspace.openDialog({ kind: 'bulk-edit', nodes: actionTargets(selection, rows, node) });
      case 'delete':
        return workspace.openDialog({ kind: 'delete', nodes: targets });
      case 'copy-id':
        focusTree();
        return void copyText('ID', node.id);
      case 'copy-path':
        focusTree();
        return void copyText('Path', node.pathLabel);
      case 'history':
        if (!selection.ids.has(node.id)) setSelection(selectOnly(node.id));
        focusTree();
        return workspace.setDetailTab('history');
      case 'offline':
        // The subtree of the row the menu opened on.
        return offline.makeAvailable({ id: node.id, name: node.name });
    }
  };

  // The palette's registry commands: the context menu's actions on the focused entity.
  const onFocused = (action: ContextAction, change: boolean) => () => {
    if (!focusNode) {
      notifications.show({ color: 'orange', title: 'Nothing selected', message: 'Select an entity in the tree first.', autoClose: 4000 });
      return;
    }
    const state: ContextMenuState = { x: 0, y: 0, node: focusNode, targets: targetsFor(focusNode) };
    if (change && refused(action === 'new-child' || action === 'rename' ? [focusNode] : state.targets)) return;
    onMenuAction(action, state);
  };
  const showTab = (tab: DetailTab) => () => {
    if (!focusNode) {
      notifications.show({ color: 'orange', title: 'Nothing selected', message: 'Select an entity in the tree first.', autoClose: 4000 });
      return;
    }
    workspace.setDetailTab(tab);
  };
  useActionRequests('registry', {
    'new-child': onFocused('new-child', true),
    rename: onFocused('rename', true),
    move: onFocused('move', true),
    'bulk-edit': onFocused('bulk-edit', true),
    delete: onFocused('delete', true),
    'copy-id': onFocused('copy-id', false),
    'copy-path': onFocused('copy-path', false),
    overview: showTab('overview'),
    properties: showTab('properties'),
    links: showTab('links'),
    history: showTab('history'),
  });

  const closeMenu = () => {
    setMenu(null);
    focusTree();
  };

  return { toggle, onKeyDown, onRowClick, onRowContextMenu, menu, onMenuAction, closeMenu };
}
