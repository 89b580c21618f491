// A small React wrapper round one ECharts instance: created on mount,
// given each new option, resized to the size it is given, disposed on
// unmount. Canvas when the window has one (then it exports a PNG), else SVG.
import { BarChart, LineChart, PieChart, TreemapChart } from 'echarts/charts';
import { DataZoomInsideComponent, GridComponent, LegendScrollComponent, TooltipComponent } from 'echarts/components';
import { init, use, type EChartsType } from 'echarts/core';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import { useComputedColorScheme } from '@mantine/core';
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { canvasSupported } from './canvas';
import type { ChartClick, ChartOption } from './chartOptions';

use([BarChart, LineChart, PieChart, TreemapChart, GridComponent, TooltipComponent, LegendScrollComponent, DataZoomInsideComponent, CanvasRenderer, SVGRenderer]);

export type EChartHandle = {
  /** The chart as a PNG data URL (on the colour of the surface it is drawn on, twice the pixels), or null without a canvas. */
  toPng: () => string | null;
};

type Props = {
  option: ChartOption;
  width: number;
  height: number;
  /** What the chart shows, for assistive technology. */
  label: string;
  /** A click on a bar, slice, tile or symbol. */
  onClick?: (params: ChartClick) => void;
  /** A click anywhere in the first grid, with the x axis value there (a time in ms on a time axis). */
  onPlotClick?: (x: number) => void;
  ref?: Ref<EChartHandle>;
};

const atLeastOne = (n: number) => Math.max(1, Math.floor(n));

/** The option on a transparent background: the widget's surface shows through, in either scheme. */
const onSurface = (option: ChartOption): ChartOption => ({ backgroundColor: 'transparent', ...option });

/** The colour the chart is drawn on (for the PNG), white when it cannot be read. */
function surfaceOf(element: HTMLElement | null): string {
  const colour = element ? getComputedStyle(element).getPropertyValue('--eco-surface').trim() : '';
  return colour === '' ? '#fff' : colour;
}

export function EChart({ option, width, height, label, onClick, onPlotClick, ref }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const [renderer] = useState<'canvas' | 'svg'>(() => (canvasSupported() ? 'canvas' : 'svg'));
  // ECharts' own dark theme (axes, labels, tooltips) when the window is dark.
  const scheme = useComputedColorScheme('light');
  const latest = useRef({ onClick, onPlotClick, width, height, option });
  useEffect(() => {
    latest.current = { onClick, onPlotClick, width, height, option };
  });

  useEffect(() => {
    if (!element.current) return;
    const instance = init(element.current, scheme === 'dark' ? 'dark' : null, {
      renderer,
      width: atLeastOne(latest.current.width),
      height: atLeastOne(latest.current.height),
    });
    instance.on('click', (params) => latest.current.onClick?.(params as ChartClick));
    // A drag (panning the zoom) ends in a click too: only a click that stayed put counts.
    let pressedAt: [number, number] | null = null;
    instance.getZr().on('mousedown', (event) => {
      pressedAt = [event.offsetX, event.offsetY];
    });
    instance.getZr().on('click', (event) => {
      const handler = latest.current.onPlotClick;
      const point = [event.offsetX, event.offsetY];
      const moved = pressedAt !== null && Math.hypot(point[0] - pressedAt[0], point[1] - pressedAt[1]) > 4;
      pressedAt = null;
      if (!handler || moved || !instance.containPixel({ gridIndex: 0 }, point)) return;
      const value = instance.convertFromPixel({ gridIndex: 0 }, point);
      const x = Array.isArray(value) ? value[0] : value;
      if (typeof x === 'number' && Number.isFinite(x)) handler(x);
    });
    chart.current = instance;
    // A chart made again for the other scheme draws what it showed.
    instance.setOption(onSurface(latest.current.option), { notMerge: true });
    return () => {
      chart.current = null;
      instance.dispose();
    };
  }, [renderer, scheme]);

  useEffect(() => {
    chart.current?.setOption(onSurface(option), { notMerge: true });
  }, [option]);

  useEffect(() => {
    chart.current?.resize({ width: atLeastOne(width), height: atLeastOne(height) });
  }, [width, height]);

  useImperativeHandle(
    ref,
    () => ({
      toPng: () =>
        renderer === 'canvas' && chart.current ? chart.current.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: surfaceOf(element.current) }) : null,
    }),
    [renderer],
  );

  return (
    <div
      ref={element}
      data-testid="widget-chart"
      data-renderer={renderer}
      role="img"
      aria-label={label}
      style={{ width: atLeastOne(width), height: atLeastOne(height) }}
    />
  );
}
