// The words and numbers of the offline feature, and the edits a person makes
// to a conflicting change before sending it again: pure functions, tested
// beside this file.
import type { Mutation, OfflineOverview, OfflineScope, OutboxEntry, OutboxStatus, PropertyValue, ReplayReport, ValueEdit } from '../../bindings';
import { entitiesLabel, formatCount } from '../../shared/format';

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const dayTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "14:02" on the same day as `now`, else the date with the time; the text itself when unparsable. */
export function formatSince(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toDateString() === now.toDateString() ? timeFormat.format(date) : dayTimeFormat.format(date);
}

/** Bytes as megabytes, one decimal: "12.3 MB"; "less than 0.1 MB" for a little. */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / 1_000_000;
  if (bytes > 0 && mb < 0.1) return 'less than 0.1 MB';
  return `${mb.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MB`;
}

/** "1 edit", "3 edits". */
export function editsLabel(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'edit' : 'edits'}`;
}

/** The kept subtrees whose data is on this computer (revoked ones hold none). */
export function readyScopes(scopes: readonly OfflineScope[]): OfflineScope[] {
  return scopes.filter((scope) => scope.state === 'ready');
}

/** What the banner says while the server cannot be reached. */
export function offlineSentence(overview: OfflineOverview, now: Date = new Date()): string {
  const { connection, status } = overview;
  const since = connection.since ? `Offline since ${formatSince(connection.since, now)}` : 'Offline';
  const kept = readyScopes(status.scopes);
  const entities = kept.reduce((sum, scope) => sum + scope.entities, 0);
  let shown: string;
  if (kept.length === 0) shown = 'nothing is kept on this computer, so only what needs no server can be shown.';
  else if (kept.length === 1) shown = `showing “${kept[0].name}” kept on this computer (${entitiesLabel(entities)}).`;
  else shown = `showing ${formatCount(kept.length)} subtrees kept on this computer (${entitiesLabel(entities)}).`;
  const waiting = status.pending > 0 ? ` (${formatCount(status.pending)} waiting)` : '';
  return `${since} — ${shown} Your edits are kept and sent when the server is back${waiting}.`;
}

/** "2 edits need your decision", "1 edit needs your decision". */
export function conflictsSentence(conflicts: number): string {
  return `${editsLabel(conflicts)} ${conflicts === 1 ? 'needs' : 'need'} your decision`;
}

/** What a replay round did, in a sentence ("3 edits sent to the server."). */
export function replaySentence(report: ReplayReport): string {
  const parts = [`${editsLabel(report.applied)} sent to the server`];
  if (report.alreadyApplied > 0) parts.push(`${formatCount(report.alreadyApplied)} had arrived already`);
  if (report.refused > 0) parts.push(`${formatCount(report.refused)} refused`);
  if (report.conflicts > 0) parts.push(`${formatCount(report.conflicts)} in conflict`);
  if (report.remaining > 0) parts.push(`${formatCount(report.remaining)} still waiting`);
  return `${parts.join(', ')}.`;
}

const KIND_LABELS: Record<Mutation['kind'], string> = {
  setValues: 'Property values',
  rename: 'Rename',
  create: 'New entity',
  move: 'Move',
  delete: 'Delete',
  editTags: 'Tags',
};

/** The kind of a queued edit, as a person reads it. */
export function kindLabel(kind: string): string {
  return kind in KIND_LABELS ? KIND_LABELS[kind as Mutation['kind']] : kind;
}

export const STATUS_LABELS: Record<OutboxStatus, string> = {
  pending: 'Waiting',
  conflict: 'Conflict',
  refused: 'Refused',
  applied: 'Sent',
  discarded: 'Discarded',
};

export const STATUS_COLORS: Record<OutboxStatus, string> = {
  pending: 'blue',
  conflict: 'orange',
  refused: 'red',
  applied: 'teal',
  discarded: 'gray',
};

/** The entity an entry is about, by name (its id when the cache no longer has it). */
export function entryEntityName(entry: OutboxEntry): string {
  return entry.entityName ?? entry.entityId;
}

// ---- editing a conflicting edit ----

/** An edited value: the text typed (or "true"/"false" for a yes/no), checked against the value's type. */
export type ValueDraft = { edit: ValueEdit; label: string; text: string };

/** The text an input shows for a value (a list joined by ", "); empty for no value. */
export function valueText(value: PropertyValue | null): string {
  if (value === null) return '';
  switch (value.type) {
    case 'boolean':
      return value.value ? 'true' : 'false';
    case 'multi_select':
      return value.value.join(', ');
    default:
      return value.value;
  }
}

const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

export type Parsed = { ok: true; value: PropertyValue | null } | { ok: false; error: string };

/**
 * Reads `text` as a value of the same type as `shape` (what the person had
 * sent). Empty text clears the value, except for a yes/no.
 */
export function parseValueText(shape: PropertyValue, text: string): Parsed {
  const trimmed = text.trim();
  if (shape.type === 'boolean') {
    if (trimmed === 'true' || trimmed === 'false') return { ok: true, value: { type: 'boolean', value: trimmed === 'true' } };
    return { ok: false, error: 'Choose yes or no' };
  }
  if (trimmed === '') return { ok: true, value: null };
  switch (shape.type) {
    case 'number': {
      if (!DECIMAL.test(trimmed)) return { ok: false, error: 'Type a number, like 12 or -0.5' };
      return { ok: true, value: { type: 'number', value: trimmed.replace(/^\+/, '') } };
    }
    case 'date':
      if (!DATE.test(trimmed)) return { ok: false, error: 'Type a date as YYYY-MM-DD' };
      return { ok: true, value: { type: 'date', value: trimmed } };
    case 'json':
      try {
        JSON.parse(trimmed);
      } catch {
        return { ok: false, error: 'Type valid JSON' };
      }
      return { ok: true, value: { type: 'json', value: trimmed } };
    case 'multi_select': {
      const values = trimmed
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      return { ok: true, value: { type: 'multi_select', value: values } };
    }
    case 'text':
      // Text keeps its spaces as typed.
      return { ok: true, value: { type: 'text', value: text } };
    default:
      return { ok: true, value: { type: shape.type, value: trimmed } };
  }
}

/** Whether a conflicting edit can be edited here (values that hold something, or a name). */
export function isEditable(mutation: Mutation): boolean {
  if (mutation.kind === 'rename') return true;
  if (mutation.kind === 'setValues') return mutation.input.edits.some((edit) => edit.value !== null);
  return false;
}

/** The drafts of a setValues edit: one per value it sets (a cleared value stays cleared). */
export function valueDrafts(entry: OutboxEntry): ValueDraft[] {
  if (entry.mutation.kind !== 'setValues') return [];
  const labels = new Map(entry.fields.map((field) => [field.key, field.label]));
  return entry.mutation.input.edits
    .filter((edit) => edit.value !== null)
    .map((edit) => ({ edit, label: labels.get(edit.definitionId) ?? edit.definitionId, text: valueText(edit.value) }));
}

export type Rebuilt = { ok: true; mutation: Mutation } | { ok: false; errors: Record<string, string> };

/**
 * The edit with the person's new values (by definition id), each read by
 * its type; the errors by definition id when some do not read.
 */
export function withEditedValues(mutation: Mutation, texts: Readonly<Record<string, string>>): Rebuilt {
  if (mutation.kind !== 'setValues') return { ok: true, mutation };
  const errors: Record<string, string> = {};
  const edits = mutation.input.edits.map((edit): ValueEdit => {
    const text = texts[edit.definitionId];
    if (edit.value === null || text === undefined) return edit;
    const parsed = parseValueText(edit.value, text);
    if (!parsed.ok) {
      errors[edit.definitionId] = parsed.error;
      return edit;
    }
    return { ...edit, value: parsed.value };
  });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, mutation: { kind: 'setValues', input: { ...mutation.input, edits } } };
}

/** The rename with the person's new name; refused when empty. */
export function withEditedName(mutation: Mutation, name: string): Rebuilt {
  if (mutation.kind !== 'rename') return { ok: true, mutation };
  const trimmed = name.trim();
  if (trimmed === '') return { ok: false, errors: { name: 'Type a name' } };
  return { ok: true, mutation: { kind: 'rename', input: { ...mutation.input, name: trimmed } } };
}
