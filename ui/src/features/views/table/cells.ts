// What a cell of the table shows, as plain data.
import type { EntityType, PropertyDefinition, Value, ViewRow } from '../../../bindings';
import { formatDateTime } from '../../../shared/format';
import { displayValue, MASK } from '../../properties';
import { propertyKeyOf, storedToValue } from './tableModel';

export type CellShown =
  | { kind: 'text'; text: string }
  /** A path label: monospace. */
  | { kind: 'path'; text: string }
  | { kind: 'type'; text: string; icon: string | null }
  | { kind: 'masked' }
  | { kind: 'empty' }
  /** A stored value not of the property's type (written under an earlier one): shown as stored. */
  | { kind: 'invalid'; text: string };

export function rowProperty(row: ViewRow, key: string): Value | undefined {
  const properties = row.properties;
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) return undefined;
  return (properties as Record<string, Value>)[key];
}

/** The cell of `field` in `row`. Sensitive properties never reach a row: their cells are masked. */
export function cellShown(
  field: string,
  row: ViewRow,
  definitions: ReadonlyMap<string, PropertyDefinition>,
  types: ReadonlyMap<string, EntityType>,
): CellShown {
  switch (field) {
    case 'name':
      return { kind: 'text', text: row.name };
    case 'pathLabel':
      return { kind: 'path', text: row.pathLabel };
    case 'updatedAt':
      return { kind: 'text', text: formatDateTime(row.updatedAt) };
    case 'type': {
      const type = types.get(row.entityTypeId);
      return type ? { kind: 'type', text: type.name, icon: type.icon } : { kind: 'empty' };
    }
  }
  const key = propertyKeyOf(field);
  if (key === null) return { kind: 'empty' };
  const definition = definitions.get(key);
  if (definition?.isSensitive) return { kind: 'masked' };
  const stored = rowProperty(row, key);
  if (stored === undefined || stored === null) return { kind: 'empty' };
  if (!definition) return { kind: 'text', text: typeof stored === 'string' ? stored : JSON.stringify(stored) };
  const value = storedToValue(definition.valueType, stored);
  if (value === 'invalid') return { kind: 'invalid', text: JSON.stringify(stored) };
  if (value === null) return { kind: 'empty' };
  return { kind: 'text', text: displayValue(definition.valueType, value, definition.rules) };
}

/** The cell as text (a tooltip, a test): masked values as the mask. */
export function cellText(shown: CellShown): string {
  switch (shown.kind) {
    case 'masked':
      return MASK;
    case 'empty':
      return '';
    default:
      return shown.text;
  }
}
