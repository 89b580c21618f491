// Entity counts by subtree as nested tiles. A click on a tile filters the
// other widgets to what lies under its entity.
import { Stack } from '@mantine/core';
import { useMemo, useRef } from 'react';
import { usePngExporter } from './canvas';
import { treemapClickFilter, treemapOption } from './chartOptions';
import { EChart, type EChartHandle } from './EChart';
import { ChoiceField, RootSelect, ViewSelect } from './fields';
import type { ConfigOf, WidgetRenderProps } from './types';
import { DataMismatch, WidgetNotice } from './WidgetNotice';

export function TreemapRender({ config, data, onCrossFilter, setPngExporter, width, height }: WidgetRenderProps) {
  const chart = useRef<EChartHandle>(null);
  usePngExporter(setPngExporter, () => chart.current?.toPng() ?? null);
  const tiles = data.type === 'treemap' ? data.tiles : null;
  const option = useMemo(() => (tiles ? treemapOption(tiles) : null), [tiles]);
  if (config.type !== 'treemap' || !tiles || !option) return <DataMismatch />;
  if (tiles.length === 0) return <WidgetNotice>No entities to count here.</WidgetNotice>;
  return (
    <EChart
      ref={chart}
      option={option}
      width={width}
      height={height}
      label={`Tree map of ${tiles.length} ${tiles.length === 1 ? 'tile' : 'tiles'}`}
      onClick={(params) => {
        const filter = treemapClickFilter(params);
        if (filter) onCrossFilter(filter);
      }}
    />
  );
}

export function TreemapConfigForm({ value, onChange }: { value: ConfigOf<'treemap'>; onChange: (next: ConfigOf<'treemap'>) => void }) {
  return (
    <Stack gap="sm">
      <ChoiceField<'1' | '2'>
        label="Levels"
        value={value.depth === 2 ? '2' : '1'}
        options={[
          { value: '1', label: 'One level' },
          { value: '2', label: 'Two levels' },
        ]}
        onChange={(depth) => onChange({ ...value, depth: Number(depth) })}
        testId="depth"
      />
      <RootSelect value={value.rootId} onChange={(rootId) => onChange({ ...value, rootId })} />
      <ViewSelect allowAll value={value.viewId} onChange={(viewId) => onChange({ ...value, viewId })} label="Count only the entities of" />
    </Stack>
  );
}
