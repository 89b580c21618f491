// A view as a board: a column per option of the grouping property, then
// "No value". Cards are the view's rows, loaded a page at a time. Moving a
// card (drag it, or focus it and press M) sets the property to the column's
// option through the same checked write as the property pane.
import { ActionIcon, Alert, Badge, Button, Group, Loader, Menu, Text } from '@mantine/core';
import { IconDots, IconInfoCircle } from '@tabler/icons-react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type UIEvent } from 'react';
import type { PropertyDefinition, Value, ViewDocument, ViewRow } from '../../../bindings';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { formatCount } from '../../../shared/format';
import { propertyDefinitionsQuery } from '../../properties/api';
import { viewCountQuery, viewRowsQuery } from '../api';
import classes from './BoardView.module.css';
import { boardColumns, boardProblem, cardDefinitions, cellText, groupRows, rowGroupValue, type BoardColumn } from './boardModel';
import { useBoardMove } from './useBoardMove';

/** Load the next page when a column is scrolled this close to its end (px). */
const LOAD_AHEAD = 160;

/** A column's key in test ids and data attributes ("none" for "No value"). */
export const columnId = (key: string | null) => key ?? 'none';

function cardElement(root: HTMLElement | null, id: string): HTMLElement | undefined {
  return [...(root?.querySelectorAll<HTMLElement>('[data-card-id]') ?? [])].find((el) => el.dataset.cardId === id);
}

export function BoardView({ document }: { document: ViewDocument }) {
  const definitions = useQuery({ ...propertyDefinitionsQuery(), enabled: Boolean(document.groupBy) });
  if (!document.groupBy) return <NoBoard message={boardProblem(document, undefined) ?? ''} />;
  if (definitions.isPending) return <Loader size="sm" m="md" aria-label="Loading the board" />;
  if (definitions.isError) return <ErrorNotice error={definitions.error} subject="The properties" />;
  const definition = definitions.data.find((d) => d.key === document.groupBy && d.deletedAt === null);
  const problem = boardProblem(document, definition);
  if (problem !== null || !definition) return <NoBoard message={problem ?? ''} />;
  return <Board document={document} definition={definition} definitions={definitions.data} />;
}

function NoBoard({ message }: { message: string }) {
  return (
    <Alert color="gray" variant="light" icon={<IconInfoCircle size={18} />} title="No board to show" data-testid="board-no-group" m="md">
      {message}
    </Alert>
  );
}

type BoardProps = { document: ViewDocument; definition: PropertyDefinition; definitions: PropertyDefinition[] };

function Board({ document, definition, definitions }: BoardProps) {
  const rows = useInfiniteQuery(viewRowsQuery(document));
  const count = useQuery(viewCountQuery(document));
  const columns = useMemo(() => boardColumns(definition), [definition]);
  const fields = useMemo(() => cardDefinitions(document, definitions), [document, definitions]);
  const { moving, move } = useBoardMove(document, definition, columns);
  const [dragging, setDragging] = useState<string | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null | undefined>(undefined);
  const [focusId, setFocusId] = useState<string | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);

  const loaded = useMemo(() => rows.data?.pages.flatMap((page) => page.rows) ?? [], [rows.data]);
  const groups = useMemo(() => groupRows(loaded, definition.key, columns, moving), [loaded, definition.key, columns, moving]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = rows;

  // A card moved from the keyboard keeps the focus in its new column.
  useEffect(() => {
    if (focusId === null) return;
    cardElement(rootRef.current, focusId)?.focus();
    setFocusId(null);
  }, [focusId, groups]);

  if (rows.isPending) return <Loader size="sm" m="md" aria-label="Loading the board" />;
  if (rows.isError) return <ErrorNotice error={rows.error} subject="The board" />;

  const loadMore = () => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  };
  const onScroll = (event: UIEvent<HTMLElement>) => {
    const el = event.currentTarget;
    if (el.scrollTop + el.clientHeight >= el.scrollHeight - LOAD_AHEAD) loadMore();
  };

  const moveTo = (row: ViewRow, to: string | null, keepFocus: boolean) => {
    if (keepFocus) setFocusId(row.id);
    void move(row, to).then(() => {
      // A card put back lands in another list, and the focus with it unless it went elsewhere.
      const page = rootRef.current?.ownerDocument;
      if (keepFocus && page && (page.activeElement === null || page.activeElement === page.body)) setFocusId(row.id);
    });
  };

  /** Arrow keys go from card to card: up and down in a column, left and right across. */
  const focusNear = (columnIndex: number, index: number, step: 'up' | 'down' | 'left' | 'right') => {
    const cardsOf = (c: number) => groups.get(columns[c].key) ?? [];
    let c = columnIndex;
    let i = index;
    if (step === 'up') i = Math.max(0, index - 1);
    else if (step === 'down') i = Math.min(cardsOf(c).length - 1, index + 1);
    else {
      const dir = step === 'left' ? -1 : 1;
      c += dir;
      while (c >= 0 && c < columns.length && cardsOf(c).length === 0) c += dir;
      if (c < 0 || c >= columns.length) return;
      i = Math.min(index, cardsOf(c).length - 1);
    }
    const target = cardsOf(c)[i];
    if (target) cardElement(rootRef.current, target.id)?.focus();
  };

  const onDrop = (event: DragEvent, to: string | null) => {
    event.preventDefault();
    const id = dragging ?? event.dataTransfer?.getData('text/plain') ?? null;
    setDragging(null);
    setDropTarget(undefined);
    const row = loaded.find((r) => r.id === id);
    if (row) moveTo(row, to, false);
  };

  const total = count.data;
  return (
    <div className={classes.root} ref={rootRef} data-testid="board">
      <Group justify="space-between" px="xs">
        <Text size="xs" c="dimmed" data-testid="board-loaded" aria-live="polite">
          {total
            ? `${formatCount(loaded.length)} of ${total.exact ? '' : 'about '}${formatCount(total.count)} cards loaded`
            : `${formatCount(loaded.length)} cards loaded`}
          {' · Drag a card to another column, or focus it and press M to move it.'}
        </Text>
        {hasNextPage && (
          <Button size="compact-xs" variant="light" onClick={loadMore} loading={isFetchingNextPage} data-testid="board-load-more">
            Load more
          </Button>
        )}
      </Group>
      <div className={classes.columns}>
        {columns.map((column, columnIndex) => {
          const cards = groups.get(column.key) ?? [];
          const id = columnId(column.key);
          return (
            <section
              key={id}
              className={classes.column}
              aria-label={`${column.label}, ${formatCount(cards.length)} loaded`}
              data-testid={`board-column-${id}`}
              data-count={cards.length}
              data-drop={dropTarget === column.key || undefined}
              onDragOver={(event) => {
                if (dragging === null) return;
                event.preventDefault();
                if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
                if (dropTarget !== column.key) setDropTarget(column.key);
              }}
              onDragLeave={(event) => {
                if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropTarget(undefined);
              }}
              onDrop={(event) => onDrop(event, column.key)}
            >
              <div className={classes.header}>
                <span className={classes.swatch} style={column.color ? { backgroundColor: column.color } : undefined} aria-hidden="true" />
                <Text size="sm" fw={600} truncate="end" style={{ flex: '1 1 auto' }}>
                  {column.label}
                </Text>
                <Badge size="sm" variant="light" color="gray" data-testid={`board-column-count-${id}`} title="Cards loaded in this column">
                  {formatCount(cards.length)}
                </Badge>
              </div>
              <div className={classes.list} role="list" aria-label={column.label} onScroll={onScroll}>
                {cards.length === 0 && (
                  <Text size="xs" c="dimmed" ta="center" py="sm">
                    {hasNextPage ? 'None loaded yet' : 'No cards'}
                  </Text>
                )}
                {cards.map((row, index) => (
                  <BoardCard
                    key={row.id}
                    row={row}
                    column={column}
                    columns={columns}
                    fields={fields}
                    groupKey={definition.key}
                    pending={moving.has(row.id)}
                    dragging={dragging === row.id}
                    onDragStart={() => setDragging(row.id)}
                    onDragEnd={() => {
                      setDragging(null);
                      setDropTarget(undefined);
                    }}
                    onMove={(to) => moveTo(row, to, true)}
                    onArrow={(step) => focusNear(columnIndex, index, step)}
                  />
                ))}
              </div>
            </section>
          );
        })}
      </div>
    </div>
  );
}

type CardProps = {
  row: ViewRow;
  column: BoardColumn;
  columns: BoardColumn[];
  fields: PropertyDefinition[];
  groupKey: string;
  pending: boolean;
  dragging: boolean;
  onDragStart: () => void;
  onDragEnd: () => void;
  onMove: (to: string | null) => void;
  onArrow: (step: 'up' | 'down' | 'left' | 'right') => void;
};

const ARROWS: Record<string, 'up' | 'down' | 'left' | 'right'> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };

function BoardCard({ row, column, columns, fields, groupKey, pending, dragging, onDragStart, onDragEnd, onMove, onArrow }: CardProps) {
  const [menuOpen, setMenuOpen] = useState(false);
  const properties = (row.properties ?? {}) as Record<string, Value>;
  const stored = rowGroupValue(row, groupKey);
  // A stored key that is no option any more sits under "No value"; say what it holds.
  const stray = column.key === null && stored !== null ? stored : null;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // Keys typed inside the card's menu are the menu's.
    if (event.target !== event.currentTarget) return;
    if ((event.key === 'm' || event.key === 'M') && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      if (!pending) setMenuOpen(true);
    } else if (ARROWS[event.key]) {
      event.preventDefault();
      onArrow(ARROWS[event.key]);
    }
  };

  return (
    <div
      role="listitem"
      tabIndex={0}
      className={classes.card}
      draggable={!pending}
      aria-label={`${row.name}, ${row.pathLabel}, in ${column.label}`}
      aria-keyshortcuts="M"
      aria-busy={pending || undefined}
      data-testid={`board-card-${row.id}`}
      data-card-id={row.id}
      data-entity-name={row.name}
      data-column={columnId(column.key)}
      data-pending={pending || undefined}
      data-dragging={dragging || undefined}
      onKeyDown={onKeyDown}
      onDragStart={(event) => {
        event.dataTransfer?.setData('text/plain', row.id);
        if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
        onDragStart();
      }}
      onDragEnd={onDragEnd}
    >
      <div className={classes.cardBody}>
        <Text size="sm" fw={500} truncate="end" title={row.name}>
          {row.name}
        </Text>
        <span className={classes.path} title={row.pathLabel}>
          {row.pathLabel}
        </span>
        {fields.map((definition) => {
          const text = cellText(definition, properties[definition.key]);
          return text === '' ? null : (
            <Text key={definition.key} size="xs" truncate="end" data-testid={`board-card-field-${definition.key}`}>
              <Text span c="dimmed" size="xs">
                {definition.name}:
              </Text>{' '}
              {text}
            </Text>
          );
        })}
        {stray !== null && (
          <Text size="xs" c="orange" data-testid="board-card-stray">
            Holds "{stray}", which is not an option
          </Text>
        )}
      </div>
      <Menu opened={menuOpen} onChange={setMenuOpen} position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`Move ${row.name} to…`} disabled={pending} data-testid={`board-card-menu-${row.id}`}>
            <IconDots size={14} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown data-testid="board-move-menu">
          <Menu.Label>Move to…</Menu.Label>
          {columns.map((target) => (
            <Menu.Item
              key={columnId(target.key)}
              disabled={target.key === column.key}
              onClick={() => onMove(target.key)}
              data-testid={`board-move-to-${columnId(target.key)}`}
            >
              {target.label}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
    </div>
  );
}
