import { describe, expect, it } from 'vitest';
import type { WidgetConfig } from '../../../bindings';
import { widgetModule, widgetRegistry, type WidgetType } from './index';

const deps = (config: WidgetConfig) => widgetModule(config.type).deps(config);

describe('widget dependencies', () => {
  it('kpi over a view: root and entity filters, the range only when comparing', () => {
    const source = { kind: 'view', viewId: null, measure: { op: 'count', property: null } } as const;
    expect(deps({ type: 'kpi', source, compare: false })).toEqual({ range: false, root: true, filterKinds: ['property', 'entityType', 'under'] });
    expect(deps({ type: 'kpi', source, compare: true }).range).toBe(true);
  });

  it('kpi over a metric: everything', () => {
    expect(deps({ type: 'kpi', source: { kind: 'metric', metric: 'power', aggregate: 'sum' }, compare: false })).toEqual({
      range: true,
      root: true,
      filterKinds: ['property', 'entityType', 'under', 'time'],
    });
  });

  it('kpi over alerts: root and under, the range only when comparing', () => {
    expect(deps({ type: 'kpi', source: { kind: 'alerts' }, compare: false })).toEqual({ range: false, root: true, filterKinds: ['under'] });
    expect(deps({ type: 'kpi', source: { kind: 'alerts' }, compare: true })).toEqual({ range: true, root: true, filterKinds: ['under'] });
  });

  it('bars and pies: the range and time only for a metric ranking', () => {
    const measure = { op: 'count', property: null } as const;
    expect(deps({ type: 'bar', source: { kind: 'property', viewId: null, key: 'status', measure }, limit: 5 })).toEqual({
      range: false,
      root: true,
      filterKinds: ['property', 'entityType', 'under'],
    });
    expect(deps({ type: 'pie', source: { kind: 'entityType', viewId: null, measure }, limit: 5 }).range).toBe(false);
    expect(deps({ type: 'bar', source: { kind: 'metricTop', viewId: null, metric: 'power', aggregate: 'sum' }, limit: 5 })).toEqual({
      range: true,
      root: true,
      filterKinds: ['property', 'entityType', 'under', 'time'],
    });
  });

  it('the other widgets', () => {
    expect(deps({ type: 'timeSeries', metric: 'power', lines: { kind: 'view', viewId: null }, aggregate: 'avg', area: false })).toEqual({
      range: true,
      root: true,
      filterKinds: ['property', 'entityType', 'under', 'time'],
    });
    expect(deps({ type: 'table', viewId: 'v', limit: 10 })).toEqual({ range: false, root: true, filterKinds: ['property', 'entityType', 'under'] });
    expect(deps({ type: 'alerts', limit: 10 })).toEqual({ range: false, root: true, filterKinds: ['under'] });
    expect(deps({ type: 'treemap', rootId: null, depth: 1, viewId: null })).toEqual({
      range: false,
      root: true,
      filterKinds: ['property', 'entityType', 'under'],
    });
    expect(deps({ type: 'markdown', text: '' })).toEqual({ range: false, root: false, filterKinds: [] });
  });
});

describe('the registry', () => {
  const types = Object.keys(widgetRegistry) as WidgetType[];

  it('has every widget type, each under its own name', () => {
    expect(types.sort()).toEqual(['alerts', 'bar', 'kpi', 'markdown', 'pie', 'table', 'timeSeries', 'treemap']);
    for (const type of types) {
      expect(widgetModule(type).type).toBe(type);
      expect(widgetModule(type).defaultConfig().type).toBe(type);
    }
  });

  it('uses the minimum sizes the core checks, and defaults at least that big', () => {
    const minimums = Object.fromEntries(types.map((t) => [t, widgetRegistry[t].minSize]));
    expect(minimums).toEqual({
      kpi: { w: 2, h: 2 },
      markdown: { w: 2, h: 1 },
      bar: { w: 3, h: 3 },
      pie: { w: 3, h: 3 },
      timeSeries: { w: 3, h: 3 },
      table: { w: 3, h: 3 },
      alerts: { w: 3, h: 3 },
      treemap: { w: 3, h: 3 },
    });
    for (const type of types) {
      const { minSize, defaultSize } = widgetRegistry[type];
      expect(defaultSize.w).toBeGreaterThanOrEqual(minSize.w);
      expect(defaultSize.h).toBeGreaterThanOrEqual(minSize.h);
      expect(defaultSize.w).toBeLessThanOrEqual(12);
    }
  });

  it('exports CSV for data widgets and none for a note', () => {
    expect(widgetModule('markdown').toCsv({ type: 'markdown', text: 'hi' }, { type: 'markdown', text: 'hi' })).toBeNull();
    expect(widgetModule('alerts').toCsv({ type: 'alerts', alerts: [] }, { type: 'alerts', limit: 5 })).toBe('level,status,entity,path,message,raised\n');
    expect(widgetModule('bar').toCsv({ type: 'kpi', value: 1, previous: null, unit: null }, widgetRegistry.bar.defaultConfig())).toBeNull();
  });
});
