// The log of import runs, newest first: what each wrote, and the errors of
// those that had some (line, column, problem).
import { Badge, Button, Center, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconHistory, IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Fragment, useMemo, useState } from 'react';
import type { SyncImport } from '../../bindings';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { formatCount, formatDateTime } from '../../shared/format';
import { entityTypesQuery } from '../entity-types/api';
import { importRunsQuery } from './api';
import { modeLabel, statusColor } from './dataModel';
import { IssuesTable } from './IssuesTable';

const COLUMNS = 12;

export function ImportRunsPanel({ onImport }: { onImport: () => void }) {
  const runs = useQuery(importRunsQuery());
  const types = useQuery(entityTypesQuery(false));
  const [open, setOpen] = useState<string | null>(null);
  const typeNames = useMemo(() => new Map((types.data ?? []).map((t) => [t.key, t.name])), [types.data]);

  return (
    <Stack gap="md" maw={1300}>
      <Group justify="space-between">
        <Stack gap={2}>
          <Title order={3}>Import runs</Title>
          <Text size="sm" c="dimmed">
            Every import of rows, newest first. Open a run with errors to see them by line.
          </Text>
        </Stack>
        <Button variant="default" size="xs" leftSection={<IconRefresh size={14} />} onClick={() => void runs.refetch()} loading={runs.isFetching} data-testid="import-runs-refresh">
          Refresh
        </Button>
      </Group>
      {runs.isPending ? (
        <Center p="xl">
          <Group gap="xs">
            <Loader size="sm" />
            <Text size="sm" c="dimmed">
              Loading the import runs…
            </Text>
          </Group>
        </Center>
      ) : runs.isError ? (
        <Stack gap="xs">
          <ErrorNotice error={runs.error} subject="The import runs could not be read" />
          <Group>
            <Button size="xs" variant="light" onClick={() => void runs.refetch()}>
              Try again
            </Button>
          </Group>
        </Stack>
      ) : runs.data.length === 0 ? (
        <EmptyState
          title="No imports yet."
          icon={IconHistory}
          framed
          testId="import-runs-empty"
          actions={
            <Button size="xs" variant="light" onClick={onImport}>
              Import a file
            </Button>
          }
        >
          Each import of a CSV or JSON file is listed here with what it created, changed and refused.
        </EmptyState>
      ) : (
        <Paper withBorder radius="md">
          <Table highlightOnHover verticalSpacing="xs" fz="sm" data-testid="import-runs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Started</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>File</Table.Th>
                <Table.Th>Mode</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th ta="right">Read</Table.Th>
                <Table.Th ta="right">Created</Table.Th>
                <Table.Th ta="right">Updated</Table.Th>
                <Table.Th ta="right">Unchanged</Table.Th>
                <Table.Th ta="right">Deleted</Table.Th>
                <Table.Th ta="right">Errors</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.map((run) => (
                <RunRow key={run.id} run={run} typeName={typeNames.get(run.entityType) ?? run.entityType} open={open === run.id} onToggle={() => setOpen((o) => (o === run.id ? null : run.id))} />
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </Stack>
  );
}

function RunRow({ run, typeName, open, onToggle }: { run: SyncImport; typeName: string; open: boolean; onToggle: () => void }) {
  const hasErrors = run.errors.length > 0 || run.errorCount > 0;
  const count = (n: number) => <Table.Td ta="right">{formatCount(n)}</Table.Td>;
  return (
    <Fragment>
      <Table.Tr data-testid={`import-run-${run.id}`} data-status={run.status} onClick={hasErrors ? onToggle : undefined} style={hasErrors ? { cursor: 'pointer' } : undefined}>
        <Table.Td>{formatDateTime(run.startedAt)}</Table.Td>
        <Table.Td>{typeName}</Table.Td>
        <Table.Td>{run.source}</Table.Td>
        <Table.Td>{run.fileName ?? ''}</Table.Td>
        <Table.Td>{modeLabel(run.mode)}</Table.Td>
        <Table.Td>
          <Badge variant="light" color={statusColor(run.status)}>
            {run.status}
          </Badge>
        </Table.Td>
        {count(run.totalRecords)}
        {count(run.createdCount)}
        {count(run.updatedCount)}
        {count(run.skippedCount)}
        {count(run.deletedCount)}
        <Table.Td ta="right">
          {hasErrors ? (
            <Button
              size="compact-xs"
              variant="subtle"
              color="red"
              rightSection={open ? <IconChevronDown size={12} /> : <IconChevronRight size={12} />}
              onClick={(e) => {
                e.stopPropagation();
                onToggle();
              }}
              aria-expanded={open}
              aria-label={`${open ? 'Hide' : 'Show'} the ${formatCount(run.errorCount)} errors of this run`}
              data-testid={`import-run-errors-toggle-${run.id}`}
            >
              {formatCount(run.errorCount)}
            </Button>
          ) : (
            formatCount(run.errorCount)
          )}
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr>
          <Table.Td colSpan={COLUMNS}>
            {run.errors.length === 0 ? (
              <Text size="sm" c="dimmed">
                The run kept no details of its errors.
              </Text>
            ) : (
              <IssuesTable issues={run.errors} caption={`Errors of the import of ${run.fileName ?? 'the file'}`} testId={`import-run-errors-${run.id}`} />
            )}
          </Table.Td>
        </Table.Tr>
      )}
    </Fragment>
  );
}
