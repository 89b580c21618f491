import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconChevronRight, IconRefresh } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { TreeNode } from '../bindings';
import { describeError } from '../errors';
import { NodeIcon } from './nodeIcons';
import classes from './RegistryTree.module.css';
import { keyToAction } from './treeKeyboard';
import { flattenTree, indexOfNode, isInSubtree, toggleInSet, type ErrorRow, type LoadingRow, type NodeRow } from './treeModel';
import { childrenQueryKey, useChildrenStates, useRoots } from './treeQueries';

export const ROW_HEIGHT = 28;
const INDENT = 16;
const BASE_PADDING = 6;

/** DOM id for a node's row, used by aria-activedescendant. */
export function rowDomId(nodeId: string): string {
  return `tree-item-${nodeId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export type RegistryTreeProps = {
  selectedId: string | null;
  onSelect: (node: TreeNode) => void;
};

/** The registry tree: loads roots, then renders the virtualized tree. */
export function RegistryTree({ selectedId, onSelect }: RegistryTreeProps) {
  const roots = useRoots();

  if (roots.isPending) {
    return (
      <Center p="md" data-testid="tree-roots-loading">
        <Loader size="sm" />
        <Text size="sm" c="dimmed" ml="sm">
          Loading registry…
        </Text>
      </Center>
    );
  }

  if (roots.isError) {
    const { title, message, hint } = describeError(roots.error);
    return (
      <Alert m="sm" color="red" variant="light" title={title} icon={<IconAlertTriangle size={18} />} data-testid="tree-roots-error">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{message}</Text>
          {hint && (
            <Text size="xs" c="dimmed">
              {hint}
            </Text>
          )}
          <Button size="compact-sm" variant="light" color="red" leftSection={<IconRefresh size={14} />} loading={roots.isFetching} onClick={() => void roots.refetch()}>
            Retry
          </Button>
        </Stack>
      </Alert>
    );
  }

  if (roots.data.length === 0) {
    return (
      <Center p="md" data-testid="tree-empty">
        <Text size="sm" c="dimmed">
          The registry is empty.
        </Text>
      </Center>
    );
  }

  return <TreeView roots={roots.data} selectedId={selectedId} onSelect={onSelect} />;
}

type TreeViewProps = RegistryTreeProps & { roots: readonly TreeNode[] };

function TreeView({ roots, selectedId, onSelect }: TreeViewProps) {
  const queryClient = useQueryClient();
  const viewportRef = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());

  const expandedIds = useMemo(() => [...expanded], [expanded]);
  const childrenStates = useChildrenStates(expandedIds);

  const rows = useMemo(
    () => flattenTree(roots, expanded, (id) => childrenStates.get(id)),
    [roots, expanded, childrenStates],
  );

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

  const selectedIndex = indexOfNode(rows, selectedId);

  const toggle = useCallback(
    (index: number) => {
      const row = rows[index];
      if (!row || row.kind !== 'node' || !row.node.hasChildren) return;
      // Collapsing over the selection moves it to the collapsed node so it stays visible.
      if (row.expanded && selectedId !== null && isInSubtree(rows, index, selectedId)) {
        onSelect(row.node);
      }
      setExpanded((prev) => toggleInSet(prev, row.node.id));
    },
    [rows, selectedId, onSelect],
  );

  const retry = useCallback(
    (parentId: string) => {
      void queryClient.refetchQueries({ queryKey: childrenQueryKey(parentId), exact: true });
    },
    [queryClient],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const action = keyToAction(event.key, rows, selectedId);
    if (!action) return;
    event.preventDefault();
    switch (action.type) {
      case 'select':
        onSelect(action.row.node);
        virtualizer.scrollToIndex(action.index, { align: 'auto' });
        break;
      case 'expand':
      case 'collapse':
        toggle(action.index);
        break;
    }
  };

  const focusTree = () => viewportRef.current?.focus({ preventScroll: true });

  return (
    <div
      ref={viewportRef}
      className={classes.viewport}
      role="tree"
      aria-label="Entity registry"
      tabIndex={0}
      aria-activedescendant={selectedIndex >= 0 && selectedId !== null ? rowDomId(selectedId) : undefined}
      onKeyDown={onKeyDown}
      data-testid="registry-tree"
      data-row-count={rows.length}
    >
      <div className={classes.canvas} style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          const style = { height: item.size, transform: `translateY(${item.start}px)` };
          switch (row.kind) {
            case 'node':
              return (
                <NodeRowView
                  key={item.key}
                  row={row}
                  style={style}
                  selected={row.node.id === selectedId}
                  onSelect={() => {
                    onSelect(row.node);
                    focusTree();
                  }}
                  onToggle={() => {
                    toggle(item.index);
                    focusTree();
                  }}
                />
              );
            case 'loading':
              return <LoadingRowView key={item.key} row={row} style={style} />;
            case 'error':
              return <ErrorRowView key={item.key} row={row} style={style} onRetry={() => retry(row.parent.id)} />;
          }
        })}
      </div>
    </div>
  );
}

type RowStyle = { height: number; transform: string };

function indentOf(depth: number) {
  return BASE_PADDING + depth * INDENT;
}

type NodeRowViewProps = {
  row: NodeRow;
  style: RowStyle;
  selected: boolean;
  onSelect: () => void;
  onToggle: () => void;
};

function NodeRowView({ row, style, selected, onSelect, onToggle }: NodeRowViewProps) {
  const { node, depth, expanded } = row;
  const onToggleClick = (event: MouseEvent) => {
    event.stopPropagation();
    onToggle();
  };
  return (
    <div
      id={rowDomId(node.id)}
      role="treeitem"
      className={classes.row}
      style={{ ...style, paddingLeft: indentOf(depth) }}
      aria-level={depth + 1}
      aria-posinset={row.posInSet}
      aria-setsize={row.setSize}
      aria-expanded={node.hasChildren ? expanded : undefined}
      aria-selected={selected}
      data-testid={`tree-row-${node.pathLabel}`}
      data-node-id={node.id}
      data-node-name={node.name}
      onClick={onSelect}
      onDoubleClick={node.hasChildren ? onToggle : undefined}
      title={node.pathLabel}
    >
      {node.hasChildren ? (
        <span className={classes.toggle} data-testid={`tree-toggle-${node.pathLabel}`} onClick={onToggleClick} aria-hidden="true">
          <IconChevronRight size={14} stroke={2} className={expanded ? `${classes.chevron} ${classes.chevronOpen}` : classes.chevron} />
        </span>
      ) : (
        <span className={classes.spacer} />
      )}
      <NodeIcon icon={node.icon} size={16} stroke={1.6} className={classes.icon} aria-hidden="true" />
      <span className={classes.name}>{node.name}</span>
      <span className={classes.type}>{node.typeName}</span>
    </div>
  );
}

function LoadingRowView({ row, style }: { row: LoadingRow; style: RowStyle }) {
  return (
    <div role="none" className={classes.status} style={{ ...style, paddingLeft: indentOf(row.depth) + 18 + 6 }} data-testid={`tree-loading-${row.parent.pathLabel}`}>
      <Loader size={12} />
      <span>Loading…</span>
    </div>
  );
}

function ErrorRowView({ row, style, onRetry }: { row: ErrorRow; style: RowStyle; onRetry: () => void }) {
  const { title, message } = describeError(row.error);
  return (
    <div
      role="none"
      className={`${classes.status} ${classes.statusError}`}
      style={{ ...style, paddingLeft: indentOf(row.depth) + 18 + 6 }}
      data-testid={`tree-error-${row.parent.pathLabel}`}
      title={message}
    >
      <IconAlertTriangle size={14} style={{ flex: '0 0 auto' }} />
      <span className={classes.statusMessage}>
        {title}: {message}
      </span>
      <Button
        className={classes.statusAction}
        size="compact-xs"
        variant="subtle"
        color="red"
        leftSection={<IconRefresh size={12} />}
        onClick={(event) => {
          event.stopPropagation();
          onRetry();
        }}
        data-testid={`tree-retry-${row.parent.pathLabel}`}
      >
        Retry
      </Button>
    </div>
  );
}
