import { ActionIcon, Badge, Button, Center, Code, Group, Loader, Paper, ScrollArea, Stack, Switch, Table, Text, ThemeIcon, Title, Tooltip } from '@mantine/core';
import { IconPlus, IconTable } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { EntityType } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { showActionUnavailable } from '../../shared/actionNotice';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { useActionRequests } from '../../shared/WorkspaceContext';
import { ReadOnlyNotice } from '../../shared/ReadOnlyNotice';
import { RowActions } from '../../shared/RowActions';
import { useRestore } from '../../shared/useRestore';
import { formatCount } from '../../shared/format';
import { NodeIcon } from '../../shared/nodeIcons';
import { useDefinitionsRefusal } from '../people';
import { useOpenTypeView } from '../views';
import { entityTypesQuery, useRestoreEntityType } from './api';
import { DeleteTypeDialog } from './DeleteTypeDialog';
import { TypeFormDialog } from './TypeFormDialog';

type Editing = { kind: 'create' } | { kind: 'edit'; type: EntityType } | { kind: 'delete'; type: EntityType };

/** The entity types: create, edit, delete and restore (system types are read-only). */
export function TypesView() {
  const [showDeleted, setShowDeleted] = useState(false);
  const types = useQuery(entityTypesQuery(showDeleted));
  const [editing, setEditing] = useState<Editing | null>(null);
  // Types are global: only an administrator changes them (the database checks it too).
  const refused = useDefinitionsRefusal();
  // No dialog stays open for someone refused (one opened before the session was known).
  const open = refused === null ? editing : null;
  useActionRequests('types', { new: () => (refused !== null ? showActionUnavailable(refused) : setEditing({ kind: 'create' })) });

  return (
    <ScrollArea h="100%">
      <Stack p="lg" gap="md" maw={1100}>
        <Group justify="space-between">
          <Title order={3}>Entity types</Title>
          <Group gap="md">
            <Switch label="Show deleted" checked={showDeleted} onChange={(e) => setShowDeleted(e.currentTarget.checked)} data-testid="types-show-deleted" />
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() => setEditing({ kind: 'create' })}
              disabled={refused !== null}
              title={refused ?? undefined}
              data-testid="types-new"
            >
              New type
            </Button>
          </Group>
        </Group>
        {refused !== null && <ReadOnlyNotice reason={refused} testId="types-read-only" />}
        {types.isPending ? (
          <Center p="xl">
            <Loader size="sm" />
          </Center>
        ) : types.isError ? (
          <ErrorNotice error={types.error} />
        ) : (
          <Paper withBorder radius="md">
            <Table highlightOnHover verticalSpacing="sm" data-testid="types-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={56}>Icon</Table.Th>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Key</Table.Th>
                  <Table.Th ta="right">Live entities</Table.Th>
                  <Table.Th w={56}>View</Table.Th>
                  <Table.Th w={130} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {types.data.map((type) => (
                  <TypeRow key={type.id} type={type} refused={refused} onEdit={() => setEditing({ kind: 'edit', type })} onDelete={() => setEditing({ kind: 'delete', type })} />
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        )}
      </Stack>
      {open?.kind === 'create' && <TypeFormDialog type={null} onClose={() => setEditing(null)} />}
      {open?.kind === 'edit' && <TypeFormDialog type={open.type} onClose={() => setEditing(null)} />}
      {open?.kind === 'delete' && <DeleteTypeDialog type={open.type} onClose={() => setEditing(null)} />}
    </ScrollArea>
  );
}

function TypeRow({ type, refused, onEdit, onDelete }: { type: EntityType; refused: string | null; onEdit: () => void; onDelete: () => void }) {
  const restoreType = useRestoreEntityType();
  const { busy, restore } = useRestore(() => restoreType(type.id), type.name);
  const deleted = type.deletedAt !== null;
  const locked = type.isSystem ? 'System types cannot be changed' : null;

  return (
    <Table.Tr data-testid={`type-row-${type.key}`} style={deleted ? { opacity: 0.6 } : undefined}>
      <Table.Td>
        <ThemeIcon variant="light" size="lg">
          <NodeIcon icon={type.icon} size={20} />
        </ThemeIcon>
      </Table.Td>
      <Table.Td>
        <Group gap="xs">
          <Text size="sm" fw={500}>
            {type.name}
          </Text>
          {type.isSystem && (
            <Badge size="xs" variant="outline" color="gray">
              System
            </Badge>
          )}
          {deleted && (
            <Badge size="xs" color="red" variant="light">
              Deleted
            </Badge>
          )}
        </Group>
        {type.description && (
          <Text size="xs" c="dimmed">
            {type.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Code>{type.key}</Code>
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm">{formatCount(type.liveEntities)}</Text>
      </Table.Td>
      <Table.Td>
        {!deleted && <OpenTypeView type={type} />}
      </Table.Td>
      <Table.Td>
        <RowActions name={type.name} kind="type" rowKey={type.key} deleted={deleted} locked={locked} refused={refused} restoring={busy} onEdit={onEdit} onDelete={onDelete} onRestore={() => void restore()} />
      </Table.Td>
    </Table.Tr>
  );
}

/** Opens the type's entities in the Views screen: its chosen view, else one made from its layout. */
function OpenTypeView({ type }: { type: EntityType }) {
  const openTypeView = useOpenTypeView();
  const [error, setError] = useState<unknown>(null);
  return (
    <Tooltip label={error ? describeError(error).message : `All ${type.name} entities as a view`} color={error ? 'red' : undefined} withArrow>
      <ActionIcon
        variant="subtle"
        color={error ? 'red' : 'gray'}
        aria-label={`Open ${type.name} as a view`}
        onClick={() => {
          setError(null);
          openTypeView(type).catch(setError);
        }}
        data-testid={`type-open-view-${type.key}`}
      >
        <IconTable size={16} />
      </ActionIcon>
    </Tooltip>
  );
}
