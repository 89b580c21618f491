// The KPI's number, its label and its change against the previous period, as
// plain data.
import type { Aggregate, MeasureOp } from '../../../bindings';
import { formatCount } from '../../../shared/format';
import type { ConfigOf } from './types';

export type KpiChange = {
  direction: 'up' | 'down' | 'flat';
  /** Change in percent of the previous value; null when the previous value was 0 (no ratio). */
  percent: number | null;
};

/** The change from `previous` to `value`; null when either is missing. */
export function kpiChange(value: number | null, previous: number | null): KpiChange | null {
  if (value === null || previous === null || !Number.isFinite(value) || !Number.isFinite(previous)) return null;
  const delta = value - previous;
  const direction = delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat';
  if (previous === 0) return { direction, percent: delta === 0 ? 0 : null };
  return { direction, percent: (delta / Math.abs(previous)) * 100 };
}

/** "+12.5%", "-3%", "0%", or "+8 from 0" when there is no ratio. */
export function formatChange(change: KpiChange, value: number | null): string {
  if (change.percent === null) return `${change.direction === 'down' ? '' : '+'}${formatKpiValue(value)} from 0`;
  const rounded = Math.round(change.percent * 10) / 10;
  if (rounded === 0) return '0%';
  const text = Math.abs(rounded).toFixed(1).replace(/\.0$/, '');
  return `${rounded > 0 ? '+' : '-'}${text}%`;
}

const smallFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** A number for display: thousands separated, at most two decimals (three significant digits below 1). */
export function formatKpiValue(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return formatCount(value);
  if (Math.abs(value) < 1) return smallFormat.format(value);
  return formatCount(Math.round(value * 100) / 100);
}

const OP_LABELS: Record<MeasureOp, string> = { count: 'Count', sum: 'Sum', avg: 'Average', min: 'Least', max: 'Greatest' };
const AGGREGATE_LABELS: Record<Aggregate, string> = { count: 'Count', sum: 'Sum', avg: 'Average', min: 'Least', max: 'Greatest' };

export function opLabel(op: MeasureOp): string {
  return OP_LABELS[op];
}

export function aggregateLabel(aggregate: Aggregate): string {
  return AGGREGATE_LABELS[aggregate];
}

/** What the number is: "Count of entities", "Sum of power_kw", "Average of temp.c", "Open alerts". */
export function kpiLabel(config: ConfigOf<'kpi'>): string {
  const source = config.source;
  switch (source.kind) {
    case 'view':
      return source.measure.op === 'count' || !source.measure.property
        ? 'Count of entities'
        : `${opLabel(source.measure.op)} of ${source.measure.property}`;
    case 'metric':
      return `${aggregateLabel(source.aggregate)} of ${source.metric || 'a metric'}`;
    case 'alerts':
      return 'Open alerts';
  }
}

/** Green when the change is good news, red when bad: more open alerts is bad news. */
export function changeColor(change: KpiChange, config: ConfigOf<'kpi'>): string {
  if (change.direction === 'flat') return 'gray';
  const upIsGood = config.source.kind !== 'alerts';
  return (change.direction === 'up') === upIsGood ? 'teal' : 'red';
}
