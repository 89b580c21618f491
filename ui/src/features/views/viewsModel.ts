// The Views screen as plain data: the saved views list (personal and shared,
// searched), comparing documents (the draft is "unsaved" when it differs from
// the saved one), the row count in words, and what a bulk edit is called.
import type { SavedView, ViewCount, ViewDocument, ViewType } from '../../bindings';
import { formatCount } from '../../shared/format';

export const VIEW_TYPES: readonly ViewType[] = ['table', 'board', 'tree'];

/** A saved view's kind (an unknown one is shown as a table). */
export function viewTypeOf(view: Pick<SavedView, 'viewType'>): ViewType {
  return (VIEW_TYPES as readonly string[]).includes(view.viewType) ? (view.viewType as ViewType) : 'table';
}

export type ViewSections = { personal: SavedView[]; shared: SavedView[] };

/** The views whose name, key or description holds `search` (any case), by name; a view without an owner is shared. */
export function viewSections(views: readonly SavedView[], search: string): ViewSections {
  const needle = search.trim().toLocaleLowerCase();
  const matches = (view: SavedView) =>
    needle === '' || [view.name, view.key ?? '', view.description ?? ''].some((text) => text.toLocaleLowerCase().includes(needle));
  const found = views.filter((view) => view.deletedAt === null && matches(view)).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return { personal: found.filter((view) => view.ownerUserId !== null), shared: found.filter((view) => view.ownerUserId === null) };
}

/** "1 row", "1,234 rows", "≈ 120,000 rows" (an estimate). */
export function countLabel(count: ViewCount): string {
  const rows = count.count === 1 ? 'row' : 'rows';
  return count.exact ? `${formatCount(count.count)} ${rows}` : `≈ ${formatCount(count.count)} ${rows}`;
}

/**
 * The document with every default spelled out, so two documents that mean the
 * same compare equal whichever fields were left out.
 */
export function normalizeDocument(document: ViewDocument): ViewDocument {
  return {
    version: document.version,
    filter: document.filter ?? null,
    columns: (document.columns ?? []).map((column) => ({ field: column.field, width: column.width ?? null })),
    sort: (document.sort ?? []).map((key) => ({ field: key.field, descending: key.descending ?? false })),
    groupBy: document.groupBy ?? null,
    pageSize: document.pageSize ?? 50,
    viewType: document.viewType ?? 'table',
  };
}

/** JSON with object keys in order and nulls left out (absent and null mean the same in a document). */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** One text per meaning of a document. */
export function canonicalDocument(document: ViewDocument): string {
  return stableJson(normalizeDocument(document));
}

export function sameDocument(a: ViewDocument, b: ViewDocument): boolean {
  return canonicalDocument(a) === canonicalDocument(b);
}

/**
 * What running the document depends on. Column widths and how the rows are
 * shown change no result, so resizing a column or switching to the board
 * does not read the rows again. The columns keep their order: a refusal
 * names a column by its place (`columns[2].field`).
 */
export function resultsDocument(document: ViewDocument): ViewDocument {
  const normal = normalizeDocument(document);
  return { ...normal, columns: (normal.columns ?? []).map((column) => ({ field: column.field })), viewType: 'table' };
}

/** Why the board cannot be chosen, or null when it can. */
export function boardUnavailable(document: ViewDocument): string | null {
  return document.groupBy ? null : 'Choose a single-select property to group by in Filter & columns';
}

/** The view's name, or what an unsaved one is called. */
export function viewTitle(view: Pick<SavedView, 'name'> | null): string {
  return view?.name ?? 'Untitled view';
}

/** 'all 1,234 rows of "Pumps"', 'all ≈ 120,000 rows of this view'. */
export function allRowsLabel(count: ViewCount | undefined, name: string | null): string {
  const of = name === null ? 'this view' : `"${name}"`;
  if (!count) return `all rows of ${of}`;
  const number = count.exact ? formatCount(count.count) : `≈ ${formatCount(count.count)}`;
  return `all ${number} ${count.count === 1 ? 'row' : 'rows'} of ${of}`;
}

/** 'the 3 selected rows'. */
export function selectedRowsLabel(n: number): string {
  return n === 1 ? 'the selected row' : `the ${formatCount(n)} selected rows`;
}
