// Every widget type with its renderer, config form, sizes, data dependencies
// and CSV export. The minimum sizes are the ones the core checks on save.
import { AlertsConfigForm, AlertsRender } from './AlertsWidget';
import { alertsCsv, groupsCsv, kpiCsv, seriesCsv, tableCsv, treemapCsv } from './csv';
import { alertsDeps, groupDeps, kpiDeps, markdownDeps, tableDeps, timeSeriesDeps, treemapDeps } from './deps';
import { BarConfigForm, GroupChartRender, PieConfigForm } from './GroupChartWidget';
import { KpiConfigForm, KpiRender } from './KpiWidget';
import { MarkdownConfigForm, MarkdownRender } from './MarkdownWidget';
import { TableConfigForm, TableRender } from './TableWidget';
import { TimeSeriesConfigForm, TimeSeriesRender } from './TimeSeriesWidget';
import { TreemapConfigForm, TreemapRender } from './TreemapWidget';
import type { WidgetModule, WidgetType } from './types';

const CHART_MIN = { w: 3, h: 3 };

export const widgetRegistry: { [T in WidgetType]: WidgetModule<T> } = {
  kpi: {
    type: 'kpi',
    label: 'KPI',
    description: 'One number, with its change against the previous period.',
    minSize: { w: 2, h: 2 },
    defaultSize: { w: 3, h: 2 },
    defaultConfig: () => ({ type: 'kpi', source: { kind: 'view', viewId: null, measure: { op: 'count', property: null } }, compare: false }),
    ConfigForm: KpiConfigForm,
    Render: KpiRender,
    deps: kpiDeps,
    toCsv: (data, config) => (data.type === 'kpi' ? kpiCsv(data, config) : null),
  },
  bar: {
    type: 'bar',
    label: 'Bar chart',
    description: "Bars by a property's values, by entity type, or the entities a metric ranks first.",
    minSize: CHART_MIN,
    defaultSize: { w: 4, h: 4 },
    defaultConfig: () => ({ type: 'bar', source: { kind: 'entityType', viewId: null, measure: { op: 'count', property: null } }, limit: 10 }),
    ConfigForm: BarConfigForm,
    Render: GroupChartRender,
    deps: groupDeps,
    toCsv: (data) => (data.type === 'groups' ? groupsCsv(data.groups) : null),
  },
  pie: {
    type: 'pie',
    label: 'Pie chart',
    description: "Slices by a property's values, by entity type, or the entities a metric ranks first.",
    minSize: CHART_MIN,
    defaultSize: { w: 4, h: 4 },
    defaultConfig: () => ({ type: 'pie', source: { kind: 'entityType', viewId: null, measure: { op: 'count', property: null } }, limit: 8 }),
    ConfigForm: PieConfigForm,
    Render: GroupChartRender,
    deps: groupDeps,
    toCsv: (data) => (data.type === 'groups' ? groupsCsv(data.groups) : null),
  },
  timeSeries: {
    type: 'timeSeries',
    label: 'Time series',
    description: "Lines of a metric over the dashboard's time range.",
    minSize: CHART_MIN,
    defaultSize: { w: 6, h: 4 },
    defaultConfig: () => ({ type: 'timeSeries', metric: '', lines: { kind: 'view', viewId: null }, aggregate: 'avg', area: false }),
    ConfigForm: TimeSeriesConfigForm,
    Render: TimeSeriesRender,
    deps: timeSeriesDeps,
    toCsv: (data) => (data.type === 'series' ? seriesCsv(data.series) : null),
  },
  table: {
    type: 'table',
    label: 'Table',
    description: 'The first rows of a saved view.',
    minSize: CHART_MIN,
    defaultSize: { w: 6, h: 5 },
    defaultConfig: () => ({ type: 'table', viewId: '', limit: 50 }),
    ConfigForm: TableConfigForm,
    Render: TableRender,
    deps: tableDeps,
    toCsv: (data) => (data.type === 'table' ? tableCsv(data.page.rows, data.columns) : null),
  },
  alerts: {
    type: 'alerts',
    label: 'Alerts',
    description: 'Open alerts, to acknowledge and resolve.',
    minSize: CHART_MIN,
    defaultSize: { w: 4, h: 5 },
    defaultConfig: () => ({ type: 'alerts', limit: 20 }),
    ConfigForm: AlertsConfigForm,
    Render: AlertsRender,
    deps: alertsDeps,
    toCsv: (data) => (data.type === 'alerts' ? alertsCsv(data.alerts) : null),
  },
  treemap: {
    type: 'treemap',
    label: 'Tree map',
    description: 'Entity counts by subtree, one or two levels deep.',
    minSize: CHART_MIN,
    defaultSize: { w: 6, h: 4 },
    defaultConfig: () => ({ type: 'treemap', rootId: null, depth: 1, viewId: null }),
    ConfigForm: TreemapConfigForm,
    Render: TreemapRender,
    deps: treemapDeps,
    toCsv: (data) => (data.type === 'treemap' ? treemapCsv(data.tiles) : null),
  },
  markdown: {
    type: 'markdown',
    label: 'Note',
    description: 'Text written in Markdown.',
    minSize: { w: 2, h: 1 },
    defaultSize: { w: 4, h: 3 },
    defaultConfig: () => ({ type: 'markdown', text: '## Notes\n\nWrite **Markdown** here.' }),
    ConfigForm: MarkdownConfigForm,
    Render: MarkdownRender,
    deps: markdownDeps,
    toCsv: () => null,
  },
};

/** The module of a widget type, typed loosely for code that handles any widget. */
export function widgetModule(type: WidgetType): WidgetModule {
  return widgetRegistry[type] as unknown as WidgetModule;
}
