import { Badge, Center, Group, Loader, Table, Text, Tooltip } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { HistoryEntry } from '../../bindings';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { formatDateTime, formatRelative } from '../../shared/format';
import { historyQuery } from './api';
import { actionInWords, historyChanges, type FieldChange } from './historyFormat';

const ACTION_COLORS: Record<string, string> = {
  Created: 'teal',
  Renamed: 'blue',
  Moved: 'violet',
  Deleted: 'red',
  Restored: 'green',
  Purged: 'dark',
};

/** The audit trail of one entity, newest first. */
export function EntityHistory({ id }: { id: string }) {
  const history = useQuery(historyQuery(id));
  if (history.isPending) {
    return (
      <Center p="lg">
        <Loader size="sm" />
      </Center>
    );
  }
  if (history.isError) return <ErrorNotice error={history.error} />;
  if (history.data.length === 0) {
    return (
      <Text c="dimmed" size="sm" p="md">
        No history recorded yet.
      </Text>
    );
  }
  return (
    <Table striped highlightOnHover verticalSpacing="xs" data-testid="history-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={150}>When</Table.Th>
          <Table.Th w={120}>Action</Table.Th>
          <Table.Th>Change</Table.Th>
          <Table.Th w={150}>By</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {history.data.map((entry) => (
          <HistoryRow key={entry.id} entry={entry} />
        ))}
      </Table.Tbody>
    </Table>
  );
}

function HistoryRow({ entry }: { entry: HistoryEntry }) {
  const action = actionInWords(entry.action);
  const changes = historyChanges(entry.before, entry.after);
  return (
    <Table.Tr data-testid="history-row">
      <Table.Td>
        <Tooltip label={formatDateTime(entry.occurredAt)} openDelay={300}>
          <Text size="sm">{formatRelative(entry.occurredAt)}</Text>
        </Tooltip>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={ACTION_COLORS[action] ?? 'gray'} title={entry.action}>
          {action}
        </Badge>
      </Table.Td>
      <Table.Td>
        {changes.length === 0 ? (
          <Text size="sm" c="dimmed">
            —
          </Text>
        ) : (
          changes.map((change) => <ChangeLine key={change.field} change={change} />)
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{entry.actor ?? 'unknown'}</Text>
        {entry.source && (
          <Text size="xs" c="dimmed">
            via {entry.source}
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function ChangeLine({ change }: { change: FieldChange }) {
  return (
    <Group gap={6} wrap="nowrap" data-testid={`history-change-${change.field}`}>
      <Text size="xs" c="dimmed" w={44} style={{ flex: '0 0 auto' }}>
        {change.label}
      </Text>
      {change.before !== null && (
        <Text size="sm" td={change.after !== null ? 'line-through' : undefined} c={change.after !== null ? 'dimmed' : undefined} style={{ overflowWrap: 'anywhere' }}>
          {change.before}
        </Text>
      )}
      {change.before !== null && change.after !== null && <IconArrowRight size={12} style={{ flex: '0 0 auto' }} />}
      {change.after !== null && (
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {change.after}
        </Text>
      )}
    </Group>
  );
}
