// The ECharts options of the chart widgets and what a click on them filters
// by, as pure functions of the widget data (no chart is drawn here).
import type { BarSeriesOption, LineSeriesOption, PieSeriesOption, TreemapSeriesOption } from 'echarts/charts';
import type {
  DataZoomComponentOption,
  GridComponentOption,
  LegendComponentOption,
  TooltipComponentOption,
} from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { CrossFilter, GroupValue, SeriesLine, SeriesPoint, SeriesResult, TreeCount } from '../../../bindings';
import { formatDateTime } from '../../../shared/format';
import { formatKpiValue } from './kpiModel';

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | PieSeriesOption
  | TreemapSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
  | DataZoomComponentOption
>;

/** What a chart click reports (the part of ECharts' event the widgets read). */
export type ChartClick = {
  seriesId?: string | null;
  seriesIndex?: number;
  dataIndex?: number;
  data?: unknown;
};

export const PALETTE = ['#228be6', '#fa5252', '#40c057', '#fab005', '#7950f2', '#15aabf', '#fd7e14', '#e64980', '#82c91e', '#4c6ef5'];

/** Bands of min and max are drawn up to this many lines (more would hide the lines). */
export const MAX_BANDED_LINES = 3;

/** Text for the HTML tooltips: names are the person's data, never markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatValue(value: number | null, unit: string | null): string {
  if (value === null) return '—';
  return unit ? `${formatKpiValue(value)} ${unit}` : formatKpiValue(value);
}

// Bars and slices.

export function barOption(groups: GroupValue[], unit: string | null = null): ChartOption {
  return {
    color: PALETTE,
    animation: false,
    grid: { left: 8, right: 24, top: 8, bottom: 8, outerBoundsMode: 'same' },
    tooltip: {
      trigger: 'item',
      formatter: (params: unknown) => groupTooltip(groups, params as ChartClick, unit),
    },
    // Horizontal bars, the first group on top: long labels stay readable.
    yAxis: { type: 'category', inverse: true, data: groups.map((g) => g.label), axisLabel: { width: 120, overflow: 'truncate' } },
    xAxis: { type: 'value', name: unit ?? undefined },
    series: [
      {
        type: 'bar',
        id: 'groups',
        data: groups.map((g) => g.value),
        cursor: 'pointer',
        barMaxWidth: 32,
      },
    ],
  };
}

export function pieOption(groups: GroupValue[], unit: string | null = null): ChartOption {
  return {
    color: PALETTE,
    animation: false,
    tooltip: {
      trigger: 'item',
      formatter: (params: unknown) => groupTooltip(groups, params as ChartClick, unit),
    },
    legend: { type: 'scroll', bottom: 0, data: groups.map((g) => g.label) },
    series: [
      {
        type: 'pie',
        id: 'groups',
        radius: ['35%', '62%'],
        center: ['50%', '45%'],
        // Labels inside the ring (the legend names every slice): outside
        // ones overflow a narrow widget.
        label: { position: 'inside', formatter: '{d}%', fontSize: 11, color: '#fff' },
        labelLine: { show: false },
        data: groups.map((g) => ({ name: g.label, value: g.value ?? 0 })),
        cursor: 'pointer',
      },
    ],
  };
}

export function groupTooltip(groups: GroupValue[], params: ChartClick, unit: string | null): string {
  const group = params.dataIndex === undefined ? undefined : groups[params.dataIndex];
  if (!group) return '';
  return `${escapeHtml(group.label)}: <b>${escapeHtml(formatValue(group.value, unit))}</b>`;
}

/** The filter of the clicked bar or slice, when its group has one. */
export function groupClickFilter(groups: GroupValue[], params: ChartClick): CrossFilter | null {
  if (params.dataIndex === undefined) return null;
  return groups[params.dataIndex]?.filter ?? null;
}

// Lines over time.

/** Line labels made unique ("Pump", "Pump (2)"): the legend toggles by name. */
export function lineNames(lines: SeriesLine[]): string[] {
  const seen = new Map<string, number>();
  return lines.map((line) => {
    const count = (seen.get(line.label) ?? 0) + 1;
    seen.set(line.label, count);
    return count === 1 ? line.label : `${line.label} (${count})`;
  });
}

/** The unit of the lines (the first one given). */
export function seriesUnit(series: SeriesResult): string | null {
  return series.lines.find((line) => line.unit)?.unit ?? null;
}

function hasSpread(line: SeriesLine): boolean {
  return line.points.some((p) => p.min !== null && p.max !== null && p.min !== p.max);
}

/** Whether the chart draws a min/max band under each line. */
export function drawsBands(series: SeriesResult, area: boolean): boolean {
  return !area && series.lines.length <= MAX_BANDED_LINES && series.lines.some(hasSpread);
}

const LINE_ID = /^line-(\d+)$/;

export function timeSeriesOption(series: SeriesResult, area: boolean): ChartOption {
  const names = lineNames(series.lines);
  const unit = seriesUnit(series);
  const bands = drawsBands(series, area);
  const out: LineSeriesOption[] = [];
  series.lines.forEach((line, i) => {
    const color = PALETTE[i % PALETTE.length];
    out.push({
      type: 'line',
      id: `line-${i}`,
      name: names[i],
      color,
      data: line.points.map((p) => [p.t, p.value]),
      showSymbol: line.points.length <= 60,
      symbolSize: 5,
      connectNulls: false,
      areaStyle: area ? { opacity: 0.25 } : undefined,
      emphasis: { focus: 'series' },
      z: 3,
    });
    if (bands) {
      // The band: an invisible line at the minimum with the spread stacked on it.
      const both = (p: SeriesPoint) => p.min !== null && p.max !== null;
      out.push(
        {
          type: 'line',
          id: `band-${i}-low`,
          name: names[i],
          color,
          stack: `band-${i}`,
          data: line.points.map((p) => [p.t, both(p) ? p.min : null]),
          lineStyle: { opacity: 0 },
          showSymbol: false,
          silent: true,
          tooltip: { show: false },
          z: 1,
        },
        {
          type: 'line',
          id: `band-${i}-high`,
          name: names[i],
          color,
          stack: `band-${i}`,
          data: line.points.map((p) => [p.t, both(p) ? (p.max as number) - (p.min as number) : null]),
          lineStyle: { opacity: 0 },
          areaStyle: { opacity: 0.15 },
          showSymbol: false,
          silent: true,
          tooltip: { show: false },
          z: 1,
        },
      );
    }
  });
  return {
    color: PALETTE,
    animation: false,
    grid: { left: 8, right: 24, top: series.lines.length > 0 ? 36 : 16, bottom: 8, outerBoundsMode: 'same' },
    legend: { type: 'scroll', top: 0, data: names },
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => seriesTooltip(series, (Array.isArray(params) ? params : [params]) as ChartClick[]),
    },
    xAxis: { type: 'time', min: series.from, max: series.to },
    yAxis: { type: 'value', scale: true, name: unit ?? undefined, nameTextStyle: { align: 'left' } },
    dataZoom: [{ type: 'inside', filterMode: 'none' }],
    series: out,
  };
}

/** The line and point a chart event is about (band series are not points). */
export function pointOf(series: SeriesResult, params: ChartClick): { line: SeriesLine; point: SeriesPoint } | null {
  const match = LINE_ID.exec(params.seriesId ?? '');
  if (!match || params.dataIndex === undefined) return null;
  const line = series.lines[Number(match[1])];
  const point = line?.points[params.dataIndex];
  return line && point ? { line, point } : null;
}

/** The axis tooltip: the bucket's time, then each line's value with its min and max. */
export function seriesTooltip(series: SeriesResult, params: ChartClick[]): string {
  const names = lineNames(series.lines);
  const rows: string[] = [];
  let time: string | null = null;
  for (const p of params) {
    const hit = pointOf(series, p);
    if (!hit) continue;
    time ??= hit.point.t;
    const index = series.lines.indexOf(hit.line);
    const unit = hit.line.unit;
    const spread =
      hit.point.min !== null && hit.point.max !== null
        ? ` <span style="opacity:0.7">(min ${escapeHtml(formatValue(hit.point.min, unit))}, max ${escapeHtml(formatValue(hit.point.max, unit))})</span>`
        : '';
    rows.push(`${escapeHtml(names[index])}: <b>${escapeHtml(formatValue(hit.point.value, unit))}</b>${spread}`);
  }
  if (time === null) return '';
  return [escapeHtml(formatDateTime(time)), ...rows].join('<br/>');
}

function bucketFilter(series: SeriesResult, t: string): CrossFilter | null {
  const from = Date.parse(t);
  if (Number.isNaN(from)) return null;
  return { kind: 'time', from: t, to: new Date(from + series.bucketSeconds * 1000).toISOString() };
}

/**
 * A click in the plot at time `ms` filters to the bucket of the nearest
 * point (points sit at their bucket's start), if it is within a bucket.
 */
export function plotClickFilter(series: SeriesResult, ms: number): CrossFilter | null {
  let best: { t: string; distance: number } | null = null;
  for (const line of series.lines) {
    for (const point of line.points) {
      if (point.value === null) continue;
      const distance = Math.abs(Date.parse(point.t) - ms);
      if (!Number.isNaN(distance) && (best === null || distance < best.distance)) best = { t: point.t, distance };
    }
  }
  if (best === null || best.distance > Math.max(series.bucketSeconds, 1) * 1000) return null;
  return bucketFilter(series, best.t);
}

// Tiles.

export type TreemapNode = { id: string; name: string; value: number; children?: TreemapNode[] };

/** Tiles nest under the tile their parentId names; the others are top level. */
export function treemapNodes(tiles: TreeCount[]): TreemapNode[] {
  const ids = new Set(tiles.map((t) => t.id));
  const childrenOf = new Map<string, TreeCount[]>();
  for (const tile of tiles) {
    if (tile.parentId !== null && ids.has(tile.parentId) && tile.parentId !== tile.id) {
      const list = childrenOf.get(tile.parentId) ?? [];
      list.push(tile);
      childrenOf.set(tile.parentId, list);
    }
  }
  const build = (tile: TreeCount, depth: number): TreemapNode => {
    const children = depth < 8 ? (childrenOf.get(tile.id) ?? []) : [];
    const node: TreemapNode = { id: tile.id, name: tile.name, value: tile.count };
    if (children.length > 0) node.children = children.map((c) => build(c, depth + 1));
    return node;
  };
  return tiles.filter((t) => t.parentId === null || !ids.has(t.parentId) || t.parentId === t.id).map((t) => build(t, 0));
}

export function treemapOption(tiles: TreeCount[]): ChartOption {
  return {
    color: PALETTE,
    animation: false,
    tooltip: {
      trigger: 'item',
      formatter: (params: unknown) => {
        const node = (params as ChartClick).data as TreemapNode | undefined;
        return node ? `${escapeHtml(node.name)}: <b>${escapeHtml(formatKpiValue(node.value))}</b>` : '';
      },
    },
    series: [
      {
        type: 'treemap',
        id: 'tiles',
        data: treemapNodes(tiles),
        roam: false,
        nodeClick: false,
        breadcrumb: { show: false },
        left: 0,
        right: 0,
        top: 0,
        bottom: 0,
        label: { show: true, formatter: '{b}' },
        upperLabel: { show: true, height: 20 },
        levels: [{ itemStyle: { borderWidth: 2, gapWidth: 2, borderColor: 'transparent' } }, { colorSaturation: [0.35, 0.6], itemStyle: { gapWidth: 1 } }],
        cursor: 'pointer',
      },
    ],
  };
}

/** A click on a tile filters to what lies under its entity. */
export function treemapClickFilter(params: ChartClick): CrossFilter | null {
  const node = params.data as Partial<TreemapNode> | null | undefined;
  return node && typeof node.id === 'string' ? { kind: 'under', entityId: node.id } : null;
}
