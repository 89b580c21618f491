// The KPI: one big number with its unit, and its change against the
// previous period (an arrow, a percentage, green or red).
import { Group, Stack, Switch, Text } from '@mantine/core';
import { IconArrowDownRight, IconArrowRight, IconArrowUpRight } from '@tabler/icons-react';
import type { KpiSource } from '../../../bindings';
import { canvasSupported, usePngExporter } from './canvas';
import { AggregateSelect, ChoiceField, MeasureFields, MetricSelect, ViewSelect } from './fields';
import { changeColor, formatChange, formatKpiValue, kpiChange, kpiLabel, type KpiChange } from './kpiModel';
import type { ConfigOf, WidgetRenderProps } from './types';
import { DataMismatch } from './WidgetNotice';

const COLORS: Record<string, string> = { teal: '#0ca678', red: '#e03131', gray: '#868e96' };
const ARROWS: Record<KpiChange['direction'], string> = { up: '▲', down: '▼', flat: '▶' };

type KpiPicture = { value: string; label: string; change: string | null; color: string };

/** The KPI drawn on a canvas, as a PNG data URL; null without a canvas. */
export function drawKpiPng(picture: KpiPicture): string | null {
  if (!canvasSupported()) return null;
  const ratio = 2;
  const width = 480;
  const height = 240;
  const canvas = document.createElement('canvas');
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const context = canvas.getContext('2d');
  if (!context) return null;
  context.scale(ratio, ratio);
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillStyle = '#212529';
  context.font = 'bold 64px sans-serif';
  context.fillText(picture.value, width / 2, height / 2 - 20, width - 32);
  context.fillStyle = '#868e96';
  context.font = '20px sans-serif';
  context.fillText(picture.label, width / 2, height / 2 + 36, width - 32);
  if (picture.change) {
    context.fillStyle = COLORS[picture.color] ?? COLORS.gray;
    context.font = '20px sans-serif';
    context.fillText(picture.change, width / 2, height / 2 + 72, width - 32);
  }
  return canvas.toDataURL('image/png');
}

export function KpiRender({ config, data, setPngExporter, width, height }: WidgetRenderProps) {
  const valid = config.type === 'kpi' && data.type === 'kpi';
  const value = valid ? data.value : null;
  const unit = valid ? data.unit : null;
  const label = valid ? kpiLabel(config) : '';
  const change = valid ? kpiChange(data.value, data.previous) : null;
  const color = valid && change ? changeColor(change, config) : 'gray';
  const valueText = formatKpiValue(value);
  const changeText = change ? formatChange(change, value) : null;

  usePngExporter(setPngExporter, () =>
    valid
      ? drawKpiPng({
          value: unit && value !== null ? `${valueText} ${unit}` : valueText,
          label,
          change: changeText && change ? `${ARROWS[change.direction]} ${changeText} vs previous period` : null,
          color,
        })
      : null,
  );

  if (!valid) return <DataMismatch />;
  // The number (with its unit) fits the body's width on one line, and its
  // height leaves room for the label and the change line.
  const chars = valueText.length + (unit && value !== null ? unit.length / 2.5 + 1 : 0);
  const room = height - 28 - (change ? 26 : 0);
  const fontSize = Math.round(Math.max(16, Math.min(64, (width - 24) / (0.62 * Math.max(chars, 1)), room / 1.15)));
  const Arrow = change?.direction === 'up' ? IconArrowUpRight : change?.direction === 'down' ? IconArrowDownRight : IconArrowRight;
  return (
    <Stack h="100%" justify="center" align="center" gap={4} p="xs">
      <Text fw={700} lh={1.1} style={{ fontSize, whiteSpace: 'nowrap' }} data-testid="widget-kpi-value">
        {valueText}
        {unit && value !== null && (
          <Text span c="dimmed" fw={500} style={{ fontSize: Math.max(12, fontSize / 2.5) }}>
            {` ${unit}`}
          </Text>
        )}
      </Text>
      <Text size="xs" c="dimmed" ta="center" data-testid="widget-kpi-label">
        {label}
      </Text>
      {change && changeText && (
        <Group gap={4} c={color} data-testid="widget-kpi-change" data-direction={change.direction}>
          <Arrow size={16} aria-hidden />
          <Text size="sm" fw={600} c={color}>
            {changeText}
          </Text>
          <Text size="xs" c="dimmed">
            vs previous period
          </Text>
        </Group>
      )}
    </Stack>
  );
}

type SourceKind = KpiSource['kind'];

function sourceOfKind(kind: SourceKind): KpiSource {
  switch (kind) {
    case 'view':
      return { kind: 'view', viewId: null, measure: { op: 'count', property: null } };
    case 'metric':
      return { kind: 'metric', metric: '', aggregate: 'sum' };
    case 'alerts':
      return { kind: 'alerts' };
  }
}

export function KpiConfigForm({ value, onChange }: { value: ConfigOf<'kpi'>; onChange: (next: ConfigOf<'kpi'>) => void }) {
  const source = value.source;
  const setSource = (next: KpiSource) => onChange({ ...value, source: next });
  return (
    <Stack gap="sm">
      <ChoiceField<SourceKind>
        label="Source"
        value={source.kind}
        options={[
          { value: 'view', label: 'View' },
          { value: 'metric', label: 'Metric' },
          { value: 'alerts', label: 'Alerts' },
        ]}
        onChange={(kind) => kind !== source.kind && setSource(sourceOfKind(kind))}
        testId="source-kind"
      />
      {source.kind === 'view' && (
        <>
          <ViewSelect allowAll value={source.viewId} onChange={(viewId) => setSource({ ...source, viewId })} />
          <MeasureFields value={source.measure} onChange={(measure) => setSource({ ...source, measure })} />
        </>
      )}
      {source.kind === 'metric' && (
        <>
          <MetricSelect value={source.metric} onChange={(metric) => setSource({ ...source, metric })} />
          <AggregateSelect value={source.aggregate} onChange={(aggregate) => setSource({ ...source, aggregate })} />
        </>
      )}
      {source.kind === 'alerts' && (
        <Text size="sm" c="dimmed">
          Counts the open alerts (pending and acknowledged).
        </Text>
      )}
      <Switch
        label="Compare with the previous period"
        checked={value.compare}
        onChange={(event) => onChange({ ...value, compare: event.currentTarget.checked })}
        data-testid="widget-config-compare"
      />
    </Stack>
  );
}
