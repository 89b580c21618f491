// Bar and pie charts of groups (a property's values, entity types, or the
// entities a metric ranks first). A click on a bar or slice filters the
// other widgets by its group.
import { Stack } from '@mantine/core';
import { useMemo, useRef } from 'react';
import type { GroupSource } from '../../../bindings';
import { usePngExporter } from './canvas';
import { barOption, groupClickFilter, pieOption } from './chartOptions';
import { EChart, type EChartHandle } from './EChart';
import { AggregateSelect, ChoiceField, LimitInput, MeasureFields, MetricSelect, PropertySelect, ViewSelect } from './fields';
import type { ConfigOf, WidgetRenderProps } from './types';
import { DataMismatch, WidgetNotice } from './WidgetNotice';

export function GroupChartRender({ config, data, onCrossFilter, setPngExporter, width, height }: WidgetRenderProps) {
  const chart = useRef<EChartHandle>(null);
  usePngExporter(setPngExporter, () => chart.current?.toPng() ?? null);
  const groups = data.type === 'groups' ? data.groups : null;
  const pie = config.type === 'pie';
  const option = useMemo(() => (groups ? (pie ? pieOption(groups) : barOption(groups)) : null), [groups, pie]);
  if ((config.type !== 'bar' && config.type !== 'pie') || !groups || !option) return <DataMismatch />;
  if (groups.length === 0) return <WidgetNotice>Nothing to show for these filters.</WidgetNotice>;
  return (
    <EChart
      ref={chart}
      option={option}
      width={width}
      height={height}
      label={`${pie ? 'Pie' : 'Bar'} chart of ${groups.length} ${groups.length === 1 ? 'group' : 'groups'}`}
      onClick={(params) => {
        const filter = groupClickFilter(groups, params);
        if (filter) onCrossFilter(filter);
      }}
    />
  );
}

type SourceKind = GroupSource['kind'];

function sourceOfKind(kind: SourceKind, viewId: string | null): GroupSource {
  switch (kind) {
    case 'property':
      return { kind: 'property', viewId, key: '', measure: { op: 'count', property: null } };
    case 'entityType':
      return { kind: 'entityType', viewId, measure: { op: 'count', property: null } };
    case 'metricTop':
      return { kind: 'metricTop', viewId, metric: '', aggregate: 'sum' };
  }
}

type GroupConfig = ConfigOf<'bar'> | ConfigOf<'pie'>;

function GroupChartFields({ value, onChange }: { value: GroupConfig; onChange: (next: GroupConfig) => void }) {
  const source = value.source;
  const setSource = (next: GroupSource) => onChange({ ...value, source: next });
  return (
    <Stack gap="sm">
      <ChoiceField<SourceKind>
        label="Group"
        value={source.kind}
        options={[
          { value: 'property', label: 'By property' },
          { value: 'entityType', label: 'By type' },
          { value: 'metricTop', label: 'Top by metric' },
        ]}
        onChange={(kind) => kind !== source.kind && setSource(sourceOfKind(kind, source.viewId))}
        testId="source-kind"
      />
      <ViewSelect allowAll value={source.viewId} onChange={(viewId) => setSource({ ...source, viewId })} label="Entities of" />
      {source.kind === 'property' && <PropertySelect value={source.key} onChange={(key) => setSource({ ...source, key })} />}
      {(source.kind === 'property' || source.kind === 'entityType') && (
        <MeasureFields value={source.measure} onChange={(measure) => setSource({ ...source, measure })} />
      )}
      {source.kind === 'metricTop' && (
        <>
          <MetricSelect value={source.metric} onChange={(metric) => setSource({ ...source, metric })} />
          <AggregateSelect value={source.aggregate} onChange={(aggregate) => setSource({ ...source, aggregate })} />
        </>
      )}
      <LimitInput value={value.limit} max={100} onChange={(limit) => onChange({ ...value, limit })} label={value.type === 'pie' ? 'Slices' : 'Bars'} />
    </Stack>
  );
}

export function BarConfigForm({ value, onChange }: { value: ConfigOf<'bar'>; onChange: (next: ConfigOf<'bar'>) => void }) {
  return <GroupChartFields value={value} onChange={(next) => onChange({ ...next, type: 'bar' })} />;
}

export function PieConfigForm({ value, onChange }: { value: ConfigOf<'pie'>; onChange: (next: ConfigOf<'pie'>) => void }) {
  return <GroupChartFields value={value} onChange={(next) => onChange({ ...next, type: 'pie' })} />;
}
