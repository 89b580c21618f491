// Moving a card to another column: the card moves at once, then the value
// the entity holds now is read fresh. When it is no longer what the card
// showed, the move is refused (someone else changed it) and the board is
// read again; else the value is written against the version just read.
// A refusal or a failure puts the card back.
import { notifications } from '@mantine/notifications';
import { useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import type { PropertyDefinition, Value, ViewDocument, ViewPage, ViewRow } from '../../../bindings';
import { describeError, isConflict } from '../../../ipc/errors';
import { propertyPaneQuery, useSetPropertyValues } from '../../properties/api';
import { viewRowsQuery } from '../api';
import { checkMove, columnKeyOf, groupValueLabel, rowGroupValue, type BoardColumn } from './boardModel';

/** The loaded row with its new value and version, so the card stays where it went. */
function patchRow(client: QueryClient, document: ViewDocument, id: string, key: string, value: string | null, updatedAt: string) {
  client.setQueryData<InfiniteData<ViewPage>>(viewRowsQuery(document).queryKey, (data) => {
    if (!data) return data;
    const patch = (row: ViewRow): ViewRow => {
      const properties: Record<string, Value> = { ...(row.properties as Record<string, Value>) };
      if (value === null) delete properties[key];
      else properties[key] = value;
      return { ...row, properties, updatedAt };
    };
    return { ...data, pages: data.pages.map((page) => ({ ...page, rows: page.rows.map((row) => (row.id === id ? patch(row) : row)) })) };
  });
}

export function useBoardMove(document: ViewDocument, definition: PropertyDefinition, columns: readonly BoardColumn[]) {
  const client = useQueryClient();
  const setValues = useSetPropertyValues();
  /** Cards on their way to another column: entity id → the column's key. */
  const [moving, setMoving] = useState<ReadonlyMap<string, string | null>>(() => new Map());
  // A card is moved once at a time; the state above may lag a render behind.
  const inFlight = useRef(new Set<string>());

  const settle = useCallback((id: string) => {
    inFlight.current.delete(id);
    setMoving((current) => {
      const next = new Map(current);
      next.delete(id);
      return next;
    });
  }, []);

  const move = useCallback(
    async (row: ViewRow, to: string | null): Promise<void> => {
      const shown = rowGroupValue(row, definition.key);
      if (inFlight.current.has(row.id) || columnKeyOf(shown, columns) === to) return;
      inFlight.current.add(row.id);
      setMoving((current) => new Map(current).set(row.id, to));
      const refresh = () => void client.invalidateQueries({ queryKey: viewRowsQuery(document).queryKey });
      try {
        const pane = await client.fetchQuery({ ...propertyPaneQuery(row.id), staleTime: 0 });
        const check = checkMove(shown, pane, definition.key);
        if (!check.ok) {
          notifications.show({
            color: 'orange',
            title: 'Not moved',
            message: `${row.name} was changed by someone else to ${groupValueLabel(check.current, columns)}; the board has been refreshed`,
            'data-testid': 'board-move-refused',
          });
          refresh();
          return;
        }
        const written = await setValues({
          entityId: row.id,
          edits: [{ definitionId: definition.id, expectedUpdatedAt: check.expectedUpdatedAt, value: to === null ? null : { type: 'single_select', value: to } }],
        });
        patchRow(client, document, row.id, definition.key, to, written.updatedAt);
      } catch (error) {
        const { title, message } = describeError(error);
        notifications.show({ color: 'red', title: `${row.name} was not moved: ${title}`, message, 'data-testid': 'board-move-error' });
        if (isConflict(error)) refresh();
      } finally {
        settle(row.id);
      }
    },
    [client, columns, definition, document, setValues, settle],
  );

  return { moving, move };
}
