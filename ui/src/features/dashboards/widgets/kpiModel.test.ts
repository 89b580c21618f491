import { describe, expect, it } from 'vitest';
import { changeColor, formatChange, formatKpiValue, kpiChange, kpiLabel } from './kpiModel';
import type { ConfigOf } from './types';

const viewKpi: ConfigOf<'kpi'> = { type: 'kpi', source: { kind: 'view', viewId: null, measure: { op: 'count', property: null } }, compare: true };
const alertsKpi: ConfigOf<'kpi'> = { type: 'kpi', source: { kind: 'alerts' }, compare: true };

describe('kpiChange', () => {
  it('is the change in percent of the previous value', () => {
    expect(kpiChange(125, 100)).toEqual({ direction: 'up', percent: 25 });
    expect(kpiChange(75, 100)).toEqual({ direction: 'down', percent: -25 });
    expect(kpiChange(100, 100)).toEqual({ direction: 'flat', percent: 0 });
  });

  it('measures against the size of a negative previous value', () => {
    expect(kpiChange(-50, -100)).toEqual({ direction: 'up', percent: 50 });
  });

  it('is none without a previous value (or a value)', () => {
    expect(kpiChange(10, null)).toBeNull();
    expect(kpiChange(null, 10)).toBeNull();
    expect(kpiChange(null, null)).toBeNull();
  });

  it('has no ratio from a previous 0', () => {
    expect(kpiChange(8, 0)).toEqual({ direction: 'up', percent: null });
    expect(kpiChange(-2, 0)).toEqual({ direction: 'down', percent: null });
    expect(kpiChange(0, 0)).toEqual({ direction: 'flat', percent: 0 });
  });
});

describe('formatChange', () => {
  it('shows a signed percentage with one decimal at most', () => {
    expect(formatChange({ direction: 'up', percent: 25 }, 125)).toBe('+25%');
    expect(formatChange({ direction: 'down', percent: -12.345 }, 1)).toBe('-12.3%');
    expect(formatChange({ direction: 'flat', percent: 0 }, 1)).toBe('0%');
    expect(formatChange({ direction: 'up', percent: 0.01 }, 1)).toBe('0%');
  });

  it('shows the value itself when the previous was 0', () => {
    expect(formatChange({ direction: 'up', percent: null }, 8)).toBe('+8 from 0');
    expect(formatChange({ direction: 'down', percent: null }, -2)).toBe('-2 from 0');
  });
});

describe('formatKpiValue', () => {
  it('separates thousands and rounds', () => {
    expect(formatKpiValue(1234567)).toBe('1,234,567');
    expect(formatKpiValue(12.3456)).toBe('12.35');
    expect(formatKpiValue(0.012345)).toBe('0.0123');
    expect(formatKpiValue(null)).toBe('—');
  });
});

describe('kpiLabel and changeColor', () => {
  it('names what the number is', () => {
    expect(kpiLabel(viewKpi)).toBe('Count of entities');
    expect(kpiLabel({ ...viewKpi, source: { kind: 'view', viewId: 'v', measure: { op: 'avg', property: 'temp' } } })).toBe('Average of temp');
    expect(kpiLabel({ ...viewKpi, source: { kind: 'metric', metric: 'power.kw', aggregate: 'max' } })).toBe('Greatest of power.kw');
    expect(kpiLabel(alertsKpi)).toBe('Open alerts');
  });

  it('is green for good news: more alerts are bad news', () => {
    expect(changeColor({ direction: 'up', percent: 5 }, viewKpi)).toBe('teal');
    expect(changeColor({ direction: 'down', percent: -5 }, viewKpi)).toBe('red');
    expect(changeColor({ direction: 'up', percent: 5 }, alertsKpi)).toBe('red');
    expect(changeColor({ direction: 'flat', percent: 0 }, alertsKpi)).toBe('gray');
  });
});
