// A view as a tree: its matches in their hierarchy, with the ancestors that
// place them greyed (they are not in the view). Everything starts expanded;
// large trees render only the rows in sight.
import { Alert, Loader, Text } from '@mantine/core';
import { IconChevronRight, IconInfoCircle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ViewDocument } from '../../../bindings';
import { EmptyState } from '../../../shared/EmptyState';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { formatCount } from '../../../shared/format';
import { NodeIcon } from '../../../shared/nodeIcons';
import { entityTypesQuery } from '../../entity-types/api';
import { viewTreeQuery } from '../api';
import { buildForest, visibleRows, type ForestRow } from './forest';
import classes from './ViewTreeView.module.css';

/** Above this many rows only the rows in sight are rendered. */
export const VIRTUALIZE_ABOVE = 500;
const ROW_HEIGHT = 28;
const INDENT = 16;

/** DOM id of a row, for aria-activedescendant. */
const rowDomId = (id: string) => `view-tree-item-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export function ViewTreeView({ document }: { document: ViewDocument }) {
  const tree = useQuery(viewTreeQuery(document));
  // Icons and type names only; the tree shows without them.
  const types = useQuery(entityTypesQuery(false));
  const forest = useMemo(() => buildForest(tree.data?.nodes ?? []), [tree.data]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const rows = useMemo(() => visibleRows(forest.roots, collapsed), [forest, collapsed]);
  const typeOf = useMemo(() => new Map((types.data ?? []).map((t) => [t.id, t])), [types.data]);

  const viewportRef = useRef<HTMLDivElement>(null);
  const virtual = rows.length > VIRTUALIZE_ABOVE;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => viewportRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index].item.node.id,
    overscan: 10,
    enabled: virtual,
    // Avoid flushSync from inside React's render/effects (React 19 warns).
    useFlushSync: false,
  });

  if (tree.isPending) return <Loader size="sm" m="md" aria-label="Loading the tree" />;
  if (tree.isError) return <ErrorNotice error={tree.error} subject="The tree" />;

  const indexOf = (id: string | null) => (id === null ? -1 : rows.findIndex((r) => r.item.node.id === id));
  const focusedIndex = indexOf(focusedId);

  const focusAt = (index: number) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!row) return;
    const id = row.item.node.id;
    setFocusedId(id);
    const at = indexOf(id);
    if (virtual) virtualizer.scrollToIndex(at, { align: 'auto' });
    else viewportRef.current?.ownerDocument.getElementById(rowDomId(id))?.scrollIntoView({ block: 'nearest' });
  };

  const setExpanded = (id: string, expanded: boolean) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (expanded) next.delete(id);
      else next.add(id);
      return next;
    });

  const toggle = (row: ForestRow) => {
    setExpanded(row.item.node.id, !row.expanded);
    // A focus inside a collapsing branch moves up to the branch.
    if (row.expanded && focusedId !== null && focusedId !== row.item.node.id && isInside(rows, row, focusedId)) setFocusedId(row.item.node.id);
  };

  const select = (row: ForestRow) => {
    if (row.item.node.matches) setSelectedId(row.item.node.id);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (rows.length === 0) return;
    const current = rows[focusedIndex];
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        focusAt(focusedIndex + 1);
        break;
      case 'ArrowUp':
        focusAt(focusedIndex < 0 ? 0 : focusedIndex - 1);
        break;
      case 'Home':
        focusAt(0);
        break;
      case 'End':
        focusAt(rows.length - 1);
        break;
      case 'ArrowRight':
        if (!current) focusAt(0);
        else if (current.item.children.length > 0 && !current.expanded) setExpanded(current.item.node.id, true);
        else if (current.expanded) focusAt(focusedIndex + 1);
        break;
      case 'ArrowLeft':
        if (!current) focusAt(0);
        else if (current.expanded) setExpanded(current.item.node.id, false);
        else if (current.parentId !== null) focusAt(indexOf(current.parentId));
        break;
      case 'Enter':
      case ' ':
        if (current) select(current);
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  };

  const renderRow = (row: ForestRow, style?: { transform: string }) => {
    const { node, children, matches } = row.item;
    const type = typeOf.get(node.entityTypeId);
    const selected = selectedId === node.id;
    return (
      <div
        key={node.id}
        id={rowDomId(node.id)}
        role="treeitem"
        className={virtual ? `${classes.row} ${classes.virtual}` : classes.row}
        style={{ ...style, paddingLeft: 6 + row.depth * INDENT }}
        aria-level={row.depth + 1}
        aria-posinset={row.posInSet}
        aria-setsize={row.setSize}
        aria-expanded={children.length > 0 ? row.expanded : undefined}
        aria-selected={node.matches ? selected : undefined}
        aria-label={node.matches ? undefined : `${node.name}, not in this view`}
        data-testid={`view-tree-row-${node.id}`}
        data-node-name={node.name}
        data-matches={node.matches}
        data-selected={selected || undefined}
        data-focused={focusedId === node.id || undefined}
        onClick={() => {
          setFocusedId(node.id);
          select(row);
        }}
        onDoubleClick={children.length > 0 ? () => toggle(row) : undefined}
      >
        {children.length > 0 ? (
          <span
            className={classes.toggle}
            aria-hidden="true"
            data-testid={`view-tree-toggle-${node.id}`}
            onClick={(event) => {
              event.stopPropagation();
              toggle(row);
            }}
          >
            <IconChevronRight size={14} stroke={2} className={row.expanded ? `${classes.chevron} ${classes.chevronOpen}` : classes.chevron} />
          </span>
        ) : (
          <span className={classes.toggle} aria-hidden="true" />
        )}
        <NodeIcon icon={type?.icon ?? null} size={16} stroke={1.6} className={classes.icon} aria-hidden="true" />
        <span className={classes.name} title={node.name}>
          {node.name}
        </span>
        {type && <span className={classes.meta}>{type.name}</span>}
        {!node.matches && (
          <span className={classes.meta} aria-hidden="true">
            · not in this view{matches > 0 ? `, ${formatCount(matches)} ${matches === 1 ? 'match' : 'matches'} below` : ''}
          </span>
        )}
      </div>
    );
  };

  const ancestors = forest.total - forest.matches;
  return (
    <div className={classes.root} data-testid="view-tree">
      <Text size="xs" c="dimmed" data-testid="view-tree-summary">
        {`${formatCount(forest.matches)} ${forest.matches === 1 ? 'match' : 'matches'}`}
        {ancestors > 0 ? `, shown under ${formatCount(ancestors)} greyed ${ancestors === 1 ? 'ancestor' : 'ancestors'} that are not in this view` : ''}
      </Text>
      {tree.data.truncated && (
        <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} />} p="xs" data-testid="view-tree-truncated">
          More entities match than a tree shows: showing the first {formatCount(forest.matches)} matches. Narrow the filter to see the rest.
        </Alert>
      )}
      {rows.length === 0 ? (
        <EmptyState title="No entity matches this view." testId="view-tree-empty">
          Loosen a condition in Filter & columns to see more of the registry.
        </EmptyState>
      ) : (
        <div
          ref={viewportRef}
          role="tree"
          aria-label="Matches in their hierarchy"
          tabIndex={0}
          className={classes.viewport}
          aria-activedescendant={focusedIndex >= 0 ? rowDomId(rows[focusedIndex].item.node.id) : undefined}
          data-row-count={rows.length}
          data-virtual={virtual || undefined}
          onKeyDown={onKeyDown}
          onFocus={(event) => {
            if (event.target === event.currentTarget && focusedIndex < 0) setFocusedId(rows[0].item.node.id);
          }}
        >
          {virtual ? (
            <div className={classes.canvas} style={{ height: virtualizer.getTotalSize() }}>
              {virtualizer.getVirtualItems().map((item) => renderRow(rows[item.index], { transform: `translateY(${item.start}px)` }))}
            </div>
          ) : (
            rows.map((row) => renderRow(row))
          )}
        </div>
      )}
    </div>
  );
}

/** Whether the row with `id` sits in the branch of `branch` (the rows after it, deeper). */
function isInside(rows: readonly ForestRow[], branch: ForestRow, id: string): boolean {
  const start = rows.indexOf(branch);
  for (let i = start + 1; i < rows.length && rows[i].depth > branch.depth; i++) {
    if (rows[i].item.node.id === id) return true;
  }
  return false;
}
