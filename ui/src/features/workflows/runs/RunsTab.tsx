import { Badge, CloseButton, Center, Group, Loader, MultiSelect, Pill, Select, Stack, Table, Text } from '@mantine/core';
import { IconHistory } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { EmptyState } from '../../../shared/EmptyState';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { formatDateTime } from '../../../shared/format';
import { EntityPicker } from '../../links';
import { executionsQuery, workflowsQuery } from '../api';
import type { Execution, ExecutionFilter, ExecutionStatus } from '../types';
import classes from '../Workflows.module.css';
import { durationMs, EXECUTION_STATUS_COLOR, EXECUTION_STATUS_LABEL, EXECUTION_STATUSES, formatDuration } from '../workflowsModel';

/** How many runs the list shows at most (the newest). */
export const RUNS_LIMIT = 200;

/** What the runs are filtered by; the entity keeps its name to show it. */
export type RunFilter = { workflowId: string | null; statuses: ExecutionStatus[]; entity: { id: string; name: string } | null };

export const NO_RUN_FILTER: RunFilter = { workflowId: null, statuses: [], entity: null };

export function executionFilterOf(filter: RunFilter): ExecutionFilter {
  return { workflowId: filter.workflowId, statuses: filter.statuses, entityId: filter.entity?.id ?? null, limit: RUNS_LIMIT };
}

type Props = {
  filter: RunFilter;
  onFilterChange: (filter: RunFilter) => void;
  onOpenExecution: (id: string) => void;
};

/** The runs, newest first, filtered by workflow, status and entity; refreshed every 2 s while one is active. */
export function RunsTab({ filter, onFilterChange, onOpenExecution }: Props) {
  const runs = useQuery(executionsQuery(executionFilterOf(filter)));
  return (
    <Stack gap="sm" data-testid="runs-tab">
      <RunFilters filter={filter} onChange={onFilterChange} />
      {runs.isPending ? (
        <Center p="md">
          <Loader size="sm" />
        </Center>
      ) : runs.isError ? (
        <ErrorNotice error={runs.error} subject="Runs" />
      ) : runs.data.length === 0 ? (
        <EmptyState title="No runs match." icon={IconHistory} framed testId="runs-empty">
          Runs appear when a workflow starts: run one by hand from the Workflows tab, or wait for its trigger. Loosen the filters above to see older runs.
        </EmptyState>
      ) : (
        <RunsTable runs={runs.data} onOpen={onOpenExecution} />
      )}
    </Stack>
  );
}

function RunFilters({ filter, onChange }: { filter: RunFilter; onChange: (filter: RunFilter) => void }) {
  const workflows = useQuery(workflowsQuery());
  const workflowOptions = (workflows.data ?? []).filter((w) => w.deletedAt === null).map((w) => ({ value: w.id, label: w.name }));
  const statusOptions = EXECUTION_STATUSES.map((status) => ({ value: status, label: EXECUTION_STATUS_LABEL[status] }));
  return (
    <Group gap="sm" align="flex-end" data-testid="runs-filters">
      <Select
        label="Workflow"
        placeholder="All workflows"
        data={workflowOptions}
        value={filter.workflowId}
        onChange={(workflowId) => onChange({ ...filter, workflowId })}
        clearable
        searchable
        w={220}
        data-testid="runs-filter-workflow"
      />
      <MultiSelect
        label="Status"
        placeholder={filter.statuses.length === 0 ? 'Any status' : undefined}
        data={statusOptions}
        value={filter.statuses}
        onChange={(statuses) => onChange({ ...filter, statuses: statuses as ExecutionStatus[] })}
        clearable
        w={300}
        data-testid="runs-filter-status"
      />
      {filter.entity === null ? (
        <EntityPicker label="Entity" placeholder="Any entity" onPick={(node) => onChange({ ...filter, entity: { id: node.id, name: node.name } })} testId="runs-filter-entity" />
      ) : (
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            Entity
          </Text>
          <Group gap={4} wrap="nowrap" data-testid="runs-filter-entity-chosen">
            <Pill>{filter.entity.name}</Pill>
            <CloseButton size="sm" aria-label="Any entity" onClick={() => onChange({ ...filter, entity: null })} data-testid="runs-filter-entity-clear" />
          </Group>
        </Stack>
      )}
    </Group>
  );
}

function RunsTable({ runs, onOpen }: { runs: Execution[]; onOpen: (id: string) => void }) {
  return (
    <Table className={classes.table} withTableBorder highlightOnHover data-testid="runs-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Workflow</Table.Th>
          <Table.Th>Version</Table.Th>
          <Table.Th>Entity</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Started</Table.Th>
          <Table.Th>Finished</Table.Th>
          <Table.Th>Duration</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {runs.map((run) => (
          <RunRow key={run.id} run={run} onOpen={() => onOpen(run.id)} />
        ))}
      </Table.Tbody>
    </Table>
  );
}

function RunRow({ run, onOpen }: { run: Execution; onOpen: () => void }) {
  const ms = durationMs(run.startedAt, run.finishedAt);
  return (
    <Table.Tr
      className={classes.clickableRow}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onOpen();
      }}
      tabIndex={0}
      aria-label={`Run of ${run.workflowName}, ${EXECUTION_STATUS_LABEL[run.status]}`}
      data-testid={`run-row-${run.id}`}
    >
      <Table.Td>{run.workflowName}</Table.Td>
      <Table.Td>v{run.version}</Table.Td>
      <Table.Td>{run.entityName ?? run.entityId ?? '—'}</Table.Td>
      <Table.Td>
        <Badge variant="light" color={EXECUTION_STATUS_COLOR[run.status]} data-testid={`run-status-${run.id}`}>
          {EXECUTION_STATUS_LABEL[run.status]}
        </Badge>
      </Table.Td>
      <Table.Td>{run.startedAt === null ? '—' : formatDateTime(run.startedAt)}</Table.Td>
      <Table.Td>{run.finishedAt === null ? '—' : formatDateTime(run.finishedAt)}</Table.Td>
      <Table.Td>{ms === null ? '—' : formatDuration(ms)}</Table.Td>
    </Table.Tr>
  );
}
