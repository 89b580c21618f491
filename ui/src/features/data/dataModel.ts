// Pure parts of the Data screen: a pack's state, a column mapping as the
// person chooses it (one choice per column of the file) and back, values of
// a diff as people read them, and what an import would write.
import type { ImportMapping, ImportMode, ImportSource, PackContents, PackInfo, SyncOptions, SyncReport } from '../../bindings';
import { formatCount } from '../../shared/format';

// ---- packs ----

export type PackState = 'notInstalled' | 'installed' | 'updateAvailable';

/** Compares two versions part by part ("1.10.0" after "1.9.2"); numbers as numbers, the rest as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-+]/);
  const pb = b.split(/[.\-+]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx < ny ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Not installed; installed (at the built-in version or one this app does not carry); or installed below the built-in version. */
export function packState(pack: Pick<PackInfo, 'installedVersion' | 'availableVersion'>): PackState {
  if (pack.installedVersion === null) return 'notInstalled';
  if (pack.availableVersion !== null && compareVersions(pack.installedVersion, pack.availableVersion) < 0) return 'updateAvailable';
  return 'installed';
}

/** How many entities an uninstall refusal names ("12 entities are of this pack's types; …"), or null. */
export function inUseCount(message: string): number | null {
  const found = /(\d[\d,]*)\s+entit/i.exec(message);
  return found ? Number(found[1].replace(/,/g, '')) : null;
}

/** The sections of a pack's contents that have something, in reading order. */
export function contentSections(contents: PackContents): { label: string; items: string[] }[] {
  const sections: [string, string[] | undefined][] = [
    ['Types', contents.types],
    ['Property groups', contents.propertyGroups],
    ['Properties', contents.properties],
    ['Tag groups', contents.tagGroups],
    ['Relationship types', contents.relationshipTypes],
    ['Views', contents.views],
    ['Dashboards', contents.dashboards],
    ['Workflows', contents.workflows],
    ['Adopted (existed before, kept)', contents.adopted],
  ];
  return sections.filter(([, items]) => items !== undefined && items.length > 0).map(([label, items]) => ({ label, items: items! }));
}

// ---- the import's source ----

/** The last part of a path ("parts.csv"). */
export function fileNameOf(path: string): string {
  const parts = path.split(/[\\/]/).filter((part) => part !== '');
  return parts[parts.length - 1] ?? path;
}

/** The file's name as people know it. */
export function sourceName(source: ImportSource): string {
  return source.kind === 'path' ? fileNameOf(source.path) : source.name;
}

// ---- the mapping ----

/** What one column of the file holds, as chosen in the mapping step ('' = not chosen yet). */
export type ColumnChoice = '' | 'externalId' | 'name' | 'parentExternalId' | 'parentPathLabel' | 'tags' | 'ignore' | `property:${string}`;

export type Choices = Record<string, ColumnChoice>;

export const FIXED_CHOICES: { value: ColumnChoice; label: string }[] = [
  { value: 'externalId', label: 'External id' },
  { value: 'name', label: 'Name' },
  { value: 'parentExternalId', label: 'Parent (external id)' },
  { value: 'parentPathLabel', label: 'Parent (path label)' },
  { value: 'tags', label: 'Tags' },
  { value: 'ignore', label: 'Ignore' },
];

export const propertyChoice = (key: string): ColumnChoice => `property:${key}`;

/** The choice of each column a mapping (a guess or a preset) makes; columns it does not name stay unchosen. */
export function choicesFromMapping(columns: readonly string[], mapping: ImportMapping | null): Choices {
  const choices: Choices = Object.fromEntries(columns.map((c) => [c, '' as ColumnChoice]));
  if (!mapping) return choices;
  const set = (column: string | null | undefined, choice: ColumnChoice) => {
    if (column && column in choices && choices[column] === '') choices[column] = choice;
  };
  set(mapping.externalId, 'externalId');
  set(mapping.name, 'name');
  if (mapping.parent) set(mapping.parent.column, mapping.parent.by === 'externalId' ? 'parentExternalId' : 'parentPathLabel');
  set(mapping.tags, 'tags');
  for (const p of mapping.properties) set(p.column, propertyChoice(p.property));
  for (const c of mapping.ignored ?? []) set(c, 'ignore');
  return choices;
}

export type MappingResult = { mapping: ImportMapping; errors: [] } | { mapping: null; errors: string[] };

const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');

/**
 * The mapping the choices make, or what is wrong with them: exactly one
 * external id and one name, at most one parent and one tags column, no
 * property twice, and every column chosen (mapped or ignored).
 */
export function buildMapping(columns: readonly string[], choices: Choices): MappingResult {
  const errors: string[] = [];
  const with_ = (pred: (c: ColumnChoice) => boolean) => columns.filter((c) => pred(choices[c] ?? ''));
  const ext = with_((c) => c === 'externalId');
  const name = with_((c) => c === 'name');
  const parents = with_((c) => c === 'parentExternalId' || c === 'parentPathLabel');
  const tags = with_((c) => c === 'tags');
  const unchosen = with_((c) => c === '');

  if (ext.length === 0) errors.push('Choose the column that holds the external id (each row’s id in the source system).');
  if (ext.length > 1) errors.push(`Only one column can be the external id: ${quoted(ext)}.`);
  if (name.length === 0) errors.push('Choose the column that holds the name.');
  if (name.length > 1) errors.push(`Only one column can be the name: ${quoted(name)}.`);
  if (parents.length > 1) errors.push(`Only one column can be the parent: ${quoted(parents)}.`);
  if (tags.length > 1) errors.push(`Only one column can hold the tags: ${quoted(tags)}.`);
  const byProperty = new Map<string, string[]>();
  for (const c of columns) {
    const choice = choices[c] ?? '';
    if (choice.startsWith('property:')) {
      const key = choice.slice('property:'.length);
      byProperty.set(key, [...(byProperty.get(key) ?? []), c]);
    }
  }
  for (const [key, cols] of byProperty) if (cols.length > 1) errors.push(`The property ${key} is chosen for several columns: ${quoted(cols)}.`);
  if (unchosen.length > 0) errors.push(`Choose what ${quoted(unchosen)} ${unchosen.length === 1 ? 'holds' : 'hold'}, or Ignore ${unchosen.length === 1 ? 'it' : 'them'}.`);
  if (errors.length > 0) return { mapping: null, errors };

  const parentColumn = parents[0];
  return {
    mapping: {
      externalId: ext[0],
      name: name[0],
      parent: parentColumn ? { column: parentColumn, by: choices[parentColumn] === 'parentExternalId' ? 'externalId' : 'pathLabel' } : null,
      tags: tags[0] ?? null,
      properties: [...byProperty].map(([property, [column]]) => ({ column, property })),
      ignored: with_((c) => c === 'ignore'),
    },
    errors: [],
  };
}

// ---- the options and the preview ----

export type ImportSettings = {
  typeKey: string;
  /** The system the external ids come from. */
  system: string;
  format: SyncOptions['format'];
  mapping: ImportMapping;
  mode: ImportMode;
  deleteMissing: boolean;
  /** The parent of new rows that name none (null: they become top-level entities). */
  under: string | null;
};

export function syncOptions(settings: ImportSettings): SyncOptions {
  return {
    typeKey: settings.typeKey,
    source: settings.system,
    format: settings.format,
    mapping: settings.mapping,
    mode: settings.mode,
    deleteMissing: settings.deleteMissing,
    under: settings.under,
    fileName: null,
  };
}

/** What a preview was made for: another file, mapping or option needs a new preview before importing. */
export function previewKey(sourceId: string, settings: ImportSettings): string {
  return JSON.stringify([sourceId, settings]);
}

/** How the preview's errors bear on the import: nothing written, rows skipped, or none. */
export type Verdict = { kind: 'clean' } | { kind: 'skipRows'; rows: number } | { kind: 'nothingWritten'; reason: string };

export function importVerdict(report: SyncReport, mode: ImportMode): Verdict {
  const { errorRows, errors } = report.diff;
  if (errors.length === 0 && errorRows === 0) return { kind: 'clean' };
  if (errorRows === 0) {
    return { kind: 'nothingWritten', reason: 'The file as a whole has problems (see Errors): nothing will be written until they are fixed.' };
  }
  const rows = `${formatCount(errorRows)} ${errorRows === 1 ? 'row has' : 'rows have'} errors`;
  if (mode === 'allOrNothing') {
    return { kind: 'nothingWritten', reason: `${rows} and the mode is "All or nothing": nothing will be written. Fix the rows (see Errors), or choose "Row by row" to skip them.` };
  }
  return { kind: 'skipRows', rows: errorRows };
}

/**
 * A stored value as people read it: a JSON string without its quotes, other
 * JSON as written, none as "—".
 */
export function readableValue(stored: string | null): string {
  if (stored === null) return '—';
  try {
    const value: unknown = JSON.parse(stored);
    if (typeof value === 'string') return value;
    if (value === null) return '—';
    return JSON.stringify(value);
  } catch {
    return stored;
  }
}

/** A field of a diff as people read it: `name`, `parent`, `tags`, or a property's name (its key when unknown). */
export function fieldLabel(field: string, propertyNames: ReadonlyMap<string, string>): string {
  switch (field) {
    case 'name':
      return 'Name';
    case 'parent':
      return 'Parent';
    case 'tags':
      return 'Tags';
    default:
      return propertyNames.get(field) ?? field;
  }
}

/** How a run's mode and status read. */
export function modeLabel(mode: string): string {
  if (mode === 'all_or_nothing' || mode === 'allOrNothing') return 'All or nothing';
  if (mode === 'row_by_row' || mode === 'rowByRow') return 'Row by row';
  return mode;
}

export function statusColor(status: string): string {
  switch (status) {
    case 'completed':
      return 'teal';
    case 'failed':
      return 'red';
    case 'processing':
    case 'pending':
      return 'blue';
    default:
      return 'gray';
  }
}
