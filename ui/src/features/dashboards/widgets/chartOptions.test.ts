import { describe, expect, it } from 'vitest';
import type { GroupValue, SeriesResult } from '../../../bindings';
import {
  barOption,
  drawsBands,
  escapeHtml,
  groupClickFilter,
  groupTooltip,
  lineNames,
  pieOption,
  plotClickFilter,
  pointOf,
  seriesTooltip,
  timeSeriesOption,
  treemapClickFilter,
  treemapNodes,
  treemapOption,
} from './chartOptions';

const groups: GroupValue[] = [
  { label: 'Running', value: 7, filter: { kind: 'property', key: 'status', value: 'ok' } },
  { label: '<b>Fault</b>', value: 2, filter: { kind: 'property', key: 'status', value: 'fault' } },
  { label: '(none)', value: 1, filter: null },
];

const series: SeriesResult = {
  metric: 'power',
  bucketSeconds: 3600,
  source: 'samples',
  from: '2025-01-01T00:00:00Z',
  to: '2025-01-01T03:00:00Z',
  lines: [
    {
      label: 'Pump',
      entityId: 'e1',
      unit: 'kW',
      series: 1,
      points: [
        { t: '2025-01-01T00:00:00Z', value: 2, min: 1, max: 4, n: 3 },
        { t: '2025-01-01T01:00:00Z', value: 3, min: 3, max: 3, n: 1 },
        { t: '2025-01-01T02:00:00Z', value: null, min: null, max: null, n: 0 },
      ],
    },
    {
      label: 'Pump',
      entityId: 'e2',
      unit: 'kW',
      series: 2,
      points: [{ t: '2025-01-01T00:00:00Z', value: 5, min: 5, max: 5, n: 2 }],
    },
  ],
};

type AnySeries = { id?: string; type?: string; name?: string; data?: unknown[]; stack?: string; areaStyle?: unknown };
const seriesOf = (option: { series?: unknown }) => option.series as AnySeries[];

describe('bar and pie options', () => {
  it('draws one bar per group, in order', () => {
    const option = barOption(groups);
    expect((option.yAxis as { data: string[] }).data).toEqual(['Running', '<b>Fault</b>', '(none)']);
    expect(seriesOf(option)[0].data).toEqual([7, 2, 1]);
  });

  it('draws one slice per group', () => {
    expect(seriesOf(pieOption(groups))[0].data).toEqual([
      { name: 'Running', value: 7 },
      { name: '<b>Fault</b>', value: 2 },
      { name: '(none)', value: 1 },
    ]);
  });

  it('a click filters by the group, when it has a filter', () => {
    expect(groupClickFilter(groups, { dataIndex: 1 })).toEqual({ kind: 'property', key: 'status', value: 'fault' });
    expect(groupClickFilter(groups, { dataIndex: 2 })).toBeNull();
    expect(groupClickFilter(groups, { dataIndex: 9 })).toBeNull();
    expect(groupClickFilter(groups, {})).toBeNull();
  });

  it('escapes names in tooltips', () => {
    expect(groupTooltip(groups, { dataIndex: 1 }, 'kW')).toBe('&#60;b&#62;Fault&#60;/b&#62;: <b>2 kW</b>');
    expect(escapeHtml(`<img src=x onerror="a">&'`)).toBe('&#60;img src=x onerror=&#34;a&#34;&#62;&#38;&#39;');
  });
});

describe('the time-series option', () => {
  it('draws a line per line of the result on a time axis, with a legend and zoom', () => {
    const option = timeSeriesOption(series, false);
    const lines = seriesOf(option).filter((s) => s.id?.startsWith('line-'));
    expect(lines.map((l) => l.name)).toEqual(['Pump', 'Pump (2)']);
    expect(lines[0].data).toEqual([
      ['2025-01-01T00:00:00Z', 2],
      ['2025-01-01T01:00:00Z', 3],
      ['2025-01-01T02:00:00Z', null],
    ]);
    expect(option.xAxis).toMatchObject({ type: 'time', min: series.from, max: series.to });
    expect(option.yAxis).toMatchObject({ type: 'value', name: 'kW' });
    expect(option.legend).toMatchObject({ data: ['Pump', 'Pump (2)'] });
    expect(option.dataZoom).toEqual([expect.objectContaining({ type: 'inside' })]);
    expect(lines[0].areaStyle).toBeUndefined();
  });

  it('draws a min/max band: the minimum with the spread stacked on it', () => {
    const all = seriesOf(timeSeriesOption(series, false));
    const low = all.find((s) => s.id === 'band-0-low');
    const high = all.find((s) => s.id === 'band-0-high');
    expect(low?.data).toEqual([
      ['2025-01-01T00:00:00Z', 1],
      ['2025-01-01T01:00:00Z', 3],
      ['2025-01-01T02:00:00Z', null],
    ]);
    expect(high?.data).toEqual([
      ['2025-01-01T00:00:00Z', 3],
      ['2025-01-01T01:00:00Z', 0],
      ['2025-01-01T02:00:00Z', null],
    ]);
    expect(low?.stack).toBe('band-0');
    expect(high?.stack).toBe('band-0');
    // A band shares its line's name, so the legend toggles both.
    expect(low?.name).toBe('Pump');
  });

  it('fills areas instead of bands when asked', () => {
    const all = seriesOf(timeSeriesOption(series, true));
    expect(all.every((s) => s.id?.startsWith('line-'))).toBe(true);
    expect(all[0].areaStyle).toBeDefined();
    expect(drawsBands(series, true)).toBe(false);
  });

  it('draws no band when no bucket has a spread', () => {
    const flat = { ...series, lines: [series.lines[1]] };
    expect(drawsBands(flat, false)).toBe(false);
  });

  it('shows each line with its min and max in the tooltip', () => {
    const text = seriesTooltip(series, [
      { seriesId: 'line-0', dataIndex: 0 },
      { seriesId: 'band-0-low', dataIndex: 0 },
      { seriesId: 'line-1', dataIndex: 0 },
    ]);
    expect(text).toContain('Pump: <b>2 kW</b>');
    expect(text).toContain('min 1 kW, max 4 kW');
    expect(text).toContain('Pump (2): <b>5 kW</b>');
    expect(text.split('<br/>')).toHaveLength(3);
  });

  it('a click in the plot filters to the bucket of the nearest point', () => {
    const at = (iso: string) => plotClickFilter(series, Date.parse(iso));
    expect(at('2025-01-01T01:00:00Z')).toEqual({ kind: 'time', from: '2025-01-01T01:00:00Z', to: '2025-01-01T02:00:00.000Z' });
    expect(at('2025-01-01T00:10:00Z')).toEqual({ kind: 'time', from: '2025-01-01T00:00:00Z', to: '2025-01-01T01:00:00.000Z' });
    expect(at('2025-01-01T00:40:00Z')).toMatchObject({ from: '2025-01-01T01:00:00Z' });
    // The 02:00 bucket has no value: its neighbour is the nearest point.
    expect(at('2025-01-01T02:00:00Z')).toMatchObject({ from: '2025-01-01T01:00:00Z' });
    expect(at('2025-01-01T05:00:00Z')).toBeNull();
    expect(plotClickFilter({ ...series, lines: [] }, Date.parse('2025-01-01T00:00:00Z'))).toBeNull();
  });

  it('finds the point an event is about; bands are no points', () => {
    expect(pointOf(series, { seriesId: 'line-1', dataIndex: 0 })?.point.value).toBe(5);
    expect(pointOf(series, { seriesId: 'band-0-high', dataIndex: 0 })).toBeNull();
    expect(pointOf(series, { seriesId: 'line-0' })).toBeNull();
    expect(pointOf(series, { seriesId: 'line-7', dataIndex: 0 })).toBeNull();
  });

  it('names duplicate labels apart', () => {
    expect(lineNames([{ label: 'A' }, { label: 'B' }, { label: 'A' }, { label: 'A' }] as SeriesResult['lines'])).toEqual(['A', 'B', 'A (2)', 'A (3)']);
  });
});

describe('the tree map', () => {
  const tiles = [
    { id: 'site', parentId: null, name: 'Site', count: 10 },
    { id: 'hall', parentId: 'site', name: 'Hall', count: 6 },
    { id: 'room', parentId: 'site', name: 'Room', count: 3 },
    { id: 'other', parentId: 'elsewhere', name: 'Other', count: 2 },
  ];

  it('nests tiles under the tile their parent is; the others are top level', () => {
    expect(treemapNodes(tiles)).toEqual([
      {
        id: 'site',
        name: 'Site',
        value: 10,
        children: [
          { id: 'hall', name: 'Hall', value: 6 },
          { id: 'room', name: 'Room', value: 3 },
        ],
      },
      { id: 'other', name: 'Other', value: 2 },
    ]);
    expect(seriesOf(treemapOption(tiles))[0].type).toBe('treemap');
  });

  it('a click on a tile filters to what lies under it', () => {
    expect(treemapClickFilter({ data: { id: 'hall', name: 'Hall', value: 6 } })).toEqual({ kind: 'under', entityId: 'hall' });
    expect(treemapClickFilter({ data: undefined })).toBeNull();
  });
});
