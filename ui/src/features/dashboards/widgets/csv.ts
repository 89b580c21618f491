// Widget data as CSV text. Cells with a comma, quote or line break are
// quoted (quotes doubled); text starting with = + - @ (or a tab or carriage
// return) gets a leading single quote so a spreadsheet never runs it as a
// formula. Numbers are written as they are.
import type { Alert, GroupValue, SeriesResult, TreeCount, Value, ViewRow, WidgetData } from '../../../bindings';
import { kpiLabel } from './kpiModel';
import type { ConfigOf } from './types';

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Lines of cells, the header first, each line ended by a line feed. */
export function csvText(header: string[], rows: CsvValue[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

export function kpiCsv(data: Extract<WidgetData, { type: 'kpi' }>, config: ConfigOf<'kpi'>): string {
  return csvText(['label', 'value', 'previous'], [[kpiLabel(config), data.value, data.previous]]);
}

export function groupsCsv(groups: GroupValue[]): string {
  return csvText(
    ['label', 'value'],
    groups.map((g) => [g.label, g.value]),
  );
}

export function seriesCsv(series: SeriesResult): string {
  const rows: CsvValue[][] = [];
  for (const line of series.lines) {
    for (const p of line.points) rows.push([p.t, line.label, p.value, p.min, p.max, p.n]);
  }
  return csvText(['time', 'line', 'value', 'min', 'max', 'n'], rows);
}

const BUILT_IN_HEADERS: Record<string, string> = { name: 'name', pathLabel: 'path', type: 'type', updatedAt: 'updated' };

/** The header of a table column: the built-in's name or the property key. */
export function columnHeader(field: string): string {
  if (field.startsWith('property:')) return field.slice('property:'.length);
  return BUILT_IN_HEADERS[field] ?? field;
}

/** A stored property value of a view row, by property key. */
export function rowProperty(row: ViewRow, key: string): Value | undefined {
  const properties = row.properties;
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) return undefined;
  return (properties as Record<string, Value>)[key];
}

/** A stored value as plain text (lists joined, objects as JSON). */
export function valueText(value: Value | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => valueText(v)).join('; ');
  return JSON.stringify(value);
}

/** The raw cell of `field` for `row` (the type column holds the entity type's id). */
export function rowCell(row: ViewRow, field: string): CsvValue {
  switch (field) {
    case 'name':
      return row.name;
    case 'pathLabel':
      return row.pathLabel;
    case 'type':
      return row.entityTypeId;
    case 'updatedAt':
      return row.updatedAt;
  }
  if (!field.startsWith('property:')) return '';
  const value = rowProperty(row, field.slice('property:'.length));
  return typeof value === 'number' ? value : valueText(value);
}

export function tableCsv(rows: ViewRow[], columns: string[]): string {
  return csvText(
    columns.map(columnHeader),
    rows.map((row) => columns.map((field) => rowCell(row, field))),
  );
}

export function alertsCsv(alerts: Alert[]): string {
  return csvText(
    ['level', 'status', 'entity', 'path', 'message', 'raised'],
    alerts.map((a) => [a.level, a.status, a.entityName, a.entityPathLabel, a.message, a.raisedAt]),
  );
}

export function treemapCsv(tiles: TreeCount[]): string {
  const names = new Map(tiles.map((t) => [t.id, t.name]));
  return csvText(
    ['name', 'parent', 'count'],
    tiles.map((t) => [t.name, t.parentId === null ? '' : (names.get(t.parentId) ?? ''), t.count]),
  );
}
