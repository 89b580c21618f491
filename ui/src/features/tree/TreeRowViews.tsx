import { Button, Loader } from '@mantine/core';
import { IconAlertTriangle, IconChevronRight, IconRefresh } from '@tabler/icons-react';
import type { DragEvent, MouseEvent, ReactNode } from 'react';
import { describeError } from '../../ipc/errors';
import { NodeIcon } from '../../shared/nodeIcons';
import classes from './RegistryTree.module.css';
import type { ErrorRow, LoadingRow, MoreRow, NodeRow } from './treeModel';

export const ROW_HEIGHT = 28;
const INDENT = 16;
const BASE_PADDING = 6;
const STATUS_OFFSET = 18 + 6;

/** DOM id for a node's row, used by aria-activedescendant. */
export function rowDomId(nodeId: string): string {
  return `tree-item-${nodeId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export type RowStyle = { height: number; transform: string };

function indentOf(depth: number) {
  return BASE_PADDING + depth * INDENT;
}

export type DropState = 'ok' | 'invalid' | null;

export type NodeRowHandlers = {
  onClick: (event: MouseEvent) => void;
  onToggle: () => void;
  onContextMenu: (event: MouseEvent) => void;
  onDragStart: (event: DragEvent) => void;
  onDragOver: (event: DragEvent) => void;
  onDrop: (event: DragEvent) => void;
  onDragEnd: () => void;
};

type NodeRowViewProps = {
  row: NodeRow;
  style: RowStyle;
  selected: boolean;
  focused: boolean;
  /** An edit of it made offline waits to be sent. */
  pending: boolean;
  dragging: boolean;
  drop: DropState;
  /** The inline rename field when this row is being renamed. */
  editor: ReactNode | null;
  handlers: NodeRowHandlers;
};

export function NodeRowView({ row, style, selected, focused, pending, dragging, drop, editor, handlers }: NodeRowViewProps) {
  const { node, depth, expanded } = row;
  const onToggleClick = (event: MouseEvent) => {
    event.stopPropagation();
    handlers.onToggle();
  };
  // Named by the entity's name alone (its content would run the type into
  // the name); the type, and an edit waiting to be sent, describe it.
  const domId = rowDomId(node.id);
  const describedBy = editor === null ? [`${domId}-type`, ...(pending ? [`${domId}-pending`] : [])].join(' ') : undefined;
  return (
    <div
      id={domId}
      role="treeitem"
      aria-label={node.name}
      aria-describedby={describedBy}
      className={classes.row}
      style={{ ...style, paddingLeft: indentOf(depth) }}
      aria-level={depth + 1}
      aria-posinset={row.posInSet}
      aria-setsize={row.setSize}
      aria-expanded={node.hasChildren ? expanded : undefined}
      aria-selected={selected}
      data-focused={focused || undefined}
      data-drop={drop ?? undefined}
      data-dragging={dragging || undefined}
      data-testid={`tree-row-${node.pathLabel}`}
      data-node-id={node.id}
      data-node-name={node.name}
      draggable={editor === null}
      onClick={handlers.onClick}
      onDoubleClick={node.hasChildren && editor === null ? handlers.onToggle : undefined}
      onContextMenu={handlers.onContextMenu}
      onDragStart={handlers.onDragStart}
      onDragOver={handlers.onDragOver}
      onDrop={handlers.onDrop}
      onDragEnd={handlers.onDragEnd}
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
      {editor ?? (
        <>
          <span className={classes.name} title={node.name}>
            {node.name}
          </span>
          <span className={classes.type} id={`${domId}-type`}>
            {node.typeName}
          </span>
          {pending && <span className={classes.pendingDot} id={`${domId}-pending`} role="img" aria-label="Edit waiting to be sent" title="Edit waiting to be sent" data-testid="tree-pending-dot" />}
        </>
      )}
    </div>
  );
}

export function LoadingRowView({ row, style }: { row: LoadingRow; style: RowStyle }) {
  return (
    <div role="none" className={classes.status} style={{ ...style, paddingLeft: indentOf(row.depth) + STATUS_OFFSET }} data-testid={`tree-loading-${row.parent.pathLabel}`}>
      <Loader size={12} />
      <span>Loading…</span>
    </div>
  );
}

export function MoreRowView({ row, style }: { row: MoreRow; style: RowStyle }) {
  return (
    <div role="none" className={classes.status} style={{ ...style, paddingLeft: indentOf(row.depth) + STATUS_OFFSET }} data-testid={`tree-more-${row.parent.pathLabel}`}>
      <Loader size={12} />
      <span>Loading more…</span>
    </div>
  );
}

export function ErrorRowView({ row, style, onRetry }: { row: ErrorRow; style: RowStyle; onRetry: () => void }) {
  const { title, message } = describeError(row.error);
  return (
    <div
      role="none"
      className={`${classes.status} ${classes.statusError}`}
      style={{ ...style, paddingLeft: indentOf(row.depth) + STATUS_OFFSET }}
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
