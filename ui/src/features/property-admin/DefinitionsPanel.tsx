import { Badge, Button, Center, Code, Group, Loader, Paper, Stack, Switch, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { PropertyDefinition, PropertyGroup } from '../../bindings';
import { showActionUnavailable } from '../../shared/actionNotice';
import { useActionRequests } from '../../shared/WorkspaceContext';
import { ConfirmDeleteDialog } from '../../shared/ConfirmDeleteDialog';
import { RowActions } from '../../shared/RowActions';
import { useRestore } from '../../shared/useRestore';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { propertyDefinitionsQuery, propertyGroupsQuery, useDeletePropertyDefinition, useReloadSchema, useRestorePropertyDefinition } from './api';
import { DefinitionFormDialog } from './DefinitionFormDialog';
import classes from './PropertyAdmin.module.css';
import { describeRules, valueTypeLabel } from './rules';

type Editing = { kind: 'create' } | { kind: 'edit'; definition: PropertyDefinition } | { kind: 'delete'; definition: PropertyDefinition };

type Section = { key: string; group: PropertyGroup | null; definitions: PropertyDefinition[] };

/** Definitions by group, in group order; those without a group last. Empty live groups are listed too. */
export function sectionsOf(definitions: readonly PropertyDefinition[], groups: readonly PropertyGroup[]): Section[] {
  const sections: Section[] = groups
    .map((group) => ({ key: group.key, group, definitions: definitions.filter((d) => d.groupId === group.id) }))
    .filter((section) => section.group.deletedAt === null || section.definitions.length > 0);
  const known = new Set(groups.map((g) => g.id));
  const ungrouped = definitions.filter((d) => d.groupId === null || !known.has(d.groupId));
  if (ungrouped.length > 0) sections.push({ key: 'none', group: null, definitions: ungrouped });
  return sections;
}

/** Every property, by group: create, edit, delete and restore (the system `name` is read-only; everything while `refused` says why). */
export function DefinitionsPanel({ refused }: { refused: string | null }) {
  const [showDeleted, setShowDeleted] = useState(false);
  const definitions = useQuery(propertyDefinitionsQuery(showDeleted));
  const groups = useQuery(propertyGroupsQuery(true));
  const [editing, setEditing] = useState<Editing | null>(null);
  // No dialog stays open for someone refused (one opened before the session was known).
  const open = refused === null ? editing : null;
  useActionRequests('properties', { 'new-definition': () => (refused !== null ? showActionUnavailable(refused) : setEditing({ kind: 'create' })) });

  const pending = definitions.isPending || groups.isPending;
  const failed = definitions.error ?? groups.error;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Text size="sm" c="dimmed" maw={620}>
          The properties entities can have. A property's key is fixed once created; a new type or new rules are checked against the values already stored.
        </Text>
        <Group gap="md">
          <Switch label="Show deleted" checked={showDeleted} onChange={(e) => setShowDeleted(e.currentTarget.checked)} data-testid="definitions-show-deleted" />
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={() => setEditing({ kind: 'create' })}
            disabled={refused !== null}
            title={refused ?? undefined}
            data-testid="definitions-new"
          >
            New property
          </Button>
        </Group>
      </Group>
      {pending ? (
        <Center p="xl">
          <Loader size="sm" />
        </Center>
      ) : failed ? (
        <ErrorNotice error={failed} />
      ) : (
        <Paper withBorder radius="md" style={{ overflow: 'hidden' }}>
          <Table verticalSpacing="xs" highlightOnHover data-testid="definitions-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Rules</Table.Th>
                <Table.Th>Flags</Table.Th>
                <Table.Th w={96} />
              </Table.Tr>
            </Table.Thead>
            {sectionsOf(definitions.data ?? [], groups.data ?? []).map((section) => (
              <Table.Tbody key={section.key} data-testid={`definitions-section-${section.key}`}>
                <Table.Tr className={classes.groupHeader}>
                  <Table.Td colSpan={6}>
                    <Group gap="xs">
                      <Text size="sm" fw={600}>
                        {section.group?.name ?? 'No group'}
                      </Text>
                      {section.group?.deletedAt && (
                        <Badge size="xs" color="red" variant="light">
                          Deleted group
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
                {section.definitions.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={6}>
                      <Text size="sm" c="dimmed">
                        No properties in this group.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {section.definitions.map((definition) => (
                  <DefinitionRow
                    key={definition.id}
                    definition={definition}
                    refused={refused}
                    onEdit={() => setEditing({ kind: 'edit', definition })}
                    onDelete={() => setEditing({ kind: 'delete', definition })}
                  />
                ))}
              </Table.Tbody>
            ))}
          </Table>
        </Paper>
      )}
      {open?.kind === 'create' && <DefinitionFormDialog definition={null} onClose={() => setEditing(null)} />}
      {open?.kind === 'edit' && <DefinitionFormDialog definition={open.definition} onClose={() => setEditing(null)} />}
      {open?.kind === 'delete' && <DeleteDefinitionDialog definition={open.definition} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

type RowProps = { definition: PropertyDefinition; refused: string | null; onEdit: () => void; onDelete: () => void };

function DefinitionRow({ definition, refused, onEdit, onDelete }: RowProps) {
  const restoreDefinition = useRestorePropertyDefinition();
  const { busy, restore } = useRestore(() => restoreDefinition(definition.id), definition.name);
  const deleted = definition.deletedAt !== null;
  const locked = definition.isSystem ? 'The system property name cannot be changed' : null;

  return (
    <Table.Tr data-testid={`definition-row-${definition.key}`} style={deleted ? { opacity: 0.6 } : undefined}>
      <Table.Td>
        <Text size="sm" fw={500}>
          {definition.name}
        </Text>
        {definition.description && (
          <Text size="xs" c="dimmed" lineClamp={2}>
            {definition.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Code>{definition.key}</Code>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color="gray" tt="none">
          {valueTypeLabel(definition.valueType)}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text size="xs" c="dimmed" lineClamp={2} maw={240}>
          {describeRules(definition.valueType, definition.rules)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {definition.isRequired && (
            <Badge size="xs" variant="light" color="red">
              Required
            </Badge>
          )}
          {definition.isSensitive && (
            <Badge size="xs" variant="light" color="grape">
              Sensitive
            </Badge>
          )}
          {definition.isSearchable && (
            <Badge size="xs" variant="light" color="blue">
              Searchable
            </Badge>
          )}
          {definition.isSystem && (
            <Badge size="xs" variant="outline" color="gray">
              System
            </Badge>
          )}
          {deleted && (
            <Badge size="xs" variant="filled" color="red">
              Deleted
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <RowActions name={definition.name} kind="definition" rowKey={definition.key} deleted={deleted} locked={locked} refused={refused} restoring={busy} onEdit={onEdit} onDelete={onDelete} onRestore={() => void restore()} />
      </Table.Td>
    </Table.Tr>
  );
}

/** Delete a property; its values stay and come back with a restore. */
function DeleteDefinitionDialog({ definition, onClose }: { definition: PropertyDefinition; onClose: () => void }) {
  const deleteDefinition = useDeletePropertyDefinition();
  const reload = useReloadSchema();
  return (
    <ConfirmDeleteDialog
      title={`Delete property ${definition.name}`}
      question={`Delete the property "${definition.name}"? Entities stop showing it; its stored values are kept and come back when you restore it.`}
      onDelete={() => deleteDefinition(definition)}
      onReload={reload}
      onClose={onClose}
      confirmTestId="definition-delete-confirm"
    />
  );
}
