// What a dry run of an import would do: counts, then the rows it would
// create, update (each field before → after) and delete, and the errors by
// line, which come first when there are any.
import { Badge, Group, Stack, Table, Tabs, Text } from '@mantine/core';
import { useState } from 'react';
import type { DiffRow, SyncReport } from '../../bindings';
import { formatCount } from '../../shared/format';
import classes from './Data.module.css';
import { fieldLabel, readableValue } from './dataModel';
import { IssuesTable } from './IssuesTable';

type Props = { report: SyncReport; propertyNames: ReadonlyMap<string, string> };

type Section = 'errors' | 'created' | 'updated' | 'deleted';

export function ImportDiffView({ report, propertyNames }: Props) {
  const { diff } = report;
  const hasErrors = diff.errors.length > 0 || diff.errorRows > 0;
  const [section, setSection] = useState<Section>(hasErrors ? 'errors' : diff.updated > 0 ? 'updated' : 'created');

  return (
    <Stack gap="sm" data-testid="import-diff">
      <Group gap="xs" aria-label="What the import would do" role="group">
        <Badge variant="light" color="teal" size="lg" data-testid="diff-count-created">
          {formatCount(diff.created)} created
        </Badge>
        <Badge variant="light" color="blue" size="lg" data-testid="diff-count-updated">
          {formatCount(diff.updated)} updated
        </Badge>
        <Badge variant="light" color="gray" size="lg" data-testid="diff-count-unchanged">
          {formatCount(diff.unchanged)} unchanged
        </Badge>
        <Badge variant="light" color="orange" size="lg" data-testid="diff-count-deleted">
          {formatCount(diff.deleted)} deleted
        </Badge>
        <Badge variant={diff.errorRows > 0 ? 'filled' : 'light'} color={diff.errorRows > 0 ? 'red' : 'gray'} size="lg" data-testid="diff-count-errors">
          {formatCount(diff.errorRows)} {diff.errorRows === 1 ? 'row' : 'rows'} with errors
        </Badge>
        <Text size="xs" c="dimmed">
          of {formatCount(diff.total)} {diff.total === 1 ? 'record' : 'records'} read
        </Text>
      </Group>
      <Tabs value={section} onChange={(v) => setSection((v ?? 'created') as Section)} keepMounted={false}>
        <Tabs.List aria-label="Changes">
          <Tabs.Tab value="errors" color="red" data-testid="diff-tab-errors">
            Errors ({formatCount(diff.errors.length)})
          </Tabs.Tab>
          <Tabs.Tab value="created" data-testid="diff-tab-created">
            Created ({formatCount(diff.created)})
          </Tabs.Tab>
          <Tabs.Tab value="updated" data-testid="diff-tab-updated">
            Updated ({formatCount(diff.updated)})
          </Tabs.Tab>
          <Tabs.Tab value="deleted" data-testid="diff-tab-deleted">
            Deleted ({formatCount(diff.deleted)})
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="errors" pt="sm">
          {diff.errors.length === 0 ? (
            <Text size="sm" c="dimmed">
              No errors: every row can be imported.
            </Text>
          ) : (
            <IssuesTable issues={diff.errors} caption="Fix these in the file (by line), then read it and preview again." testId="diff-errors" />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="created" pt="sm">
          <RowsTable rows={diff.createdRows} count={diff.created} kind="created" propertyNames={propertyNames} />
        </Tabs.Panel>
        <Tabs.Panel value="updated" pt="sm">
          <RowsTable rows={diff.updatedRows} count={diff.updated} kind="updated" propertyNames={propertyNames} />
        </Tabs.Panel>
        <Tabs.Panel value="deleted" pt="sm">
          <RowsTable rows={diff.deletedRows} count={diff.deleted} kind="deleted" propertyNames={propertyNames} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

const EMPTY: Record<Section, string> = {
  errors: '',
  created: 'No new entities.',
  updated: 'No entity changes.',
  deleted: 'Nothing is deleted.',
};

function RowsTable({ rows, count, kind, propertyNames }: { rows: DiffRow[]; count: number; kind: 'created' | 'updated' | 'deleted'; propertyNames: ReadonlyMap<string, string> }) {
  if (rows.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {EMPTY[kind]}
      </Text>
    );
  }
  return (
    <Stack gap={4}>
      {rows.length < count && (
        <Text size="xs" c="dimmed">
          The first {formatCount(rows.length)} of {formatCount(count)}.
        </Text>
      )}
      <Table withTableBorder striped verticalSpacing={4} fz="sm" data-testid={`diff-${kind}`}>
        <Table.Thead>
          <Table.Tr>
            {kind !== 'deleted' && <Table.Th w={70}>Line</Table.Th>}
            <Table.Th>External id</Table.Th>
            <Table.Th>Name</Table.Th>
            {kind === 'created' && <Table.Th>Sets</Table.Th>}
            {kind === 'updated' && <Table.Th>Changes</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={`${row.externalId}-${row.line ?? 0}`} data-testid={`diff-${kind}-${row.externalId}`}>
              {kind !== 'deleted' && <Table.Td>{row.line === null || row.line === 0 ? '' : row.line}</Table.Td>}
              <Table.Td>{row.externalId}</Table.Td>
              <Table.Td>{row.name}</Table.Td>
              {kind === 'created' && (
                <Table.Td>
                  <ul className={classes.changes}>
                    {row.changes.map((change) => (
                      <li key={change.field}>
                        {fieldLabel(change.field, propertyNames)}: {readableValue(change.after)}
                      </li>
                    ))}
                  </ul>
                </Table.Td>
              )}
              {kind === 'updated' && (
                <Table.Td>
                  <ul className={classes.changes}>
                    {row.changes.map((change) => (
                      <li key={change.field} data-testid={`diff-change-${row.externalId}-${change.field}`}>
                        {fieldLabel(change.field, propertyNames)}:{' '}
                        <Text span c="dimmed">
                          {readableValue(change.before)}
                        </Text>
                        {' → '}
                        <Text span fw={600}>
                          {readableValue(change.after)}
                        </Text>
                      </li>
                    ))}
                  </ul>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
