import { Button, Center, Checkbox, Loader, Stack, Text, Tooltip } from '@mantine/core';
import { IconEdit, IconX } from '@tabler/icons-react';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { PropertyDefinition, ViewDocument, ViewRow } from '../../../bindings';
import { EmptyState } from '../../../shared/EmptyState';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { formatCount } from '../../../shared/format';
import { NodeIcon } from '../../../shared/nodeIcons';
import { entityTypesQuery } from '../../entity-types/api';
import { MASK } from '../../properties';
import { propertyDefinitionsQuery } from '../../properties/api';
import { viewRowsQuery } from '../api';
import { resultsDocument } from '../viewsModel';
import { CellEditor } from './CellEditor';
import { cellShown, cellText, type CellShown } from './cells';
import { clearRows, clickRow, moveFocus, selectAllRows, selectedIds, toggleRow, type RowSelection } from './rowSelection';
import { CHECK_WIDTH, HEADER_HEIGHT, TableHeader } from './TableHeader';
import { columnWidth, isEditable, propertyKeyOf } from './tableModel';
import classes from './TableView.module.css';
import { useCellEdit } from './useCellEdit';

export const ROW_HEIGHT = 34;
/** Read the next page when the drawn rows come this close to the last loaded one. */
export const PREFETCH_ROWS = 20;
/** Rows PageUp / PageDown move by. */
const PAGE_ROWS = 10;

type Props = {
  document: ViewDocument;
  /** Sorting, resizing, moving or removing a column writes the document. */
  onChange: (document: ViewDocument) => void;
  selection: RowSelection;
  onSelectionChange: (selection: RowSelection) => void;
  /** "Bulk edit N selected": the selected loaded rows, in order. */
  onBulkEdit: (ids: string[]) => void;
};

const cellDomId = (rowId: string, column: number) => `view-cell-${rowId}-${column}`;

/**
 * The rows of a view as a table, read a page at a time as it scrolls. Click,
 * Shift+click and Ctrl+click select rows (the arrow keys move, Space picks,
 * Ctrl+A takes every loaded row); a double-click or Enter on a property cell
 * edits it in place.
 */
export function TableView({ document, onChange, selection, onSelectionChange, onBulkEdit }: Props) {
  const results = useMemo(() => resultsDocument(document), [document]);
  const rowsQuery = useInfiniteQuery({ ...viewRowsQuery(results), placeholderData: keepPreviousData });
  const definitionsQuery = useQuery(propertyDefinitionsQuery());
  const typesQuery = useQuery(entityTypesQuery(false));
  const definitions = useMemo(() => new Map((definitionsQuery.data ?? []).map((d) => [d.key, d])), [definitionsQuery.data]);
  const types = useMemo(() => new Map((typesQuery.data ?? []).map((t) => [t.id, t])), [typesQuery.data]);
  const rows = useMemo(() => rowsQuery.data?.pages.flatMap((page) => page.rows) ?? [], [rowsQuery.data]);
  const rowIds = useMemo(() => rows.map((row) => row.id), [rows]);

  const columns = useMemo(() => document.columns ?? [], [document.columns]);
  const [liveWidth, setLiveWidth] = useState<{ index: number; width: number } | null>(null);
  const widths = columns.map((column, i) => (liveWidth?.index === i ? liveWidth.width : columnWidth(column)));
  const totalWidth = CHECK_WIDTH + widths.reduce((sum, w) => sum + w, 0);
  const [focusColumn, setFocusColumn] = useState(0);
  const column = Math.min(focusColumn, Math.max(0, columns.length - 1));

  const scrollRef = useRef<HTMLDivElement>(null);
  const focusGrid = useCallback(() => scrollRef.current?.focus({ preventScroll: true }), []);
  const cell = useCellEdit(results, focusGrid);

  const hasMore = rowsQuery.hasNextPage && !rowsQuery.isPlaceholderData;
  const virtualizer = useVirtualizer({
    count: rows.length + (hasMore ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index]?.id ?? 'more',
    overscan: 10,
    // The rows start under the sticky header.
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const lastDrawn = items.length > 0 ? items[items.length - 1].index : -1;

  const { fetchNextPage, isFetchingNextPage } = rowsQuery;
  useEffect(() => {
    if (hasMore && !isFetchingNextPage && lastDrawn >= rows.length - PREFETCH_ROWS) void fetchNextPage();
  }, [hasMore, isFetchingNextPage, lastDrawn, rows.length, fetchNextPage]);

  // Only rows on screen can be selected: drop those the rows no longer have
  // (another filter, a row changed elsewhere), once the new rows are in.
  const settled = rowsQuery.isSuccess && !rowsQuery.isPlaceholderData;
  useEffect(() => {
    if (!settled) return;
    const kept = selectedIds(selection, rowIds);
    if (kept.length !== selection.ids.size) onSelectionChange({ ...selection, ids: new Set(kept) });
  }, [settled, rowIds, selection, onSelectionChange]);

  const selected = selectedIds(selection, rowIds);
  const focusIndex = selection.focusId === null ? -1 : rowIds.indexOf(selection.focusId);

  const select = (next: RowSelection) => {
    onSelectionChange(next);
    const index = next.focusId === null ? -1 : rowIds.indexOf(next.focusId);
    if (index >= 0 && next.focusId !== selection.focusId) virtualizer.scrollToIndex(index, { align: 'auto' });
  };

  const startEdit = (row: ViewRow, index: number) => {
    const key = propertyKeyOf(columns[index]?.field ?? '');
    if (key === null) return;
    cell.start(row, index, definitions.get(key));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // Keys of the header's buttons and of an editor are theirs.
    if (event.target !== event.currentTarget) return;
    const mod = event.ctrlKey || event.metaKey;
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        select(moveFocus(selection, rowIds, 1, event.shiftKey));
        break;
      case 'ArrowUp':
        select(moveFocus(selection, rowIds, -1, event.shiftKey));
        break;
      case 'PageDown':
        select(moveFocus(selection, rowIds, PAGE_ROWS, event.shiftKey));
        break;
      case 'PageUp':
        select(moveFocus(selection, rowIds, -PAGE_ROWS, event.shiftKey));
        break;
      case 'Home':
        select(moveFocus(selection, rowIds, -rowIds.length, event.shiftKey));
        break;
      case 'End':
        select(moveFocus(selection, rowIds, rowIds.length, event.shiftKey));
        break;
      case 'ArrowLeft':
        setFocusColumn(Math.max(0, column - 1));
        break;
      case 'ArrowRight':
        setFocusColumn(Math.min(columns.length - 1, column + 1));
        break;
      case ' ':
        if (selection.focusId !== null) onSelectionChange(toggleRow(selection, selection.focusId));
        break;
      case 'Escape':
        if (selection.ids.size > 0) onSelectionChange(clearRows(selection));
        else handled = false;
        break;
      case 'Enter':
      case 'F2':
        if (focusIndex >= 0) startEdit(rows[focusIndex], column);
        break;
      default:
        if (mod && event.key.toLowerCase() === 'a') onSelectionChange(selectAllRows(selection, rowIds));
        else handled = false;
    }
    if (handled) event.preventDefault();
  };

  const onRowClick = (event: MouseEvent, row: ViewRow, index: number) => {
    onSelectionChange(clickRow(selection, rowIds, row.id, { shift: event.shiftKey, toggle: event.ctrlKey || event.metaKey }));
    if (index >= 0) setFocusColumn(index);
    focusGrid();
  };

  if (rowsQuery.isPending) {
    return (
      <Center p="xl" data-testid="view-table-loading">
        <Loader size="sm" />
      </Center>
    );
  }
  if (rowsQuery.isError && rows.length === 0) {
    return (
      <Stack p="md" gap="sm">
        <ErrorNotice error={rowsQuery.error} subject="The rows could not be read" />
        <div>
          <Button size="compact-sm" variant="light" onClick={() => void rowsQuery.refetch()}>
            Try again
          </Button>
        </div>
      </Stack>
    );
  }

  return (
    <div className={classes.root} data-testid="view-table-root">
      {selected.length > 0 && (
        <div className={classes.selectionBar} data-testid="view-selection-bar">
          <Text size="sm" fw={500} data-testid="view-selection-count">
            {formatCount(selected.length)} selected
          </Text>
          <Button size="compact-sm" leftSection={<IconEdit size={14} />} onClick={() => onBulkEdit(selected)} data-testid="view-bulk-selected-bar">
            Bulk edit {formatCount(selected.length)} selected
          </Button>
          <Button size="compact-sm" variant="subtle" leftSection={<IconX size={14} />} onClick={() => onSelectionChange(clearRows(selection))} data-testid="view-selection-clear">
            Clear selection
          </Button>
        </div>
      )}
      <div
        ref={scrollRef}
        className={classes.scroll}
        role="grid"
        aria-label="View rows"
        aria-multiselectable="true"
        aria-rowcount={hasMore ? -1 : rows.length + 1}
        aria-colcount={columns.length + 1}
        aria-activedescendant={focusIndex >= 0 && columns.length > 0 ? cellDomId(rowIds[focusIndex], column) : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="view-table"
        data-row-count={rows.length}
      >
        <TableHeader
          document={document}
          onChange={onChange}
          columns={columns}
          widths={widths}
          totalWidth={totalWidth}
          definitions={definitions}
          onLiveWidth={setLiveWidth}
          allSelected={rows.length > 0 && selected.length === rows.length}
          someSelected={selected.length > 0}
          onSelectAll={(all) => onSelectionChange(all ? selectAllRows(selection, rowIds) : clearRows(selection))}
        />
        {rows.length === 0 ? (
          <EmptyState title={columns.length === 0 ? 'No columns: add some in Filter & columns.' : 'No rows match this view.'} testId="view-table-empty">
            {columns.length === 0 ? 'A view shows the columns you choose: the name, the path, any property.' : 'Loosen a condition in Filter & columns, or check that you see the roots it looks under.'}
          </EmptyState>
        ) : (
          <div className={classes.canvas} style={{ height: virtualizer.getTotalSize(), width: totalWidth }}>
            {items.map((item) => {
              const style = { height: item.size, width: totalWidth, transform: `translateY(${item.start - HEADER_HEIGHT}px)` };
              const row = rows[item.index];
              if (!row) {
                return (
                  <div key={item.key} className={`${classes.row} ${classes.more}`} style={style} role="row" data-testid="view-table-more">
                    <Loader size={14} /> Loading more rows…
                  </div>
                );
              }
              const isSelected = selection.ids.has(row.id);
              const focused = row.id === selection.focusId;
              return (
                <div
                  key={item.key}
                  className={classes.row}
                  style={style}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={isSelected}
                  data-selected={isSelected}
                  data-focused={focused}
                  data-row-id={row.id}
                  data-testid={`view-row-${row.id}`}
                  onMouseDown={(event) => {
                    // Shift+click picks rows, not text.
                    if (event.shiftKey) event.preventDefault();
                  }}
                  onClick={(event) => onRowClick(event, row, -1)}
                >
                  <div className={`${classes.cell} ${classes.checkCell}`} role="gridcell" style={{ width: CHECK_WIDTH }}>
                    <Checkbox
                      size="xs"
                      checked={isSelected}
                      onChange={() => undefined}
                      onClick={(event) => {
                        event.stopPropagation();
                        onSelectionChange(event.shiftKey ? clickRow(selection, rowIds, row.id, { shift: true, toggle: true }) : toggleRow(selection, row.id));
                        focusGrid();
                      }}
                      tabIndex={-1}
                      aria-label={`Select ${row.name}`}
                      data-testid={`view-row-check-${row.id}`}
                    />
                  </div>
                  {columns.map((col, index) => {
                    const editing = cell.edit !== null && cell.edit.rowId === row.id && cell.edit.column === index;
                    const key = propertyKeyOf(col.field);
                    const definition = key === null ? undefined : definitions.get(key);
                    return (
                      <div
                        key={`${col.field}-${index}`}
                        id={cellDomId(row.id, index)}
                        className={classes.cell}
                        role="gridcell"
                        aria-colindex={index + 2}
                        aria-readonly={!isEditable(definition)}
                        style={{ width: widths[index] }}
                        data-focused={focused && index === column}
                        data-editing={editing ? '' : undefined}
                        data-testid={`view-cell-${row.id}-${col.field}`}
                        onClick={(event) => {
                          event.stopPropagation();
                          onRowClick(event, row, index);
                        }}
                        onDoubleClick={() => startEdit(row, index)}
                      >
                        <CellView shown={cellShown(col.field, row, definitions, types)} definition={definition} />
                        {editing && cell.edit && (
                          <CellEditor
                            definition={cell.edit.definition}
                            id={`view-edit-${row.id}-${index}`}
                            text={cell.edit.text}
                            onText={cell.setText}
                            error={cell.edit.error}
                            conflict={cell.edit.conflict}
                            saving={cell.edit.saving}
                            onSave={() => void cell.save()}
                            onCancel={cell.cancel}
                          />
                        )}
                      </div>
                    );
                  })}
                </div>
              );
            })}
          </div>
        )}
      </div>
      {rowsQuery.isError && rows.length > 0 && <ErrorNotice error={rowsQuery.error} subject="More rows could not be read" compact />}
    </div>
  );
}

function CellView({ shown, definition }: { shown: CellShown; definition: PropertyDefinition | undefined }) {
  switch (shown.kind) {
    case 'empty':
      return null;
    case 'masked':
      return (
        <Tooltip label={`${definition?.name ?? 'This property'} is sensitive: it is never shown in a view`} openDelay={400}>
          <span className={classes.cellText} aria-label="Hidden value" data-masked="">
            {MASK}
          </span>
        </Tooltip>
      );
    case 'type':
      return (
        <>
          <NodeIcon icon={shown.icon} size={14} color="var(--eco-icon-muted)" />
          <span className={classes.cellText}>{shown.text}</span>
        </>
      );
    case 'path':
      return (
        <span className={`${classes.cellText} ${classes.path}`} title={shown.text}>
          {shown.text}
        </span>
      );
    case 'invalid':
      return (
        <span className={`${classes.cellText} ${classes.invalid}`} title={`Not a value of this property's type: ${shown.text}`}>
          {shown.text}
        </span>
      );
    case 'text':
      return (
        <span className={classes.cellText} title={cellText(shown)}>
          {shown.text}
        </span>
      );
  }
}

