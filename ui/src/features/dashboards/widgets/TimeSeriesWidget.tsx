// Lines (or areas) of a metric over the dashboard's range, with a light
// min/max band and the spread in the tooltip. A click on a point filters
// the other widgets to its bucket.
import { MultiSelect, Stack, Switch } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useRef } from 'react';
import type { WidgetLines } from '../../../bindings';
import { rootsQuery } from '../../tree/api';
import { usePngExporter } from './canvas';
import { plotClickFilter, timeSeriesOption } from './chartOptions';
import { EChart, type EChartHandle } from './EChart';
import { AggregateSelect, ChoiceField, MetricSelect, ViewSelect } from './fields';
import type { ConfigOf, WidgetRenderProps } from './types';
import { DataMismatch, WidgetNotice } from './WidgetNotice';

/** The most lines the core draws for one chart. */
export const MAX_LINES = 50;

export function TimeSeriesRender({ config, data, onCrossFilter, setPngExporter, width, height }: WidgetRenderProps) {
  const chart = useRef<EChartHandle>(null);
  usePngExporter(setPngExporter, () => chart.current?.toPng() ?? null);
  const series = data.type === 'series' ? data.series : null;
  const area = config.type === 'timeSeries' && config.area;
  const option = useMemo(() => (series ? timeSeriesOption(series, area) : null), [series, area]);
  if (config.type !== 'timeSeries' || !series || !option) return <DataMismatch />;
  if (series.lines.every((line) => line.points.length === 0)) return <WidgetNotice>No readings in this range.</WidgetNotice>;
  return (
    <EChart
      ref={chart}
      option={option}
      width={width}
      height={height}
      label={`${area ? 'Area' : 'Line'} chart of ${series.metric}: ${series.lines.map((l) => l.label).join(', ')}`}
      onPlotClick={(ms) => {
        // Anywhere in the plot, not only on a point's small symbol.
        const filter = plotClickFilter(series, ms);
        if (filter) onCrossFilter(filter);
      }}
    />
  );
}

function EntityLines({ value, onChange }: { value: Extract<WidgetLines, { kind: 'entities' }>; onChange: (next: WidgetLines) => void }) {
  const roots = useQuery(rootsQuery());
  const options = useMemo(() => {
    const known = (roots.data ?? []).map((r) => ({ value: r.id, label: r.name }));
    const extra = value.ids.filter((id) => !known.some((o) => o.value === id)).map((id) => ({ value: id, label: id }));
    return [...known, ...extra];
  }, [roots.data, value.ids]);
  return (
    <>
      <MultiSelect
        label="Entities"
        description="One line each"
        data={options}
        value={value.ids}
        onChange={(ids) => onChange({ ...value, ids })}
        searchable
        maxValues={MAX_LINES}
        required
        error={roots.isError ? 'The roots could not be read.' : value.ids.length === 0 ? 'Choose at least one entity.' : undefined}
        data-testid="widget-config-entities"
      />
      <Switch
        label="Include descendants"
        description="Each line combines the entity's series with those of everything under it"
        checked={value.subtree}
        onChange={(event) => onChange({ ...value, subtree: event.currentTarget.checked })}
        data-testid="widget-config-subtree"
      />
    </>
  );
}

export function TimeSeriesConfigForm({ value, onChange }: { value: ConfigOf<'timeSeries'>; onChange: (next: ConfigOf<'timeSeries'>) => void }) {
  const lines = value.lines;
  const setLines = (next: WidgetLines) => onChange({ ...value, lines: next });
  return (
    <Stack gap="sm">
      <MetricSelect value={value.metric} onChange={(metric) => onChange({ ...value, metric })} />
      <ChoiceField<WidgetLines['kind']>
        label="Lines"
        value={lines.kind}
        options={[
          { value: 'view', label: 'One line for a view' },
          { value: 'entities', label: 'A line per entity' },
        ]}
        onChange={(kind) => {
          if (kind === lines.kind) return;
          setLines(kind === 'entities' ? { kind: 'entities', ids: [], subtree: false } : { kind: 'view', viewId: null });
        }}
        testId="lines-kind"
      />
      {lines.kind === 'entities' ? (
        <EntityLines value={lines} onChange={setLines} />
      ) : (
        <ViewSelect allowAll value={lines.viewId} onChange={(viewId) => setLines({ kind: 'view', viewId })} label="Entities of" />
      )}
      <AggregateSelect value={value.aggregate} onChange={(aggregate) => onChange({ ...value, aggregate })} />
      <Switch
        label="Fill the area under the lines"
        checked={value.area}
        onChange={(event) => onChange({ ...value, area: event.currentTarget.checked })}
        data-testid="widget-config-area"
      />
    </Stack>
  );
}
