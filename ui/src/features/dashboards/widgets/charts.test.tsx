// The chart widgets drawn for real (ECharts' SVG renderer, as jsdom has no
// canvas): a chart appears, clicks reach the cross-filter, no PNG.
import { screen } from '@testing-library/react';
import { getInstanceByDom } from 'echarts/core';
import { act } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { WidgetConfig, WidgetData } from '../../../bindings';
import { installBackend, renderWithProviders } from '../../../test/fixtures';
import { widgetModule } from './index';

beforeEach(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});

function show(config: WidgetConfig, data: WidgetData) {
  installBackend({});
  const onCrossFilter = vi.fn();
  const setPngExporter = vi.fn();
  const { Render } = widgetModule(config.type);
  const rendered = renderWithProviders(
    <Render config={config} data={data} onCrossFilter={onCrossFilter} setPngExporter={setPngExporter} width={400} height={300} />,
  );
  const element = screen.getByTestId('widget-chart');
  const chart = getInstanceByDom(element)!;
  const click = (params: object) => act(() => void chart.trigger('click', params as never));
  return { onCrossFilter, setPngExporter, element, chart, click, ...rendered };
}

const measure = { op: 'count', property: null } as const;

describe('chart widgets', () => {
  it('a bar chart draws with SVG and filters by a clicked bar', () => {
    const { element, click, onCrossFilter, setPngExporter } = show(
      { type: 'bar', source: { kind: 'entityType', viewId: null, measure }, limit: 5 },
      {
        type: 'groups',
        groups: [
          { label: 'Pump', value: 4, filter: { kind: 'entityType', key: 'pump' } },
          { label: 'Fan', value: 2, filter: { kind: 'entityType', key: 'fan' } },
        ],
      },
    );
    expect(element).toHaveAttribute('data-renderer', 'svg');
    expect(element).toHaveAccessibleName('Bar chart of 2 groups');
    expect(element.querySelector('svg')).not.toBeNull();
    click({ seriesId: 'groups', dataIndex: 1 });
    expect(onCrossFilter).toHaveBeenCalledWith({ kind: 'entityType', key: 'fan' });
    const exporter = setPngExporter.mock.calls.at(-1)?.[0] as () => string | null;
    expect(exporter()).toBeNull();
  });

  it('a pie chart ignores a slice without a filter', () => {
    const { click, onCrossFilter } = show(
      { type: 'pie', source: { kind: 'entityType', viewId: null, measure }, limit: 5 },
      { type: 'groups', groups: [{ label: 'Other', value: 4, filter: null }] },
    );
    click({ seriesId: 'groups', dataIndex: 0 });
    expect(onCrossFilter).not.toHaveBeenCalled();
  });

  it('a time series filters to the bucket of a clicked point', () => {
    const { chart, onCrossFilter } = show(
      { type: 'timeSeries', metric: 'power', lines: { kind: 'view', viewId: null }, aggregate: 'avg', area: false },
      {
        type: 'series',
        series: {
          metric: 'power',
          bucketSeconds: 900,
          source: 'samples',
          from: '2025-01-01T00:00:00Z',
          to: '2025-01-01T01:00:00Z',
          lines: [{ label: 'All', entityId: null, unit: 'kW', series: 2, points: [{ t: '2025-01-01T00:15:00Z', value: 3, min: 1, max: 5, n: 4 }] }],
        },
      },
    );
    const [x, y] = chart.convertToPixel({ gridIndex: 0 }, ['2025-01-01T00:17:00Z', 3]) as number[];
    act(() => void chart.getZr().trigger('click', { offsetX: x, offsetY: y }));
    expect(onCrossFilter).toHaveBeenCalledWith({ kind: 'time', from: '2025-01-01T00:15:00Z', to: '2025-01-01T00:30:00.000Z' });
    // A drag that pans the zoom is no click.
    act(() => void chart.getZr().trigger('mousedown', { offsetX: x - 60, offsetY: y }));
    act(() => void chart.getZr().trigger('click', { offsetX: x, offsetY: y }));
    expect(onCrossFilter).toHaveBeenCalledTimes(1);
    // Outside the plot: nothing.
    act(() => void chart.getZr().trigger('click', { offsetX: 1, offsetY: 299 }));
    expect(onCrossFilter).toHaveBeenCalledTimes(1);
  });

  it('a tree map filters to a clicked tile, and the chart goes with the widget', () => {
    const { click, onCrossFilter, chart, unmount, setPngExporter } = show(
      { type: 'treemap', rootId: null, depth: 2, viewId: null },
      {
        type: 'treemap',
        tiles: [
          { id: 's', parentId: null, name: 'Site', count: 5 },
          { id: 'h', parentId: 's', name: 'Hall', count: 3 },
        ],
      },
    );
    click({ seriesId: 'tiles', data: { id: 'h', name: 'Hall', value: 3 } });
    expect(onCrossFilter).toHaveBeenCalledWith({ kind: 'under', entityId: 'h' });
    unmount();
    expect(chart.isDisposed()).toBe(true);
    expect(setPngExporter).toHaveBeenLastCalledWith(null);
  });

  it('says so instead of drawing an empty chart', () => {
    installBackend({});
    const { Render } = widgetModule('bar');
    renderWithProviders(
      <Render
        config={{ type: 'bar', source: { kind: 'entityType', viewId: null, measure }, limit: 5 }}
        data={{ type: 'groups', groups: [] }}
        onCrossFilter={vi.fn()}
        setPngExporter={vi.fn()}
        width={400}
        height={300}
      />,
    );
    expect(screen.queryByTestId('widget-chart')).toBeNull();
    expect(screen.getByTestId('widget-empty')).toBeInTheDocument();
  });
});
