// The fields a view shows and sorts by: the built-in ones and `property:<key>`,
// with what the compiler refuses of each (a sensitive property is shown
// masked but never sorted or grouped by).
import type { PropertyDefinition } from '../../../bindings';
import { propertyRefusal, type Definitions } from './model';

export const BUILT_IN_COLUMNS: readonly { field: string; label: string }[] = [
  { field: 'name', label: 'Name' },
  { field: 'pathLabel', label: 'Path' },
  { field: 'type', label: 'Type' },
  { field: 'updatedAt', label: 'Updated' },
];

/** The type is not sortable: only the columns offer it. */
export const BUILT_IN_SORT = BUILT_IN_COLUMNS.filter((c) => c.field !== 'type');

const PREFIX = 'property:';

export const propertyField = (key: string) => `${PREFIX}${key}`;
export const keyOfField = (field: string): string | null => (field.startsWith(PREFIX) ? field.slice(PREFIX.length) : null);

/** A field as a person reads it: the built-in's name or the property's label. */
export function fieldLabel(field: string, definitions: Definitions): string {
  const builtIn = BUILT_IN_COLUMNS.find((c) => c.field === field);
  if (builtIn) return builtIn.label;
  const key = keyOfField(field);
  if (key === null) return field;
  return definitions?.get(key)?.name ?? key;
}

/** Why a property cannot be a column (null: it can; a sensitive one is masked). */
export function columnRefusal(definition: PropertyDefinition): string | null {
  if (definition.isSystem) return 'the name: use the Name column';
  if (definition.isSensitive) return null;
  return definition.isSearchable ? null : 'not searchable';
}

/** Why a property cannot be a sort key or group a view (null: it can). */
export const sortRefusal = propertyRefusal;

/** A column shows masked values (a sensitive property). */
export function isMasked(field: string, definitions: Definitions): boolean {
  const key = keyOfField(field);
  return key !== null && definitions?.get(key)?.isSensitive === true;
}

/** What is wrong with a field the document already holds (null: nothing known). */
export function fieldProblem(field: string, definitions: Definitions, use: 'column' | 'sort'): string | null {
  const builtIns = use === 'column' ? BUILT_IN_COLUMNS : BUILT_IN_SORT;
  if (builtIns.some((c) => c.field === field)) return null;
  const key = keyOfField(field);
  if (key === null) return use === 'sort' && field === 'type' ? 'A view cannot be sorted by type' : `“${field}” is not a field`;
  if (!definitions) return null;
  const definition = definitions.get(key);
  if (!definition) return `There is no property “${key}”`;
  const refusal = use === 'column' ? columnRefusal(definition) : sortRefusal(definition);
  return refusal ? `${definition.name} is ${refusal}` : null;
}

/** Single-select properties a view can be grouped by (a board's columns). */
export const groupByCandidates = (definitions: readonly PropertyDefinition[]) =>
  definitions.filter((d) => d.valueType === 'single_select' && sortRefusal(d) === null);

export const MIN_PAGE_SIZE = 1;
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 50;

/** A page size typed as text: the number, or why not. */
export function pageSizeOf(text: string): { value: number } | { problem: string } {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { problem: `A whole number from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}` };
  const value = Number(trimmed);
  if (value < MIN_PAGE_SIZE || value > MAX_PAGE_SIZE) return { problem: `A page holds ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE} rows` };
  return { value };
}

/** Moves item `i` of a list by `delta`; the same list at either end. */
export function moveItem<T>(list: readonly T[], i: number, delta: -1 | 1): T[] {
  const j = i + delta;
  if (i < 0 || i >= list.length || j < 0 || j >= list.length) return [...list];
  const next = [...list];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}
