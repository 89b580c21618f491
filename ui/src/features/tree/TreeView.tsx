import { notifications } from '@mantine/notifications';
import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';
import type { TreeNode } from '../../bindings';
import { usePendingEntities } from '../offline';
import { reportFirstPaint, useReloadNodes, useRetryChildren } from './api';
import type { ParentLookup } from './dropRules';
import classes from './RegistryTree.module.css';
import { RenameField } from './RenameField';
import { TreeContextMenu } from './TreeContextMenu';
import { useTreeController, type ScrollRequest } from './TreeController';
import { indexOfNode, moreRowsNear, type ChildrenState, type TreeRow } from './treeModel';
import { ErrorRowView, LoadingRowView, MoreRowView, NodeRowView, ROW_HEIGHT, rowDomId } from './TreeRowViews';
import type { TreeDrag } from './useTreeDrag';
import { useTreeInteractions } from './useTreeInteractions';

/** Start loading a node's next page when the rendered window gets this close to its end. */
export const PREFETCH_ROWS = 100;

type Props = {
  rows: readonly TreeRow[];
  childrenStates: ReadonlyMap<string, ChildrenState>;
  parentOf: ParentLookup;
  drag: TreeDrag;
};

/** Loads the next page of a wide node when its "loading more…" row comes near the rendered window. */
function useAutoPaging(rows: readonly TreeRow[], first: number, last: number) {
  const { requestMore } = useTreeController();
  useEffect(() => {
    if (last < 0) return;
    for (const row of moreRowsNear(rows, first, last, PREFETCH_ROWS)) requestMore(row.parent.id, row.pages);
  }, [rows, first, last, requestMore]);
}

/** Records click-to-painted times of expansions (window.__ecoMetrics.expand). */
function useExpandMetrics(childrenStates: ReadonlyMap<string, ChildrenState>) {
  const { expandTimer } = useTreeController();
  useLayoutEffect(() => {
    if (expandTimer.pendingCount === 0) return;
    expandTimer.settle((id) => {
      const state = childrenStates.get(id);
      if (!state || state.status === 'pending') return 'pending';
      return state.status === 'success' ? 'loaded' : 'failed';
    });
  });
}

/** Scrolls to (and focuses the tree on) a revealed row once it is in the rows. */
function useScrollRequests(request: ScrollRequest | null, rows: readonly TreeRow[], virtualizer: Virtualizer<HTMLDivElement, Element>, focusTree: () => void) {
  const handled = useRef(0);
  useEffect(() => {
    if (!request || request.seq === handled.current) return;
    const index = indexOfNode(rows, request.id);
    if (index < 0) return;
    handled.current = request.seq;
    virtualizer.scrollToIndex(index, { align: 'center' });
    focusTree();
  }, [request, rows, virtualizer, focusTree]);
}

/** The virtualized rows: only the visible window (plus overscan) is in the DOM. */
export function TreeView({ rows, childrenStates, parentOf, drag }: Props) {
  const tree = useTreeController();
  const retry = useRetryChildren();
  const reloadNodes = useReloadNodes();
  const pending = usePendingEntities();
  const viewportRef = useRef<HTMLDivElement>(null);

  const getItemKey = useCallback((index: number) => rows[index]?.key ?? index, [rows]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => viewportRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey,
    overscan: 10,
    // Avoid flushSync from inside React's render/effects (React 19 warns).
    useFlushSync: false,
  });

  const focusTree = useCallback(() => viewportRef.current?.focus({ preventScroll: true }), []);
  const scrollToIndex = useCallback((index: number) => virtualizer.scrollToIndex(index, { align: 'auto' }), [virtualizer]);
  const interactions = useTreeInteractions({ rows, parentOf, scrollToIndex, focusTree });

  const items = virtualizer.getVirtualItems();
  useAutoPaging(rows, items[0]?.index ?? 0, items.length > 0 ? items[items.length - 1].index : -1);
  useExpandMetrics(childrenStates);
  useScrollRequests(tree.scrollRequest, rows, virtualizer, focusTree);
  // Start-up measurement: an effect after a render caused by loaded data
  // runs once the browser has painted it.
  const showsRows = items.length > 0;
  useEffect(() => {
    if (showsRows) reportFirstPaint();
  }, [showsRows]);

  const reload = (node: TreeNode) => reloadNodes([node]);

  const { selection, editingId } = tree;
  const focusIndex = indexOfNode(rows, selection.focusId);

  return (
    <>
      <div
        ref={viewportRef}
        className={classes.viewport}
        role="tree"
        aria-label="Entity registry"
        aria-multiselectable="true"
        tabIndex={0}
        aria-activedescendant={focusIndex >= 0 && selection.focusId !== null ? rowDomId(selection.focusId) : undefined}
        onKeyDown={interactions.onKeyDown}
        data-testid="tree-scroll"
        data-row-count={rows.length}
        data-drop={drag.dropStateOf('top') ?? undefined}
        {...drag.topLevelHandlers}
      >
        <div className={classes.canvas} style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index];
            const style = { height: item.size, transform: `translateY(${item.start}px)` };
            switch (row.kind) {
              case 'node': {
                const editing = row.node.id === editingId;
                return (
                  <NodeRowView
                    key={item.key}
                    row={row}
                    style={style}
                    selected={selection.ids.has(row.node.id)}
                    focused={row.node.id === selection.focusId}
                    pending={pending.has(row.node.id)}
                    dragging={drag.draggingIds.has(row.node.id)}
                    drop={drag.dropStateOf(row.node.id)}
                    editor={
                      editing ? (
                        <RenameField
                          node={row.node}
                          onReload={reload}
                          onDone={() => {
                            tree.setEditingId(null);
                            focusTree();
                          }}
                        />
                      ) : null
                    }
                    handlers={{
                      onClick: (event) => interactions.onRowClick(event, row),
                      onToggle: () => {
                        interactions.toggle(item.index);
                        focusTree();
                      },
                      onContextMenu: (event) => interactions.onRowContextMenu(event, row),
                      ...drag.rowHandlers(row),
                    }}
                  />
                );
              }
              case 'loading':
                return <LoadingRowView key={item.key} row={row} style={style} />;
              case 'more':
                return <MoreRowView key={item.key} row={row} style={style} />;
              case 'error':
                return <ErrorRowView key={item.key} row={row} style={style} onRetry={() => retry(row.parent.id)} />;
            }
          })}
        </div>
      </div>
      <TreeContextMenu menu={interactions.menu} onAction={interactions.onMenuAction} onClose={interactions.closeMenu} />
    </>
  );
}

/** Shown when a drop is refused: nothing was called. */
export function refuseDrop(reason: string) {
  notifications.show({ color: 'red', title: "Can't move there", message: reason, autoClose: 5000 });
}
