import { ActionIcon, Checkbox, Menu } from '@mantine/core';
import { IconArrowDown, IconArrowLeft, IconArrowRight, IconArrowUp, IconColumnRemove, IconDots, IconSortAscending, IconSortDescending } from '@tabler/icons-react';
import { useEffect, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import type { Column, PropertyDefinition, ViewDocument } from '../../../bindings';
import { clampWidth, columnLabel, isSortable, MAX_WIDTH, MIN_WIDTH, moveColumn, removeColumn, resizeColumn, sortBy, sortOf, toggleSort } from './tableModel';
import classes from './TableView.module.css';

export const HEADER_HEIGHT = 36;
export const CHECK_WIDTH = 40;

/** Keyboard resizing steps (Shift: larger). */
const RESIZE_STEP = 16;
const RESIZE_STEP_LARGE = 64;

type Props = {
  document: ViewDocument;
  onChange: (document: ViewDocument) => void;
  columns: readonly Column[];
  /** Each column's width as drawn (a column being dragged wider shows its live width). */
  widths: readonly number[];
  totalWidth: number;
  definitions: ReadonlyMap<string, PropertyDefinition>;
  /** The width of a column while its edge is dragged (null: none is). */
  onLiveWidth: (live: { index: number; width: number } | null) => void;
  /** The header checkbox: every loaded row selected, some, or none. */
  allSelected: boolean;
  someSelected: boolean;
  onSelectAll: (select: boolean) => void;
};

type DropSide = 'before' | 'after';

/** The headers: sort by a click, resize by the edge, reorder by dragging or from the column's menu. */
export function TableHeader({ document, onChange, columns, widths, totalWidth, definitions, onLiveWidth, allSelected, someSelected, onSelectAll }: Props) {
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [drop, setDrop] = useState<{ index: number; side: DropSide } | null>(null);
  const resizing = useRef(false);

  const onDrop = (event: DragEvent, index: number) => {
    event.preventDefault();
    const from = dragFrom ?? Number(event.dataTransfer.getData('text/x-view-column'));
    setDragFrom(null);
    setDrop(null);
    if (!Number.isInteger(from) || from < 0) return;
    const side = sideOf(event);
    const position = side === 'before' ? index : index + 1;
    onChange(moveColumn(document, from, position > from ? position - 1 : position));
  };

  return (
    <div className={classes.header} role="row" aria-rowindex={1} style={{ width: totalWidth, height: HEADER_HEIGHT }}>
      <div className={`${classes.headerCell} ${classes.checkCell}`} role="columnheader" style={{ width: CHECK_WIDTH }}>
        <Checkbox
          size="xs"
          checked={allSelected}
          indeterminate={!allSelected && someSelected}
          onChange={() => onSelectAll(!allSelected)}
          aria-label={allSelected ? 'Select no rows' : 'Select all loaded rows'}
          data-testid="view-select-all"
        />
      </div>
      {columns.map((column, index) => {
        const label = columnLabel(column.field, definitions);
        const sort = sortOf(document, column.field);
        const sortable = isSortable(column.field);
        const multi = (document.sort ?? []).length > 1;
        return (
          <div
            key={`${column.field}-${index}`}
            className={classes.headerCell}
            role="columnheader"
            aria-colindex={index + 2}
            aria-sort={sort === null ? 'none' : sort.descending ? 'descending' : 'ascending'}
            style={{ width: widths[index] }}
            draggable
            data-drop={drop?.index === index ? drop.side : undefined}
            data-dragging={dragFrom === index ? '' : undefined}
            onDragStart={(event) => {
              if (resizing.current) {
                event.preventDefault();
                return;
              }
              event.dataTransfer.effectAllowed = 'move';
              event.dataTransfer.setData('text/x-view-column', String(index));
              setDragFrom(index);
            }}
            onDragOver={(event) => {
              if (dragFrom === null) return;
              event.preventDefault();
              const side = sideOf(event);
              if (drop?.index !== index || drop.side !== side) setDrop({ index, side });
            }}
            onDragLeave={() => setDrop((current) => (current?.index === index ? null : current))}
            onDrop={(event) => onDrop(event, index)}
            onDragEnd={() => {
              setDragFrom(null);
              setDrop(null);
            }}
            data-testid={`view-header-${column.field}`}
          >
            <button
              type="button"
              className={classes.sortButton}
              disabled={!sortable}
              onClick={(event) => onChange(toggleSort(document, column.field, event.shiftKey))}
              title={sortable ? `Sort by ${label} (Shift: add as a further sort)` : undefined}
              data-testid={`view-sort-${column.field}`}
            >
              <span className={classes.label}>{label}</span>
              {sort && (sort.descending ? <IconArrowDown size={14} aria-hidden /> : <IconArrowUp size={14} aria-hidden />)}
              {sort && multi && <span aria-hidden>{sort.position + 1}</span>}
            </button>
            <ColumnMenu
              label={label}
              field={column.field}
              sortable={sortable}
              first={index === 0}
              last={index === columns.length - 1}
              onSort={(descending) => onChange(sortBy(document, column.field, descending))}
              onMove={(delta) => onChange(moveColumn(document, index, index + delta))}
              onRemove={() => onChange(removeColumn(document, index))}
            />
            <Resizer
              label={label}
              width={widths[index]}
              onLive={(width) => onLiveWidth(width === null ? null : { index, width })}
              onResizing={(active) => (resizing.current = active)}
              onCommit={(width) => onChange(resizeColumn(document, index, width))}
              testId={`view-resize-${column.field}`}
            />
          </div>
        );
      })}
    </div>
  );
}

function sideOf(event: DragEvent): DropSide {
  const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
  return event.clientX < box.left + box.width / 2 ? 'before' : 'after';
}

function ColumnMenu({
  label,
  field,
  sortable,
  first,
  last,
  onSort,
  onMove,
  onRemove,
}: {
  label: string;
  field: string;
  sortable: boolean;
  first: boolean;
  last: boolean;
  onSort: (descending: boolean) => void;
  onMove: (delta: number) => void;
  onRemove: () => void;
}) {
  return (
    <Menu position="bottom-end" shadow="md">
      <Menu.Target>
        <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`${label} column`} data-testid={`view-column-menu-${field}`}>
          <IconDots size={14} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconSortAscending size={14} />} disabled={!sortable} onClick={() => onSort(false)} data-testid="view-column-sort-asc">
          Sort ascending
        </Menu.Item>
        <Menu.Item leftSection={<IconSortDescending size={14} />} disabled={!sortable} onClick={() => onSort(true)} data-testid="view-column-sort-desc">
          Sort descending
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item leftSection={<IconArrowLeft size={14} />} disabled={first} onClick={() => onMove(-1)} data-testid="view-column-left">
          Move left
        </Menu.Item>
        <Menu.Item leftSection={<IconArrowRight size={14} />} disabled={last} onClick={() => onMove(1)} data-testid="view-column-right">
          Move right
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item leftSection={<IconColumnRemove size={14} />} color="red" onClick={onRemove} data-testid="view-column-remove">
          Remove column
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** A column's right edge: drag it, or focus it and use the arrow keys. The width is written when the drag ends. */
function Resizer({
  label,
  width,
  onLive,
  onResizing,
  onCommit,
  testId,
}: {
  label: string;
  width: number;
  onLive: (width: number | null) => void;
  onResizing: (active: boolean) => void;
  onCommit: (width: number) => void;
  testId: string;
}) {
  const [active, setActive] = useState(false);
  const stop = useRef<(() => void) | null>(null);
  // A drag in progress when the table goes away ends without writing.
  useEffect(() => () => stop.current?.(), []);

  const onMouseDown = (event: MouseEvent) => {
    if (event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    const startX = event.clientX;
    const startWidth = width;
    let latest = startWidth;
    onResizing(true);
    setActive(true);
    const move = (e: globalThis.MouseEvent) => {
      latest = clampWidth(startWidth + e.clientX - startX);
      onLive(latest);
    };
    const end = () => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
      stop.current = null;
      onResizing(false);
      setActive(false);
      onLive(null);
    };
    const up = () => {
      end();
      if (latest !== startWidth) onCommit(latest);
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
    stop.current = end;
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.shiftKey ? RESIZE_STEP_LARGE : RESIZE_STEP;
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      event.preventDefault();
      event.stopPropagation();
      onCommit(clampWidth(width + (event.key === 'ArrowRight' ? step : -step)));
    }
  };

  return (
    <div
      className={classes.resizer}
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${label}`}
      aria-valuenow={width}
      aria-valuemin={MIN_WIDTH}
      aria-valuemax={MAX_WIDTH}
      tabIndex={0}
      data-active={active ? '' : undefined}
      onMouseDown={onMouseDown}
      onClick={(event) => event.stopPropagation()}
      onKeyDown={onKeyDown}
      data-testid={testId}
    />
  );
}
