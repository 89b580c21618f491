import { describe, expect, it } from 'vitest';
import type { CrossFilter, Dashboard, DashboardVariables, WidgetConfig } from '../../bindings';
import {
  allWidgetInputs,
  applyCrossFilter,
  applyGridLayout,
  bodySizeOf,
  crossFilterLabel,
  draftOf,
  dropOrphanFilters,
  filtersFor,
  gridLayoutOf,
  maxPointsFor,
  newDashboardInput,
  newWidgetId,
  placeNew,
  rangeLabel,
  reconcile,
  refetchIntervalMs,
  refreshLabel,
  removeCrossFilter,
  rerunning,
  sameDraft,
  saveInputOf,
  stableJson,
  startEditing,
  widgetInputs,
  type ActiveFilter,
  type Deps,
  type DraftWidget,
} from './dashboardModel';

const kpi: WidgetConfig = { type: 'kpi', source: { kind: 'metric', metric: 'energy', aggregate: 'sum' }, compare: true };
const bar: WidgetConfig = { type: 'bar', source: { kind: 'property', viewId: null, key: 'status', measure: { op: 'count' } }, limit: 10 };
const pie: WidgetConfig = { type: 'pie', source: { kind: 'entityType', viewId: null, measure: { op: 'count' } }, limit: 8 };
const series: WidgetConfig = { type: 'timeSeries', metric: 'energy', lines: { kind: 'view', viewId: null }, aggregate: 'sum', area: false };
const note: WidgetConfig = { type: 'markdown', text: '# Hello' };

const widget = (id: string, config: WidgetConfig, layout = { x: 0, y: 0, w: 4, h: 3 }): DraftWidget => ({ id, isNew: false, title: null, layout, config });

const dashboard: Dashboard = {
  id: 'd1',
  key: 'energy',
  name: 'Energy manager',
  description: null,
  ownerUserId: null,
  rootEntityId: null,
  refreshSeconds: null,
  variables: { version: 1, range: { kind: 'last', hours: 720 } },
  widgets: [
    { id: 'w1', title: 'Energy', layout: { x: 0, y: 0, w: 3, h: 2 }, config: kpi, updatedAt: 't' },
    { id: 'w2', title: null, layout: { x: 3, y: 0, w: 6, h: 4 }, config: bar, updatedAt: 't' },
  ],
  createdAt: 't0',
  updatedAt: 'v1',
  deletedAt: null,
};

// What each kind reads in these tests.
const DEPS: Record<string, Deps> = {
  kpi: { range: true, root: true, filterKinds: ['property', 'entityType', 'under'] },
  bar: { range: false, root: true, filterKinds: ['entityType', 'under'] },
  pie: { range: false, root: true, filterKinds: ['property', 'under'] },
  timeSeries: { range: true, root: true, filterKinds: ['property', 'entityType', 'under', 'time'] },
  markdown: { range: false, root: false, filterKinds: [] },
};
const depsOf = (config: WidgetConfig) => DEPS[config.type];

const statusFault: CrossFilter = { kind: 'property', key: 'status', value: 'fault' };
const pumps: CrossFilter = { kind: 'entityType', key: 'pump' };
const active = (filter: CrossFilter, sourceId: string, label = 'x'): ActiveFilter => ({ filter, sourceId, label });

describe('the draft of a dashboard', () => {
  it('is clean as loaded; variables, refresh and widgets make it dirty', () => {
    const base = draftOf(dashboard);
    expect(base.variables).toEqual({ version: 1, rootId: null, range: { kind: 'last', hours: 720 } });
    expect(sameDraft(base, draftOf(dashboard))).toBe(true);
    expect(sameDraft(base, { ...base, variables: { ...base.variables, rootId: 'site' } })).toBe(false);
    expect(sameDraft(base, { ...base, refreshSeconds: 30 })).toBe(false);
    expect(sameDraft(base, { ...base, widgets: applyGridLayout(base.widgets, [{ i: 'w1', x: 1, y: 0, w: 3, h: 2 }]) })).toBe(false);
  });

  it('ignores key order and blank titles', () => {
    const base = draftOf(dashboard);
    const reordered = { ...base, widgets: base.widgets.map((w) => ({ ...w, title: w.title ?? '  ', config: JSON.parse(stableJson(w.config)) as WidgetConfig })) };
    expect(sameDraft(base, reordered)).toBe(true);
  });

  it('saves over the version loaded, new widgets without an id', () => {
    const base = draftOf(dashboard);
    const added = { ...widget('new-1', note, { x: 0, y: 4, w: 4, h: 2 }), isNew: true, title: ' Notes ' };
    const input = saveInputOf(dashboard, { ...base, refreshSeconds: 60, widgets: [...base.widgets, added] });
    expect(input).toMatchObject({ id: 'd1', expectedUpdatedAt: 'v1', key: 'energy', name: 'Energy manager', shared: true, rootId: null, refreshSeconds: 60 });
    expect(input.widgets.map((w) => [w.id, w.title])).toEqual([
      ['w1', 'Energy'],
      ['w2', null],
      [null, 'Notes'],
    ]);
  });

  it('a new dashboard is shared, empty, over the last 30 days', () => {
    expect(newDashboardInput('  Plant  ')).toEqual({
      id: null,
      expectedUpdatedAt: null,
      key: null,
      name: 'Plant',
      description: null,
      shared: true,
      rootId: null,
      refreshSeconds: null,
      variables: { version: 1, rootId: null, range: { kind: 'last', hours: 720 } },
      widgets: [],
    });
  });

  it("takes someone else's save when nothing changed here, keeps local changes otherwise", () => {
    const state = startEditing(dashboard);
    const theirs = { ...dashboard, updatedAt: 'v2', refreshSeconds: 30 };
    expect(reconcile(state, dashboard)).toBe(state);
    expect(reconcile(state, theirs).draft.refreshSeconds).toBe(30);
    const edited = { ...state, draft: { ...state.draft, refreshSeconds: 10 } };
    expect(reconcile(edited, theirs)).toBe(edited);
  });
});

describe('cross-filters', () => {
  it('one per kind: a new one replaces the old, the same click again removes it', () => {
    let filters = applyCrossFilter([], active(statusFault, 'w2'));
    filters = applyCrossFilter(filters, active(pumps, 'w3'));
    filters = applyCrossFilter(filters, active({ kind: 'property', key: 'status', value: 'ok' }, 'w2'));
    expect(filters.map((f) => f.filter)).toEqual([pumps, { kind: 'property', key: 'status', value: 'ok' }]);
    filters = applyCrossFilter(filters, active({ kind: 'property', key: 'status', value: 'ok' }, 'w2'));
    expect(filters.map((f) => f.filter)).toEqual([pumps]);
    expect(removeCrossFilter(filters, 'entityType')).toEqual([]);
  });

  it('apply to the other widgets that read their kind, never to the widget that set them', () => {
    const filters = [active(pumps, 'w3'), active(statusFault, 'w2')];
    expect(filtersFor('w2', DEPS.kpi, filters)).toEqual([pumps]);
    expect(filtersFor('w1', DEPS.kpi, filters)).toEqual([statusFault, pumps]);
    expect(filtersFor('w1', DEPS.bar, filters)).toEqual([pumps]);
    expect(filtersFor('w1', DEPS.markdown, filters)).toEqual([]);
  });

  it('filters of removed widgets are dropped', () => {
    const filters = [active(pumps, 'w3'), active(statusFault, 'w2')];
    expect(dropOrphanFilters(filters, new Set(['w2', 'w3']))).toBe(filters);
    expect(dropOrphanFilters(filters, new Set(['w2']))).toEqual([filters[1]]);
  });

  it('chips read what was clicked, by its name in the data when it is there', () => {
    expect(crossFilterLabel(statusFault)).toBe('status: fault');
    expect(crossFilterLabel(statusFault, { type: 'groups', groups: [{ label: 'Fault', value: 3, filter: { value: 'fault', key: 'status', kind: 'property' } }] })).toBe('status: Fault');
    expect(crossFilterLabel(pumps)).toBe('Type: pump');
    expect(crossFilterLabel({ kind: 'under', entityId: 'hall' }, { type: 'treemap', tiles: [{ id: 'hall', parentId: null, name: 'Hall A', count: 4 }] })).toBe('Under: Hall A');
    expect(crossFilterLabel({ kind: 'under', entityId: 'hall' })).toBe('Under: hall');
    expect(crossFilterLabel({ kind: 'property', key: 'on', value: null })).toBe('on: (empty)');
    expect(crossFilterLabel({ kind: 'time', from: '2026-03-01T10:00:00Z', to: '2026-03-01T11:00:00Z' })).toMatch(/^Time: .+ – .+$/);
  });
});

describe('which widgets re-run', () => {
  const widgets = [widget('k', kpi), widget('b', bar), widget('p', pie), widget('s', series), widget('n', note)];
  const variables: DashboardVariables = { version: 1, rootId: null, range: { kind: 'last', hours: 720 } };
  const run = (vars: DashboardVariables, filters: ActiveFilter[], previous = new Map()) => allWidgetInputs(widgets, depsOf, vars, filters, previous);

  it('keys name only the inputs a widget depends on', () => {
    expect(widgetInputs(widgets[4], DEPS.markdown, variables, [active(pumps, 'b')]).key).toEqual(['dashboards', 'widget', 'n', stableJson(note), null, null, '[]']);
    const k = widgetInputs(widgets[0], DEPS.kpi, { ...variables, rootId: 'site' }, [active(pumps, 'b')]);
    expect(k.key).toEqual(['dashboards', 'widget', 'k', stableJson(kpi), stableJson(variables.range), 'site', stableJson([pumps])]);
    expect(k.filters).toEqual([pumps]);
    expect(k.variables).toEqual({ version: 1, rootId: 'site', range: variables.range });
  });

  it('a new range re-runs only the widgets that read the range', () => {
    const before = run(variables, []);
    const after = run({ ...variables, range: { kind: 'last', hours: 24 } }, [], before);
    expect(rerunning(before, after)).toEqual(['k', 's']);
    // Unchanged widgets keep the very same inputs (their frames do not re-render).
    expect(after.get('b')).toBe(before.get('b'));
  });

  it('a new root re-runs every widget that reads the root', () => {
    const before = run(variables, []);
    expect(rerunning(before, run({ ...variables, rootId: 'site' }, [], before))).toEqual(['k', 'b', 'p', 's']);
  });

  it('a filter re-runs the other widgets that read its kind, not the one that set it', () => {
    const before = run(variables, []);
    const filtered = run(variables, [active(statusFault, 'b')], before);
    expect(rerunning(before, filtered)).toEqual(['k', 'p', 's']);
    const byType = run(variables, [active(statusFault, 'b'), active(pumps, 'p')], filtered);
    expect(rerunning(filtered, byType)).toEqual(['k', 'b', 's']);
    const timed = run(variables, [active(statusFault, 'b'), active(pumps, 'p'), active({ kind: 'time', from: 'a', to: 'b' }, 's')], byType);
    expect(rerunning(byType, timed)).toEqual([]);
  });

  it('clearing the filters brings back the keys (and cached data) of before', () => {
    const before = run(variables, []);
    const filtered = run(variables, [active(statusFault, 'b')], before);
    const cleared = run(variables, [], filtered);
    for (const id of ['k', 'p', 's']) expect(cleared.get(id)!.key).toEqual(before.get(id)!.key);
  });

  it('points per line follow the width, within bounds; refresh only while visible', () => {
    expect(maxPointsFor(10)).toBe(50);
    expect(maxPointsFor(640.4)).toBe(640);
    expect(maxPointsFor(5000)).toBe(2000);
    expect(refetchIntervalMs(30, true)).toBe(30_000);
    expect(refetchIntervalMs(30, false)).toBe(false);
    expect(refetchIntervalMs(null, true)).toBe(false);
  });
});

describe('layout', () => {
  const widgets = [widget('a', kpi, { x: 0, y: 0, w: 2, h: 1 }), widget('b', bar, { x: 2, y: 0, w: 6, h: 4 })];

  it('grid items carry the minimum size, and never start below it', () => {
    const layout = gridLayoutOf(widgets, (config) => (config.type === 'kpi' ? { w: 3, h: 2 } : { w: 4, h: 3 }));
    expect(layout).toEqual([
      { i: 'a', x: 0, y: 0, w: 3, h: 2, minW: 3, minH: 2 },
      { i: 'b', x: 2, y: 0, w: 6, h: 4, minW: 4, minH: 3 },
    ]);
  });

  it('takes what the grid reports; the same array when nothing moved', () => {
    expect(applyGridLayout(widgets, [{ i: 'a', x: 0, y: 0, w: 2, h: 1 }])).toBe(widgets);
    const moved = applyGridLayout(widgets, [
      { i: 'a', x: 0, y: 4, w: 2, h: 1 },
      { i: 'b', x: 0, y: 0, w: 6, h: 4 },
    ]);
    expect(moved.map((w) => w.layout)).toEqual([
      { x: 0, y: 4, w: 2, h: 1 },
      { x: 0, y: 0, w: 6, h: 4 },
    ]);
  });

  it('new widgets go at the bottom, at most the grid wide, with a free id', () => {
    expect(placeNew(widgets, { w: 4, h: 3 })).toEqual({ x: 0, y: 4, w: 4, h: 3 });
    expect(placeNew([], { w: 20, h: 2 })).toEqual({ x: 0, y: 0, w: 12, h: 2 });
    expect(newWidgetId(widgets)).toBe('new-1');
    expect(newWidgetId([...widgets, { ...widgets[0], id: 'new-1' }])).toBe('new-2');
  });

  it('estimates a body size from the grid size', () => {
    // 12 columns of 88 px with 12 px gaps in 1,212 px.
    expect(bodySizeOf({ w: 3, h: 2 }, 1212)).toEqual({ width: 288, height: 96 });
  });
});

describe('variables', () => {
  it('names ranges and refresh intervals', () => {
    expect(rangeLabel({ kind: 'last', hours: 168 })).toBe('Last 7 days');
    expect(rangeLabel({ kind: 'last', hours: 36 })).toBe('Last 36 hours');
    expect(refreshLabel(null)).toBe('Off');
    expect(refreshLabel(60)).toBe('1 min');
    expect(refreshLabel(120)).toBe('2 min');
    expect(refreshLabel(45)).toBe('45 s');
  });
});
