// What a board shows, worked out from plain data: its columns (the options of
// the grouping property, then "No value"), which column a row sits in, the
// text of a card's fields, and whether a move may go ahead given the value
// the entity holds now.
import type { PaneField, PropertyDefinition, PropertyPane, PropertyValue, SelectOption, Value, ViewDocument, ViewRow } from '../../../bindings';
import { displayValue, MASK } from '../../properties';

/** How many of the document's property columns a card shows. */
export const CARD_FIELDS = 3;

/** The "No value" column's key. */
export const NO_VALUE = null;

export type BoardColumn = { key: string | null; label: string; color: string | null };

/** Why a document cannot be shown as a board, or null when it can. */
export function boardProblem(document: ViewDocument, definition: PropertyDefinition | undefined): string | null {
  if (!document.groupBy) return 'This view is not grouped. Choose "Group by" in the builder (a single-select property) to see it as a board.';
  if (!definition) return `There is no property "${document.groupBy}" any more. Choose "Group by" in the builder to see this view as a board.`;
  if (definition.valueType !== 'single_select' || definition.isSensitive) {
    return `"${definition.name}" is not a single-select property. Choose "Group by" in the builder (a single-select property) to see this view as a board.`;
  }
  return null;
}

/** The option columns in the property's order, then "No value". */
export function boardColumns(definition: PropertyDefinition): BoardColumn[] {
  const options: SelectOption[] = definition.rules.options ?? [];
  return [...options.map((o) => ({ key: o.key, label: o.label, color: o.color })), { key: NO_VALUE, label: 'No value', color: null }];
}

/**
 * A stored value as comparable text: an option key as it is, anything else
 * as its JSON (null when there is none). The pane's `raw` is JSON already.
 */
export function storedText(stored: Value | undefined): string | null {
  if (stored === undefined || stored === null) return null;
  return typeof stored === 'string' ? stored : JSON.stringify(stored);
}

/** The grouping value a row holds, as the card shows it. */
export function rowGroupValue(row: ViewRow, key: string): string | null {
  const properties = row.properties;
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) return null;
  return storedText(properties[key]);
}

/** The column for a stored value: its option, or "No value" for none or a key that is no option. */
export function columnKeyOf(value: string | null, columns: readonly BoardColumn[]): string | null {
  return value !== null && columns.some((c) => c.key === value) ? value : NO_VALUE;
}

/**
 * Rows by column key (null: "No value"), in the rows' order; `moved` holds
 * the cards being moved, shown in their new column until the write settles.
 */
export function groupRows(rows: readonly ViewRow[], key: string, columns: readonly BoardColumn[], moved: ReadonlyMap<string, string | null>): Map<string | null, ViewRow[]> {
  const groups = new Map<string | null, ViewRow[]>(columns.map((c) => [c.key, []]));
  for (const row of rows) {
    const column = moved.has(row.id) ? (moved.get(row.id) ?? NO_VALUE) : columnKeyOf(rowGroupValue(row, key), columns);
    groups.get(column)?.push(row);
  }
  return groups;
}

/** The property definitions a card shows: the document's first property columns, never sensitive ones nor the grouping one. */
export function cardDefinitions(document: ViewDocument, definitions: readonly PropertyDefinition[], limit = CARD_FIELDS): PropertyDefinition[] {
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const shown: PropertyDefinition[] = [];
  for (const column of document.columns ?? []) {
    if (shown.length >= limit) break;
    if (!column.field.startsWith('property:')) continue;
    const definition = byKey.get(column.field.slice('property:'.length));
    if (!definition || definition.isSensitive || definition.key === document.groupBy || shown.includes(definition)) continue;
    shown.push(definition);
  }
  return shown;
}

/** A stored JSON value as a value of the definition's type; null when it is not one. */
function asValue(definition: PropertyDefinition, stored: Value): PropertyValue | null {
  const type = definition.valueType;
  switch (type) {
    case 'number':
      return typeof stored === 'number' || typeof stored === 'string' ? { type, value: String(stored) } : null;
    case 'boolean':
      return typeof stored === 'boolean' ? { type, value: stored } : null;
    case 'json':
      return { type, value: JSON.stringify(stored) };
    case 'multi_select':
      return Array.isArray(stored) && stored.every((k) => typeof k === 'string') ? { type, value: stored as string[] } : null;
    case 'text':
    case 'date':
    case 'ip_address':
    case 'url':
    case 'secret_reference':
    case 'single_select':
      return typeof stored === 'string' ? { type, value: stored } : null;
  }
}

/** A card field's text: option labels, Yes/No, secrets masked; '' for no value. */
export function cellText(definition: PropertyDefinition, stored: Value | undefined): string {
  if (stored === undefined || stored === null) return '';
  if (definition.isSensitive || definition.valueType === 'secret_reference') return MASK;
  const value = asValue(definition, stored);
  return value === null ? (storedText(stored) ?? '') : displayValue(definition.valueType, value, definition.rules);
}

/** The pane's field for a property key (absent: the entity holds no value and its type does not list it). */
export function paneField(pane: PropertyPane, key: string): PaneField | undefined {
  for (const section of pane.sections) {
    const field = section.fields.find((f) => f.definition.key === key);
    if (field) return field;
  }
  return undefined;
}

/** What a pane field stores, as comparable text. */
export function fieldStoredText(field: PaneField | undefined): string | null {
  if (!field) return null;
  if (field.value !== null) return field.value.type === 'single_select' ? field.value.value : JSON.stringify(field.value.value);
  return field.raw;
}

export type MoveCheck =
  /** The entity holds what the card showed: write against this version of the value. */
  | { ok: true; expectedUpdatedAt: string | null }
  /** Someone changed it since the board was read: `current` is what it holds now. */
  | { ok: false; current: string | null };

/** Whether a card showing `shown` may be moved, given the entity's fresh pane. */
export function checkMove(shown: string | null, pane: PropertyPane, key: string): MoveCheck {
  const field = paneField(pane, key);
  const current = fieldStoredText(field);
  if (current !== shown) return { ok: false, current };
  return { ok: true, expectedUpdatedAt: field?.valueUpdatedAt ?? null };
}

/** A stored grouping value in words: its option's label, "no value", or the stored text. */
export function groupValueLabel(value: string | null, columns: readonly BoardColumn[]): string {
  if (value === null) return 'no value';
  return columns.find((c) => c.key === value)?.label ?? value;
}
