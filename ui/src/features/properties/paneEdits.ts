// The pane's unsaved edits, as plain data: which fields are changed, whether
// their text is a value, and the one request that saves them.
import type { PaneField, PropertyPane, ValueEdit } from '../../bindings';
import { editors } from './editors/registry';
import { fail, type Parsed } from './editors/types';

/**
 * An edit of one field: the control's text, and the version of the value the
 * person started from (sent back as `expectedUpdatedAt`; null: no value).
 */
export type FieldEdit = { text: string; base: string | null };

/** Edits by property definition id. */
export type Edits = Readonly<Record<string, FieldEdit>>;

export const fieldsOf = (pane: PropertyPane): PaneField[] => pane.sections.flatMap((section) => section.fields);

/** The control's text for the stored value; null when the stored value is not of the property's type (it has no text). */
export function storedText(field: PaneField): string | null {
  if (field.raw !== null) return null;
  return editors[field.definition.valueType].format(field.value, field.definition.rules);
}

/** The text the control shows: the edit's, or the stored value's. */
export function shownText(field: PaneField, edit: FieldEdit | undefined): string {
  return edit?.text ?? storedText(field) ?? '';
}

export function isDirty(field: PaneField, edit: FieldEdit | undefined): boolean {
  return edit !== undefined && edit.text !== storedText(field);
}

/** The edits after the control's text became `text`: typing the stored text back drops the edit. */
export function withText(edits: Edits, field: PaneField, text: string): Edits {
  const id = field.definition.id;
  const previous = edits[id];
  const base = previous?.base ?? field.valueUpdatedAt;
  if (text === storedText(field) && base === field.valueUpdatedAt) return without(edits, [id]);
  return { ...edits, [id]: { text, base } };
}

export function without(edits: Edits, ids: readonly string[]): Edits {
  if (!ids.some((id) => id in edits)) return edits;
  const next = { ...edits };
  for (const id of ids) delete next[id];
  return next;
}

/** The value the text stands for, or why it cannot be saved (a required property cannot be cleared). */
export function checkText(field: PaneField, text: string): Parsed {
  const { definition } = field;
  const parsed = editors[definition.valueType].parse(text, definition.rules);
  if (parsed.ok && parsed.value === null && field.required) return fail(`${definition.name} is required`);
  return parsed;
}

export type SavePlan = {
  /** One edit per changed field, in the pane's order. */
  edits: ValueEdit[];
  /** The text each sent edit had, by definition id. */
  sent: Record<string, string>;
  /** Changed fields whose text is not a value, with why. */
  invalid: { field: PaneField; error: string }[];
};

/** What a save sends: every changed field, against the version its edit started from. */
export function planSave(fields: readonly PaneField[], edits: Edits): SavePlan {
  const plan: SavePlan = { edits: [], sent: {}, invalid: [] };
  for (const field of fields) {
    const edit = edits[field.definition.id];
    if (!isDirty(field, edit) || edit === undefined) continue;
    const parsed = checkText(field, edit.text);
    if (!parsed.ok) {
      plan.invalid.push({ field, error: parsed.error });
      continue;
    }
    plan.edits.push({ definitionId: field.definition.id, expectedUpdatedAt: edit.base, value: parsed.value });
    plan.sent[field.definition.id] = edit.text;
  }
  return plan;
}

/** The edits left after a save succeeded: those changed again while it ran stay, aimed at the new version. */
export function afterSave(edits: Edits, sent: Record<string, string>, pane: PropertyPane): Edits {
  const fields = new Map(fieldsOf(pane).map((field) => [field.definition.id, field]));
  const next: Record<string, FieldEdit> = {};
  for (const [id, edit] of Object.entries(edits)) {
    if (!(id in sent)) {
      next[id] = edit;
      continue;
    }
    if (sent[id] === edit.text) continue;
    next[id] = { text: edit.text, base: fields.get(id)?.valueUpdatedAt ?? null };
  }
  return next;
}
