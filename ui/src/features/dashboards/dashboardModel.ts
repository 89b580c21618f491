// Pure logic of the Dashboards screen: the editable draft of a dashboard
// and whether it differs from the saved one, cross-filters, which inputs
// each widget's data depends on (its query key), the grid layout, and the
// presets of the variables bar.
import type { CrossFilter, Dashboard, DashboardVariables, SaveDashboard, TimeRange, Value, WidgetConfig, WidgetData, WidgetLayout } from '../../bindings';
import { formatDateTime } from '../../shared/format';
import { queryKeys } from '../../shared/queryKeys';

export const GRID_COLUMNS = 12;
export const ROW_HEIGHT = 60;
/** Space between widgets, in pixels. */
export const GRID_MARGIN = 12;
/** The frame's header above a widget's body, in pixels. */
export const FRAME_HEADER = 36;
/** The grid's width when it cannot be measured (no layout engine). */
export const FALLBACK_GRID_WIDTH = 1200;

/** What a widget reads besides its config (the registry's `deps`). */
export type Deps = { range: boolean; root: boolean; filterKinds: readonly CrossFilter['kind'][] };

export const NO_DEPS: Deps = { range: false, root: false, filterKinds: [] };

/** A widget being edited; `isNew` ones get their id when saved. */
export type DraftWidget = { id: string; isNew: boolean; title: string | null; layout: WidgetLayout; config: WidgetConfig };

/** What the person may change on an open dashboard. */
export type Draft = { variables: DashboardVariables; refreshSeconds: number | null; widgets: DraftWidget[] };

/** JSON with object keys sorted, so equal values give equal text whatever the key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v as Record<string, unknown>).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

export function normalVariables(variables: DashboardVariables): DashboardVariables {
  return { version: variables.version, rootId: variables.rootId ?? null, range: variables.range };
}

export function draftOf(dashboard: Dashboard): Draft {
  return {
    variables: normalVariables(dashboard.variables),
    refreshSeconds: dashboard.refreshSeconds,
    widgets: dashboard.widgets.map((w) => ({ id: w.id, isNew: false, title: w.title, layout: w.layout, config: w.config })),
  };
}

function comparable(draft: Draft) {
  return {
    variables: normalVariables(draft.variables),
    refreshSeconds: draft.refreshSeconds ?? null,
    widgets: draft.widgets.map((w) => ({ id: w.id, title: w.title?.trim() || null, layout: w.layout, config: w.config })),
  };
}

export function sameDraft(a: Draft, b: Draft): boolean {
  return a === b || stableJson(comparable(a)) === stableJson(comparable(b));
}

/** The save of `draft` over `dashboard` as loaded (refused when someone saved since). */
export function saveInputOf(dashboard: Dashboard, draft: Draft): SaveDashboard {
  return {
    id: dashboard.id,
    expectedUpdatedAt: dashboard.updatedAt,
    key: dashboard.key,
    name: dashboard.name,
    description: dashboard.description,
    shared: dashboard.ownerUserId === null,
    rootId: dashboard.rootEntityId,
    refreshSeconds: draft.refreshSeconds,
    variables: normalVariables(draft.variables),
    widgets: draft.widgets.map((w) => ({ id: w.isNew ? null : w.id, title: w.title?.trim() || null, layout: w.layout, config: w.config })),
  };
}

/** A new, empty, shared dashboard over the last 30 days. */
export function newDashboardInput(name: string): SaveDashboard {
  return {
    id: null,
    expectedUpdatedAt: null,
    key: null,
    name: name.trim(),
    description: null,
    shared: true,
    rootId: null,
    refreshSeconds: null,
    variables: { version: 1, rootId: null, range: { kind: 'last', hours: 720 } },
    widgets: [],
  };
}

/** The saved version an open dashboard was loaded from, and the draft made of it. */
export type Editing = { base: Dashboard; baseDraft: Draft; draft: Draft };

export function startEditing(dashboard: Dashboard): Editing {
  const draft = draftOf(dashboard);
  return { base: dashboard, baseDraft: draft, draft };
}

/**
 * Someone saved the dashboard (`incoming`): without local changes the draft
 * becomes theirs; with local changes it stays (saving then meets the Conflict).
 */
export function reconcile(state: Editing, incoming: Dashboard): Editing {
  if (incoming.updatedAt === state.base.updatedAt) return state;
  if (sameDraft(state.draft, state.baseDraft)) return startEditing(incoming);
  return state;
}

// Cross-filters

/** A filter a widget set by a click; one per kind. */
export type ActiveFilter = { filter: CrossFilter; sourceId: string; label: string };

export function sameFilter(a: CrossFilter, b: CrossFilter): boolean {
  return stableJson(a) === stableJson(b);
}

/** A click on a bar, slice, point or tile: it replaces the filter of its kind; the same one again removes it. */
export function applyCrossFilter(filters: readonly ActiveFilter[], next: ActiveFilter): ActiveFilter[] {
  const current = filters.find((f) => f.filter.kind === next.filter.kind);
  const others = filters.filter((f) => f.filter.kind !== next.filter.kind);
  if (current && current.sourceId === next.sourceId && sameFilter(current.filter, next.filter)) return others;
  return [...others, next];
}

export function removeCrossFilter(filters: readonly ActiveFilter[], kind: CrossFilter['kind']): ActiveFilter[] {
  return filters.filter((f) => f.filter.kind !== kind);
}

/** Filters set by widgets that are gone no longer apply. */
export function dropOrphanFilters(filters: readonly ActiveFilter[], widgetIds: ReadonlySet<string>): readonly ActiveFilter[] {
  return filters.every((f) => widgetIds.has(f.sourceId)) ? filters : filters.filter((f) => widgetIds.has(f.sourceId));
}

const KIND_ORDER: CrossFilter['kind'][] = ['property', 'entityType', 'under', 'time'];

/** The filters that apply to a widget: those of kinds it reads, set by the other widgets, in a fixed order. */
export function filtersFor(widgetId: string, deps: Deps, filters: readonly ActiveFilter[]): CrossFilter[] {
  return filters
    .filter((f) => f.sourceId !== widgetId && deps.filterKinds.includes(f.filter.kind))
    .sort((a, b) => KIND_ORDER.indexOf(a.filter.kind) - KIND_ORDER.indexOf(b.filter.kind))
    .map((f) => f.filter);
}

function valueText(value: Value): string {
  if (value === null) return '(empty)';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** What the clicked item is called in the widget's data, if it can be found there. */
function nameInData(filter: CrossFilter, data: WidgetData | undefined): string | null {
  if (!data) return null;
  switch (data.type) {
    case 'groups':
      return data.groups.find((g) => g.filter !== null && sameFilter(g.filter, filter))?.label ?? null;
    case 'treemap':
      return filter.kind === 'under' ? (data.tiles.find((t) => t.id === filter.entityId)?.name ?? null) : null;
    case 'table':
      return filter.kind === 'under' ? (data.page.rows.find((r) => r.id === filter.entityId)?.name ?? null) : null;
    case 'alerts':
      return filter.kind === 'under' ? (data.alerts.find((a) => a.entityId === filter.entityId)?.entityName ?? null) : null;
    case 'series':
      return filter.kind === 'under' ? (data.series.lines.find((l) => l.entityId === filter.entityId)?.label ?? null) : null;
    default:
      return null;
  }
}

/** A chip's words: "status: Fault", "Type: Pump", "Under: Hall A", "Time: 1 Mar 2026, 10:00 – 11:00". */
export function crossFilterLabel(filter: CrossFilter, data?: WidgetData): string {
  const name = nameInData(filter, data);
  switch (filter.kind) {
    case 'property':
      return `${filter.key}: ${name ?? valueText(filter.value)}`;
    case 'entityType':
      return `Type: ${name ?? filter.key}`;
    case 'under':
      return `Under: ${name ?? filter.entityId}`;
    case 'time':
      return `Time: ${formatDateTime(filter.from)} – ${formatDateTime(filter.to)}`;
  }
}

// Each widget's data

/** What one widget's data is fetched with; `key` names only the inputs it depends on. */
export type WidgetInputs = {
  key: readonly unknown[];
  config: WidgetConfig;
  variables: DashboardVariables;
  filters: CrossFilter[];
};

export function widgetInputs(widget: Pick<DraftWidget, 'id' | 'config'>, deps: Deps, variables: DashboardVariables, filters: readonly ActiveFilter[]): WidgetInputs {
  const applied = filtersFor(widget.id, deps, filters);
  const rootId = variables.rootId ?? null;
  return {
    key: queryKeys.widget(widget.id, stableJson(widget.config), deps.range ? stableJson(variables.range) : null, deps.root ? (rootId ?? '*') : null, stableJson(applied)),
    config: widget.config,
    variables: normalVariables(variables),
    filters: applied,
  };
}

/**
 * Every widget's inputs, keeping the previous object of each widget whose
 * key is unchanged: its frame sees the same props and does not re-render.
 */
export function allWidgetInputs(
  widgets: readonly Pick<DraftWidget, 'id' | 'config'>[],
  depsOf: (config: WidgetConfig) => Deps,
  variables: DashboardVariables,
  filters: readonly ActiveFilter[],
  previous: ReadonlyMap<string, WidgetInputs>,
): Map<string, WidgetInputs> {
  const next = new Map<string, WidgetInputs>();
  for (const widget of widgets) {
    const inputs = widgetInputs(widget, depsOf(widget.config), variables, filters);
    const before = previous.get(widget.id);
    next.set(widget.id, before && stableJson(before.key) === stableJson(inputs.key) ? before : inputs);
  }
  return next;
}

/** The widgets whose data must be fetched again between two sets of inputs. */
export function rerunning(before: ReadonlyMap<string, WidgetInputs>, after: ReadonlyMap<string, WidgetInputs>): string[] {
  return [...after].filter(([id, inputs]) => before.get(id) !== inputs).map(([id]) => id);
}

/** Points per line a chart of this width has room for. */
export function maxPointsFor(width: number): number {
  return Math.min(2000, Math.max(50, Math.round(width)));
}

/** How often widgets refetch: never when off or while the window is hidden. */
export function refetchIntervalMs(refreshSeconds: number | null, visible: boolean): number | false {
  return refreshSeconds && refreshSeconds > 0 && visible ? refreshSeconds * 1000 : false;
}

// Layout

export type Size = { w: number; h: number };

/** A grid item as react-grid-layout takes it. */
export type GridItem = { i: string; x: number; y: number; w: number; h: number; minW?: number; minH?: number };

export function gridLayoutOf(widgets: readonly DraftWidget[], minSizeOf: (config: WidgetConfig) => Size): GridItem[] {
  return widgets.map((w) => {
    const min = minSizeOf(w.config);
    const minW = Math.min(min.w, GRID_COLUMNS);
    return { i: w.id, x: w.layout.x, y: w.layout.y, w: Math.max(w.layout.w, minW), h: Math.max(w.layout.h, min.h), minW, minH: min.h };
  });
}

/** The widgets placed as the grid reports; the same array when nothing moved. */
export function applyGridLayout(widgets: DraftWidget[], layout: readonly GridItem[]): DraftWidget[] {
  const byId = new Map(layout.map((item) => [item.i, item]));
  let changed = false;
  const next = widgets.map((w) => {
    const item = byId.get(w.id);
    if (!item) return w;
    const { x, y, w: width, h } = item;
    if (x === w.layout.x && y === w.layout.y && width === w.layout.w && h === w.layout.h) return w;
    changed = true;
    return { ...w, layout: { x, y, w: width, h } };
  });
  return changed ? next : widgets;
}

/** The first free row below every widget. */
export function bottomOf(widgets: readonly DraftWidget[]): number {
  return widgets.reduce((bottom, w) => Math.max(bottom, w.layout.y + w.layout.h), 0);
}

/** Where a new widget goes: at the left, below everything, at its default size. */
export function placeNew(widgets: readonly DraftWidget[], size: Size): WidgetLayout {
  return { x: 0, y: bottomOf(widgets), w: Math.min(Math.max(1, size.w), GRID_COLUMNS), h: Math.max(1, size.h) };
}

/** An id for a widget not saved yet. */
export function newWidgetId(widgets: readonly DraftWidget[]): string {
  const taken = new Set(widgets.map((w) => w.id));
  let n = 1;
  while (taken.has(`new-${n}`)) n += 1;
  return `new-${n}`;
}

/** A widget's body in pixels from its grid size (where nothing can be measured). */
export function bodySizeOf(layout: Pick<WidgetLayout, 'w' | 'h'>, gridWidth: number): { width: number; height: number } {
  const column = (gridWidth - GRID_MARGIN * (GRID_COLUMNS + 1)) / GRID_COLUMNS;
  const width = Math.max(0, Math.round(layout.w * column + (layout.w - 1) * GRID_MARGIN));
  const height = Math.max(0, layout.h * ROW_HEIGHT + (layout.h - 1) * GRID_MARGIN - FRAME_HEADER);
  return { width, height };
}

/** The title shown for a widget: its own, else its kind's label. */
export function widgetTitle(widget: Pick<DraftWidget, 'title'>, label: string): string {
  return widget.title?.trim() || label;
}

// Variables bar

export const RANGE_PRESETS: readonly { hours: number; label: string }[] = [
  { hours: 24, label: 'Last 24 hours' },
  { hours: 168, label: 'Last 7 days' },
  { hours: 720, label: 'Last 30 days' },
  { hours: 2160, label: 'Last 90 days' },
  { hours: 8760, label: 'Last year' },
];

export const REFRESH_PRESETS: readonly { seconds: number | null; label: string }[] = [
  { seconds: null, label: 'Off' },
  { seconds: 10, label: '10 s' },
  { seconds: 30, label: '30 s' },
  { seconds: 60, label: '1 min' },
  { seconds: 300, label: '5 min' },
];

/** The range's words: a preset's label, "Last 36 hours", or its two ends. */
export function rangeLabel(range: TimeRange): string {
  if (range.kind === 'last') return RANGE_PRESETS.find((p) => p.hours === range.hours)?.label ?? `Last ${range.hours} hours`;
  return `${formatDateTime(range.from)} – ${formatDateTime(range.to)}`;
}

/** The refresh interval's words ("Every 30 s", "Every 2 min"). */
export function refreshLabel(seconds: number | null): string {
  const preset = REFRESH_PRESETS.find((p) => p.seconds === (seconds || null));
  if (preset) return preset.label;
  return seconds! % 60 === 0 ? `${seconds! / 60} min` : `${seconds} s`;
}
