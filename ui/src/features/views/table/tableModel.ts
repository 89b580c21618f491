// The table of a view as plain data: its columns (labels, widths, order,
// sort) as edits of the document, and a row's stored property values read as
// typed values, so a cell shows them and an inline edit can tell whether the
// value changed since the row was read.
import type { PaneField, PropertyDefinition, PropertyPane, PropertyValue, Value, ValueType, ViewDocument } from '../../../bindings';

/** The widths the core accepts for a column. */
export const MIN_WIDTH = 40;
export const MAX_WIDTH = 2000;

const DEFAULT_WIDTHS: Record<string, number> = { name: 240, pathLabel: 280, type: 160, updatedAt: 180 };
const DEFAULT_PROPERTY_WIDTH = 180;

const BUILT_IN_LABELS: Record<string, string> = { name: 'Name', pathLabel: 'Path', type: 'Type', updatedAt: 'Updated' };

/** The property key of a `property:<key>` field, else null. */
export function propertyKeyOf(field: string): string | null {
  return field.startsWith('property:') ? field.slice('property:'.length) : null;
}

export function clampWidth(width: number): number {
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.round(width)));
}

export function columnWidth(column: { field: string; width?: number | null }): number {
  if (column.width != null) return clampWidth(column.width);
  return DEFAULT_WIDTHS[column.field] ?? DEFAULT_PROPERTY_WIDTH;
}

/** The header of a field: a built-in name, a property's name, or the key of a property not (or no longer) known. */
export function columnLabel(field: string, definitions: ReadonlyMap<string, PropertyDefinition>): string {
  const key = propertyKeyOf(field);
  if (key === null) return BUILT_IN_LABELS[field] ?? field;
  return definitions.get(key)?.name ?? key;
}

/** The core sorts by every field but the type. */
export function isSortable(field: string): boolean {
  return field !== 'type';
}

/** Where the field is among the sort keys, and which way; null when it is not one. */
export function sortOf(document: ViewDocument, field: string): { position: number; descending: boolean } | null {
  const keys = document.sort ?? [];
  const position = keys.findIndex((key) => key.field === field);
  return position < 0 ? null : { position, descending: keys[position].descending ?? false };
}

/**
 * A header click: sort by this field alone, ascending, or the other way when
 * it is the only key already. With `add` (Shift+click) it becomes, or turns
 * round as, a further key after the others.
 */
export function toggleSort(document: ViewDocument, field: string, add: boolean): ViewDocument {
  const keys = document.sort ?? [];
  const current = sortOf(document, field);
  if (add) {
    if (current === null) return { ...document, sort: [...keys, { field, descending: false }] };
    return { ...document, sort: keys.map((key, i) => (i === current.position ? { field, descending: !current.descending } : key)) };
  }
  const descending = current !== null && keys.length === 1 ? !current.descending : false;
  return { ...document, sort: [{ field, descending }] };
}

/** Sort by this field alone, this way. */
export function sortBy(document: ViewDocument, field: string, descending: boolean): ViewDocument {
  return { ...document, sort: [{ field, descending }] };
}

export function resizeColumn(document: ViewDocument, index: number, width: number): ViewDocument {
  const columns = (document.columns ?? []).map((column, i) => (i === index ? { ...column, width: clampWidth(width) } : column));
  return { ...document, columns };
}

/** The column at `from` moved to `to` (an index of the columns as they are now). */
export function moveColumn(document: ViewDocument, from: number, to: number): ViewDocument {
  const columns = [...(document.columns ?? [])];
  if (from < 0 || from >= columns.length || to < 0 || to >= columns.length || from === to) return document;
  const [moved] = columns.splice(from, 1);
  columns.splice(to, 0, moved);
  return { ...document, columns };
}

/** Removes the column, and any sort by its field (what is not shown is not sorted by). */
export function removeColumn(document: ViewDocument, index: number): ViewDocument {
  const columns = document.columns ?? [];
  const field = columns[index]?.field;
  if (field === undefined) return document;
  return {
    ...document,
    columns: columns.filter((_, i) => i !== index),
    sort: (document.sort ?? []).filter((key) => key.field !== field),
  };
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A value of the row's `properties` (JSON as stored) as a value of `type`:
 * null for none, 'invalid' when it is not of that type (written under an
 * earlier one).
 */
export function storedToValue(type: ValueType, stored: Value | undefined): PropertyValue | null | 'invalid' {
  if (stored === undefined || stored === null) return null;
  switch (type) {
    case 'json':
      return { type, value: JSON.stringify(stored) };
    case 'number': {
      const text = typeof stored === 'number' ? String(stored) : typeof stored === 'string' ? stored.trim() : '';
      return DECIMAL.test(text) ? { type, value: text } : 'invalid';
    }
    case 'boolean':
      return typeof stored === 'boolean' ? { type, value: stored } : 'invalid';
    case 'multi_select':
      return Array.isArray(stored) && stored.every((key) => typeof key === 'string') ? { type, value: stored as string[] } : 'invalid';
    case 'text':
    case 'date':
    case 'ip_address':
    case 'url':
    case 'secret_reference':
    case 'single_select':
      return typeof stored === 'string' ? { type, value: stored } : 'invalid';
  }
}

/** A value as a row stores it. */
export function valueToStored(value: PropertyValue): Value {
  switch (value.type) {
    case 'number':
      return Number(value.value);
    case 'json':
      try {
        return JSON.parse(value.value) as Value;
      } catch {
        return value.value;
      }
    default:
      return value.value;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The same value, as the person would read it: numbers by amount (12.50 is
 * 12.5), JSON by content (key order and spacing aside).
 */
export function sameValue(a: PropertyValue | null, b: PropertyValue | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.type !== b.type) return false;
  if (a.type === 'number' && b.type === 'number') return Number(a.value) === Number(b.value);
  if (a.type === 'json' && b.type === 'json') return sameJson(parsedJson(a.value), parsedJson(b.value));
  if (a.type === 'multi_select' && b.type === 'multi_select') return sameJson(a.value, b.value);
  return a.value === b.value;
}

export function paneFieldOf(pane: PropertyPane, definitionId: string): PaneField | undefined {
  for (const section of pane.sections) {
    const field = section.fields.find((f) => f.definition.id === definitionId);
    if (field) return field;
  }
  return undefined;
}

/** On refusal: the value held now, or (`raw`) the stored JSON of a value not of the property's type. */
export type CellCheck = { ok: true; expectedUpdatedAt: string | null } | { ok: false; current: PropertyValue | null; raw: string | null };

/**
 * Whether an inline edit may go ahead: the value the entity holds now (its
 * pane) must be the one the row showed when the edit began. Then the edit
 * is sent against that value's version.
 */
export function checkCellEdit(shown: PropertyValue | null, field: PaneField | undefined): CellCheck {
  const current = field?.value ?? null;
  // A value not of the property's type (the pane has it as raw JSON) is never what the row showed.
  if (field?.raw != null && current === null) return { ok: false, current: null, raw: field.raw };
  if (!sameValue(current, shown)) return { ok: false, current, raw: null };
  return { ok: true, expectedUpdatedAt: field?.valueUpdatedAt ?? null };
}

/** Inline editing takes a known, non-sensitive, non-system property. */
export function isEditable(definition: PropertyDefinition | undefined): definition is PropertyDefinition {
  return definition !== undefined && !definition.isSensitive && !definition.isSystem && definition.deletedAt === null;
}
