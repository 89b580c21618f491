// Inline editing of one property cell: open it on the value the row shows,
// and save only if the entity still holds that value (read from its pane
// just before saving), against that value's version.
import { useCallback, useRef, useState } from 'react';
import type { PropertyDefinition, PropertyValue, ViewDocument, ViewRow } from '../../../bindings';
import { appErrorOf, describeError } from '../../../ipc/errors';
import { displayValue, editors } from '../../properties';
import { useSetPropertyValues } from '../../properties/api';
import { useFreshPane, useViewRowsCache } from '../api';
import { rowProperty } from './cells';
import { checkCellEdit, isEditable, paneFieldOf, sameValue, storedToValue, valueToStored } from './tableModel';

export type CellEdit = {
  rowId: string;
  column: number;
  definition: PropertyDefinition;
  /** The value the save checks against: the row's when the edit began, or theirs after a conflict. */
  base: PropertyValue | null;
  text: string;
  error: string | null;
  conflict: string | null;
  saving: boolean;
};

/** The words for someone else's value. */
function theirValue(definition: PropertyDefinition, value: PropertyValue | null, raw: string | null): string {
  if (raw !== null) return `a value of another type (${raw})`;
  return value === null ? 'no value' : displayValue(definition.valueType, value, definition.rules);
}

export function conflictMessage(definition: PropertyDefinition, value: PropertyValue | null, raw: string | null): string {
  return `${definition.name} was changed by someone else to ${theirValue(definition, value, raw)}. The rows have been read again.`;
}

/**
 * The cell being edited, and how to start, change, save and cancel it.
 * `results` is the document the rows were read with (the cache to update).
 */
export function useCellEdit(results: ViewDocument, onDone: () => void) {
  const [edit, setEditState] = useState<CellEdit | null>(null);
  // The latest edit, for saves fired by events of an editor about to go away.
  const current = useRef<CellEdit | null>(null);
  const setValues = useSetPropertyValues();
  const freshPane = useFreshPane();
  const rowsCache = useViewRowsCache();

  const set = useCallback((next: CellEdit | null) => {
    current.current = next;
    setEditState(next);
  }, []);
  /** Changes the edit of this cell, unless another cell's edit has begun since. */
  const patch = useCallback(
    (cell: Pick<CellEdit, 'rowId' | 'column'>, fields: Partial<CellEdit>) => {
      const now = current.current;
      if (now && now.rowId === cell.rowId && now.column === cell.column) set({ ...now, ...fields });
    },
    [set],
  );

  /** Starts editing when the cell is a property that can be edited here; false when it cannot. */
  const start = useCallback(
    (row: ViewRow, column: number, definition: PropertyDefinition | undefined): boolean => {
      if (!isEditable(definition)) return false;
      const value = storedToValue(definition.valueType, rowProperty(row, definition.key));
      if (value === 'invalid') return false;
      set({ rowId: row.id, column, definition, base: value, text: editors[definition.valueType].format(value, definition.rules), error: null, conflict: null, saving: false });
      return true;
    },
    [set],
  );

  const cancel = useCallback(() => {
    if (!current.current) return;
    set(null);
    onDone();
  }, [set, onDone]);

  const save = useCallback(async () => {
    const editing = current.current;
    if (!editing || editing.saving) return;
    const { definition, rowId } = editing;
    const parsed = editors[definition.valueType].parse(editing.text, definition.rules);
    if (!parsed.ok) {
      patch(editing, { error: parsed.error });
      return;
    }
    // Nothing to change: what it holds already (theirs, after a conflict).
    if (sameValue(parsed.value, editing.base)) {
      cancel();
      return;
    }
    patch(editing, { saving: true, error: null });
    const refuse = (value: PropertyValue | null, raw: string | null) => {
      patch(editing, { saving: false, base: raw === null ? value : editing.base, conflict: conflictMessage(definition, value, raw) });
      void rowsCache.reload(results);
    };
    try {
      const pane = await freshPane(rowId);
      const check = checkCellEdit(editing.base, paneFieldOf(pane, definition.id));
      if (!check.ok) {
        refuse(check.current, check.raw);
        return;
      }
      const updated = await setValues({ entityId: rowId, edits: [{ definitionId: definition.id, expectedUpdatedAt: check.expectedUpdatedAt, value: parsed.value }] });
      rowsCache.patchRow(results, rowId, definition.key, parsed.value === null ? null : valueToStored(parsed.value), updated.updatedAt);
      if (current.current?.rowId === rowId && current.current.column === editing.column) {
        set(null);
        onDone();
      }
    } catch (error) {
      const appError = appErrorOf(error);
      if (appError?.type === 'Conflict' && appError.data.current.kind === 'propertyValue') {
        refuse(appError.data.current.row.value, null);
        return;
      }
      const message = appError?.type === 'Validation' ? appError.data.message : describeError(error).message;
      patch(editing, { saving: false, error: message });
    }
  }, [patch, cancel, set, onDone, freshPane, setValues, rowsCache, results]);

  const setText = useCallback((text: string) => current.current && patch(current.current, { text, error: null }), [patch]);

  return { edit, start, save, cancel, setText };
}
