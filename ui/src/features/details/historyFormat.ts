// Pure presentation of audit rows: the action in words and what changed.
import type { Value } from '../../bindings';

const ACTIONS: Record<string, string> = {
  create: 'Created',
  rename: 'Renamed',
  move: 'Moved',
  delete: 'Deleted',
  restore: 'Restored',
  purge: 'Purged',
  update: 'Updated',
};

/** "entity.rename" -> "Renamed"; unknown actions are made readable ("entity.set_icon" -> "Set icon"). */
export function actionInWords(action: string): string {
  const verb = action.includes('.') ? action.slice(action.lastIndexOf('.') + 1) : action;
  const known = ACTIONS[verb.toLowerCase()];
  if (known) return known;
  const words = verb.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : action;
}

export type FieldChange = { field: string; label: string; before: string | null; after: string | null };

/** The fields a history row shows, with the spellings the audit JSON may use. */
const FIELDS: { field: string; label: string; keys: string[] }[] = [
  { field: 'name', label: 'Name', keys: ['name'] },
  { field: 'pathLabel', label: 'Path', keys: ['pathLabel', 'path_label', 'path'] },
  { field: 'parentId', label: 'Parent', keys: ['parentId', 'parent_id'] },
];

function fieldOf(value: Value | null, keys: string[]): string | null | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  for (const key of keys) {
    if (Object.prototype.hasOwnProperty.call(value, key)) {
      const v = value[key];
      if (v === null) return null;
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
  }
  return undefined;
}

/**
 * Name, path label and parent before and after, for the fields that changed
 * (or, for a create/delete with only one side, the fields present).
 */
export function historyChanges(before: Value | null, after: Value | null): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const { field, label, keys } of FIELDS) {
    const b = fieldOf(before, keys);
    const a = fieldOf(after, keys);
    if (b === undefined && a === undefined) continue;
    if (b !== undefined && a !== undefined && b === a) continue;
    changes.push({ field, label, before: b ?? null, after: a ?? null });
  }
  return changes;
}

/** One property of an `entity.properties` row: its key and its values (null: no value). */
export type PropertyChange = { key: string; before: string | null; after: string | null };

/** A value of the audit JSON in words: text as it is, anything else as JSON. */
function valueInWords(value: Value | undefined): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const asObject = (value: Value | null): { [key: string]: Value } | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;

/**
 * The properties a property change row changed, in the row's order, with the
 * value before and after. Sensitive values arrive as "<redacted>".
 */
export function propertyChanges(before: Value | null, after: Value | null): PropertyChange[] {
  const b = asObject(before) ?? {};
  const a = asObject(after) ?? {};
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.map((key) => ({ key, before: valueInWords(b[key]), after: valueInWords(a[key]) }));
}
