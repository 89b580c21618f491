import { Badge, Center, Group, Loader, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { HistoryEntry } from '../../bindings';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { formatDateTime, formatRelative } from '../../shared/format';
import { RestorePropertiesButton } from '../properties';
import { propertyDefinitionsQuery } from '../properties/api';
import { entityQuery, historyQuery } from './api';
import { actionInWords, historyChanges, propertyChanges, type FieldChange, type PropertyChange } from './historyFormat';

/** The audit action of a change of property values. */
const PROPERTIES_ACTION = 'entity.properties';

const ACTION_COLORS: Record<string, string> = {
  Created: 'teal',
  Renamed: 'blue',
  Moved: 'violet',
  Deleted: 'red',
  Restored: 'green',
  Purged: 'dark',
  Values: 'cyan',
};

/**
 * The audit trail of one entity, newest first. `refused`: why the person may
 * not change the entity (the pane says it), which disables restoring values.
 */
export function EntityHistory({ id, refused = null }: { id: string; refused?: string | null }) {
  const history = useQuery(historyQuery(id));
  const entity = useQuery(entityQuery(id));
  const hasPropertyRows = history.data?.some((entry) => entry.action === PROPERTIES_ACTION) ?? false;
  const definitions = useQuery({ ...propertyDefinitionsQuery(), enabled: hasPropertyRows });
  const names = new Map((definitions.data ?? []).map((definition) => [definition.key, definition.name]));
  const version = entity.data && entity.data.deletedAt === null ? entity.data.node.updatedAt : null;
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
        {history.data.map((entry) =>
          entry.action === PROPERTIES_ACTION ? (
            <PropertiesRow key={entry.id} entityId={id} entry={entry} names={names} version={version} refused={refused} />
          ) : (
            <HistoryRow key={entry.id} entry={entry} />
          ),
        )}
      </Table.Tbody>
    </Table>
  );
}

function HistoryRow({ entry }: { entry: HistoryEntry }) {
  const changes = historyChanges(entry.before, entry.after);
  return (
    <RowFrame entry={entry}>
      {changes.length === 0 ? (
        <Text size="sm" c="dimmed">
          —
        </Text>
      ) : (
        changes.map((change) => <ChangeLine key={change.field} change={change} />)
      )}
    </RowFrame>
  );
}

type PropertiesRowProps = { entityId: string; entry: HistoryEntry; names: Map<string, string>; version: string | null; refused: string | null };

/** A change of property values: each property before and after, and a way back to this state. */
function PropertiesRow({ entityId, entry, names, version, refused }: PropertiesRowProps) {
  const changes = propertyChanges(entry.before, entry.after);
  return (
    <RowFrame entry={entry} action="Values">
      <Stack gap={4} align="flex-start">
        {changes.map((change) => (
          <PropertyChangeLine key={change.key} change={change} label={names.get(change.key) ?? change.key} />
        ))}
        <RestorePropertiesButton entityId={entityId} eventId={entry.id} expectedUpdatedAt={version} refused={refused} />
      </Stack>
    </RowFrame>
  );
}

function RowFrame({ entry, action = actionInWords(entry.action), children }: { entry: HistoryEntry; action?: string; children: ReactNode }) {
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
      <Table.Td>{children}</Table.Td>
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

function PropertyValueText({ value, struck = false }: { value: string | null; struck?: boolean }) {
  if (value === null) {
    return (
      <Text size="sm" c="dimmed" fs="italic">
        none
      </Text>
    );
  }
  return (
    <Text size="sm" td={struck ? 'line-through' : undefined} c={struck ? 'dimmed' : undefined} style={{ overflowWrap: 'anywhere' }}>
      {value}
    </Text>
  );
}

function PropertyChangeLine({ change, label }: { change: PropertyChange; label: string }) {
  return (
    <div data-testid={`history-property-${change.key}`}>
      <Text size="xs" c="dimmed" title={change.key}>
        {label}
      </Text>
      <Group gap={6} wrap="wrap" align="center">
        <PropertyValueText value={change.before} struck />
        <IconArrowRight size={12} style={{ flex: '0 0 auto' }} aria-label="becomes" />
        <PropertyValueText value={change.after} />
      </Group>
    </div>
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
