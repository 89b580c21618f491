import { Group, Select } from '@mantine/core';
import { IconClock, IconRefresh, IconSitemap } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { memo } from 'react';
import type { DashboardVariables } from '../../bindings';
import { rootsQuery } from '../tree/api';
import { RANGE_PRESETS, rangeLabel, REFRESH_PRESETS, refreshLabel } from './dashboardModel';

const ALL_ROOTS = '*';
const CURRENT = 'current';

type Props = {
  variables: DashboardVariables;
  refreshSeconds: number | null;
  onVariables: (variables: DashboardVariables) => void;
  onRefreshSeconds: (seconds: number | null) => void;
};

/** The root, the time range and the refresh interval of the open dashboard; changes apply at once. */
export const VariablesBar = memo(function VariablesBar({ variables, refreshSeconds, onVariables, onRefreshSeconds }: Props) {
  const roots = useQuery(rootsQuery());
  const rootId = variables.rootId ?? null;
  const range = variables.range;

  const rootOptions = [{ value: ALL_ROOTS, label: 'All roots' }, ...(roots.data ?? []).map((root) => ({ value: root.id, label: root.name }))];
  // A root not among those loaded (yet, or no longer seen) still shows.
  if (rootId !== null && !rootOptions.some((o) => o.value === rootId)) rootOptions.push({ value: rootId, label: roots.isPending ? 'Loading…' : 'Unknown root' });

  const isPreset = range.kind === 'last' && RANGE_PRESETS.some((p) => p.hours === range.hours);
  const rangeOptions = [...(isPreset ? [] : [{ value: CURRENT, label: rangeLabel(range) }]), ...RANGE_PRESETS.map((p) => ({ value: String(p.hours), label: p.label }))];

  const isRefreshPreset = REFRESH_PRESETS.some((p) => p.seconds === (refreshSeconds || null));
  const refreshOptions = [
    ...(isRefreshPreset ? [] : [{ value: CURRENT, label: refreshLabel(refreshSeconds) }]),
    ...REFRESH_PRESETS.map((p) => ({ value: p.seconds === null ? 'off' : String(p.seconds), label: p.label })),
  ];

  return (
    <Group gap="xs" wrap="wrap" data-testid="variables-bar">
      <Select
        size="xs"
        w={200}
        aria-label="Root"
        leftSection={<IconSitemap size={14} />}
        data={rootOptions}
        value={rootId ?? ALL_ROOTS}
        onChange={(value) => {
          if (value === null) return;
          onVariables({ ...variables, rootId: value === ALL_ROOTS ? null : value });
        }}
        allowDeselect={false}
        searchable={rootOptions.length > 8}
        data-testid="variables-root"
      />
      <Select
        size="xs"
        w={170}
        aria-label="Time range"
        leftSection={<IconClock size={14} />}
        data={rangeOptions}
        value={isPreset && range.kind === 'last' ? String(range.hours) : CURRENT}
        onChange={(value) => {
          if (value === null || value === CURRENT) return;
          onVariables({ ...variables, range: { kind: 'last', hours: Number(value) } });
        }}
        allowDeselect={false}
        data-testid="variables-range"
      />
      <Select
        size="xs"
        w={130}
        aria-label="Refresh every"
        leftSection={<IconRefresh size={14} />}
        data={refreshOptions}
        value={isRefreshPreset ? (refreshSeconds ? String(refreshSeconds) : 'off') : CURRENT}
        onChange={(value) => {
          if (value === null || value === CURRENT) return;
          onRefreshSeconds(value === 'off' ? null : Number(value));
        }}
        allowDeselect={false}
        data-testid="variables-refresh"
      />
    </Group>
  );
});
