// Inputs the widget config forms share: a saved view, a metric, an
// aggregate, a measure (op and number property), a property, a root, a
// limit, and a labelled segmented choice.
import { NumberInput, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import type { Aggregate, Measure, MeasureOp, PropertyDefinition } from '../../../bindings';
import { propertyDefinitionsQuery } from '../../properties/api';
import { rootsQuery } from '../../tree/api';
import { savedViewsQuery } from '../../views/api';
import { metricsQuery } from './api';
import { aggregateLabel, opLabel } from './kpiModel';

/** The select value that stands for "none" (Mantine selects hold strings). */
const NONE = '__none__';

type Option = { value: string; label: string };

/** The options, with the current value added when the list does not have it (yet). */
function withCurrent(options: Option[], current: string | null, unknownLabel: (value: string) => string): Option[] {
  if (!current || options.some((o) => o.value === current)) return options;
  return [...options, { value: current, label: unknownLabel(current) }];
}

export function ChoiceField<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
  testId: string;
}) {
  const id = useId();
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500} id={id}>
        {label}
      </Text>
      <SegmentedControl
        role="radiogroup"
        aria-labelledby={id}
        data-testid={`widget-config-${testId}`}
        value={value}
        onChange={(next) => onChange(next as T)}
        data={options}
        fullWidth
        size="xs"
      />
    </Stack>
  );
}

export function ViewSelect({
  value,
  onChange,
  allowAll,
  label = 'Saved view',
}: {
  value: string | null;
  onChange: (viewId: string | null) => void;
  /** Offer "All entities" (null); otherwise a view is required. */
  allowAll: boolean;
  label?: string;
}) {
  const views = useQuery(savedViewsQuery());
  const options = withCurrent(
    [...(allowAll ? [{ value: NONE, label: 'All entities' }] : []), ...(views.data ?? []).map((v) => ({ value: v.id, label: v.name }))],
    value,
    () => (views.isPending ? 'Loading…' : 'A view no longer available'),
  );
  const missing = !allowAll && !value;
  return (
    <Select
      label={label}
      data={options}
      value={value ?? (allowAll ? NONE : null)}
      onChange={(next) => onChange(next === null || next === NONE ? null : next)}
      allowDeselect={false}
      searchable
      required={!allowAll}
      placeholder="Choose a saved view"
      nothingFoundMessage="No saved views"
      error={views.isError ? 'The saved views could not be read.' : missing ? 'Choose a saved view.' : undefined}
      data-testid="widget-config-view"
    />
  );
}

export function MetricSelect({ value, onChange }: { value: string; onChange: (metric: string) => void }) {
  const metrics = useQuery(metricsQuery());
  const options = withCurrent(
    (metrics.data ?? []).map((m) => ({ value: m.metricKey, label: m.unit ? `${m.metricKey} (${m.unit})` : m.metricKey })),
    value,
    (key) => key,
  );
  return (
    <Select
      label="Metric"
      data={options}
      value={value || null}
      onChange={(next) => onChange(next ?? '')}
      allowDeselect={false}
      searchable
      required
      placeholder="Choose a metric"
      nothingFoundMessage="No metrics yet"
      error={metrics.isError ? 'The metrics could not be read.' : !value ? 'Choose a metric.' : undefined}
      data-testid="widget-config-metric"
    />
  );
}

const AGGREGATES: Aggregate[] = ['sum', 'avg', 'min', 'max', 'count'];

export function AggregateSelect({ value, onChange, label = 'Combine with' }: { value: Aggregate; onChange: (a: Aggregate) => void; label?: string }) {
  return (
    <Select
      label={label}
      data={AGGREGATES.map((a) => ({ value: a, label: aggregateLabel(a) }))}
      value={value}
      onChange={(next) => next && onChange(next as Aggregate)}
      allowDeselect={false}
      data-testid="widget-config-aggregate"
    />
  );
}

/** Properties a chart may read: searchable and not sensitive (numbers only for a measure). */
function usableProperties(definitions: PropertyDefinition[] | undefined, numbersOnly: boolean): Option[] {
  return (definitions ?? [])
    .filter((d) => d.isSearchable && !d.isSensitive && (!numbersOnly || d.valueType === 'number'))
    .map((d) => ({ value: d.key, label: d.name === d.key ? d.key : `${d.name} (${d.key})` }));
}

const OPS: MeasureOp[] = ['count', 'sum', 'avg', 'min', 'max'];

export function MeasureFields({ value, onChange }: { value: Measure; onChange: (m: Measure) => void }) {
  const definitions = useQuery(propertyDefinitionsQuery());
  const property = value.property ?? null;
  const options = withCurrent(usableProperties(definitions.data, true), property, (key) => key);
  return (
    <>
      <Select
        label="Measure"
        data={OPS.map((op) => ({ value: op, label: op === 'count' ? 'Count of entities' : opLabel(op) }))}
        value={value.op}
        onChange={(next) => {
          if (!next) return;
          const op = next as MeasureOp;
          onChange(op === 'count' ? { op, property: null } : { op, property });
        }}
        allowDeselect={false}
        data-testid="widget-config-measure-op"
      />
      {value.op !== 'count' && (
        <Select
          label="Number property"
          data={options}
          value={property}
          onChange={(next) => onChange({ op: value.op, property: next })}
          searchable
          required
          placeholder="Choose a number property"
          nothingFoundMessage="No searchable number properties"
          error={!property ? 'Choose a number property.' : undefined}
          data-testid="widget-config-measure-property"
        />
      )}
    </>
  );
}

export function PropertySelect({ value, onChange }: { value: string; onChange: (key: string) => void }) {
  const definitions = useQuery(propertyDefinitionsQuery());
  const options = withCurrent(usableProperties(definitions.data, false), value, (key) => key);
  return (
    <Select
      label="Group by property"
      data={options}
      value={value || null}
      onChange={(next) => onChange(next ?? '')}
      allowDeselect={false}
      searchable
      required
      placeholder="Choose a property"
      nothingFoundMessage="No searchable properties"
      error={!value ? 'Choose a property.' : undefined}
      data-testid="widget-config-property"
    />
  );
}

export function RootSelect({ value, onChange }: { value: string | null; onChange: (rootId: string | null) => void }) {
  const roots = useQuery(rootsQuery());
  const options = withCurrent(
    [{ value: NONE, label: "The dashboard's root" }, ...(roots.data ?? []).map((r) => ({ value: r.id, label: r.name }))],
    value,
    (id) => id,
  );
  return (
    <Select
      label="Start at"
      data={options}
      value={value ?? NONE}
      onChange={(next) => onChange(next === null || next === NONE ? null : next)}
      allowDeselect={false}
      searchable
      error={roots.isError ? 'The roots could not be read.' : undefined}
      data-testid="widget-config-root"
    />
  );
}

export function LimitInput({ value, onChange, max, label = 'Show at most' }: { value: number; onChange: (n: number) => void; max: number; label?: string }) {
  return (
    <NumberInput
      label={label}
      value={value}
      min={1}
      max={max}
      step={1}
      allowDecimal={false}
      allowNegative={false}
      clampBehavior="strict"
      onChange={(next) => {
        if (typeof next === 'number' && Number.isFinite(next)) onChange(Math.min(max, Math.max(1, Math.round(next))));
      }}
      description={`1 to ${max}`}
      data-testid="widget-config-limit"
    />
  );
}
