import { Button, Center, Group, Loader, Paper, ScrollArea, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRestore, IconTrash, IconTrashX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { TrashItem } from '../../bindings';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { useRestore } from '../../shared/useRestore';
import { entitiesLabel, formatDate, formatDateTime, formatRelative } from '../../shared/format';
import { NodeIcon } from '../../shared/nodeIcons';
import { useCapabilities } from '../people';
import { trashQuery, useRestoreEntity } from './api';
import { PurgeDialog } from './PurgeDialog';
import { isPurgeable, restoreBlockedReason } from './trashRules';

/**
 * Deleted subtrees, newest first: restore them (with write on their root), or
 * purge them for good (with purge on their root).
 */
export function TrashView() {
  const trash = useQuery(trashQuery());
  const [purging, setPurging] = useState<TrashItem | null>(null);
  const { whyNot } = useCapabilities();

  return (
    <ScrollArea h="100%">
      <Stack p="lg" gap="md" maw={1100}>
        <Group justify="space-between">
          <Title order={3}>Trash</Title>
          {trash.data && (
            <Text size="sm" c="dimmed">
              {trash.data.length === 1 ? '1 deletion' : `${trash.data.length.toLocaleString('en-US')} deletions`}
            </Text>
          )}
        </Group>
        {trash.isPending ? (
          <Center p="xl">
            <Loader size="sm" />
          </Center>
        ) : trash.isError ? (
          <ErrorNotice error={trash.error} />
        ) : trash.data.length === 0 ? (
          <EmptyState title="The trash is empty." icon={IconTrash} framed testId="trash-empty">
            Entities deleted in the registry (Delete key, or the context menu) wait here with everything under them, until restored or purged.
          </EmptyState>
        ) : (
          <Paper withBorder radius="md">
            <Table highlightOnHover verticalSpacing="sm" data-testid="trash-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Deleted</Table.Th>
                  <Table.Th>Size</Table.Th>
                  <Table.Th w={230} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {trash.data.map((item) => (
                  <TrashRow key={item.id} item={item} whyNot={whyNot} onPurge={() => setPurging(item)} />
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        )}
      </Stack>
      {purging && whyNot(purging, 'purge') === null && <PurgeDialog item={purging} onClose={() => setPurging(null)} />}
    </ScrollArea>
  );
}

type RowProps = { item: TrashItem; whyNot: ReturnType<typeof useCapabilities>['whyNot']; onPurge: () => void };

function TrashRow({ item, whyNot, onPurge }: RowProps) {
  const restoreEntity = useRestoreEntity();
  const { busy, restore: run } = useRestore(() => restoreEntity(item.id), item.name);
  const blocked = restoreBlockedReason(item);
  const purgeable = isPurgeable(item);
  // Restoring needs write on the row's root, purging purge (the database checks it too).
  const mayNotRestore = whyNot(item, 'write');
  const mayNotPurge = whyNot(item, 'purge');

  const restore = async () => {
    const outcome = await run();
    if (outcome) {
      notifications.show({ color: 'teal', title: 'Restored', message: `"${outcome.node.name}" and ${entitiesLabel(Math.max(0, outcome.restored - 1))} under it are back.` });
    }
  };

  return (
    <Table.Tr data-testid={`trash-row-${item.id}`}>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <NodeIcon icon={item.icon} size={18} color="var(--eco-icon-muted)" />
          <Stack gap={0} style={{ minWidth: 0 }}>
            <Text size="sm" fw={500}>
              {item.name}
            </Text>
            <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
              {item.pathLabel}
            </Text>
          </Stack>
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{item.typeName}</Text>
      </Table.Td>
      <Table.Td>
        <Tooltip label={formatDateTime(item.deletedAt)} openDelay={300}>
          <Text size="sm">{formatRelative(item.deletedAt)}</Text>
        </Tooltip>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{entitiesLabel(item.deletedCount)}</Text>
      </Table.Td>
      <Table.Td>
        <Group gap="xs" justify="flex-end" wrap="nowrap">
          <Tooltip label={blocked ?? ''} disabled={blocked === null || mayNotRestore !== null} withArrow>
            <span>
              <Button
                size="compact-sm"
                variant="light"
                leftSection={<IconRestore size={14} />}
                disabled={blocked !== null || mayNotRestore !== null}
                title={mayNotRestore ?? undefined}
                loading={busy}
                onClick={() => void restore()}
                data-testid={`trash-restore-${item.id}`}
              >
                Restore
              </Button>
            </span>
          </Tooltip>
          <Tooltip label={`Can be purged from ${formatDateTime(item.purgeableFrom)}`} disabled={purgeable || mayNotPurge !== null} withArrow>
            <span>
              <Button
                size="compact-sm"
                variant="subtle"
                color="red"
                leftSection={<IconTrashX size={14} />}
                disabled={!purgeable || mayNotPurge !== null}
                title={mayNotPurge ?? undefined}
                onClick={onPurge}
                data-testid={`trash-purge-${item.id}`}
              >
                Purge…
              </Button>
            </span>
          </Tooltip>
        </Group>
        {!purgeable && (
          <Text size="xs" c="dimmed" ta="right" mt={2} data-testid={`trash-purgeable-${item.id}`}>
            Purgeable from {formatDate(item.purgeableFrom)}
          </Text>
        )}
        {blocked !== null && (
          <Text size="xs" c="dimmed" ta="right" mt={2}>
            Restore its parent first
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}
