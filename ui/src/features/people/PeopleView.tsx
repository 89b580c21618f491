import { Alert, Badge, Button, Center, Code, CopyButton, Group, Loader, Modal, Paper, ScrollArea, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy, IconEye, IconKey, IconUserPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { AddedPerson, Person } from '../../bindings';
import { showActionUnavailable } from '../../shared/actionNotice';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { AddPersonDialog } from './AddPersonDialog';
import { isAdministrator, peopleQuery, sessionQuery, useDeactivatePerson, useStartViewAs } from './api';
import { useActionRequests, useWorkspace } from '../../shared/WorkspaceContext';
import { ScopesDialog } from './ScopesDialog';

type Editing = { kind: 'add' } | { kind: 'scopes'; person: Person } | { kind: 'deactivate'; person: Person } | { kind: 'added'; added: AddedPerson };

/** The people of the database: add, deactivate, and their scopes on roots. */
export function PeopleView() {
  const session = useQuery(sessionQuery);
  const people = useQuery(peopleQuery);
  const [editing, setEditing] = useState<Editing | null>(null);
  const admin = isAdministrator(session.data);
  useActionRequests('people', { add: () => (admin ? setEditing({ kind: 'add' }) : showActionUnavailable('Only a global administrator can add people.')) });

  return (
    <ScrollArea h="100%">
      <Stack p="lg" gap="md" maw={1100}>
        <Group justify="space-between">
          <div>
            <Title order={3}>People</Title>
            <Text size="sm" c="dimmed">
              Each person signs in as a database role of their own; the database itself keeps them to the roots of their scopes.
            </Text>
          </div>
          <Tooltip label="Only a global administrator can add people" disabled={admin}>
            <Button leftSection={<IconUserPlus size={16} />} onClick={() => setEditing({ kind: 'add' })} disabled={!admin} data-testid="people-add">
              Add person
            </Button>
          </Tooltip>
        </Group>
        {people.isPending ? (
          <Center p="xl">
            <Loader size="sm" />
          </Center>
        ) : people.isError ? (
          <ErrorNotice error={people.error} />
        ) : (
          <Paper withBorder radius="md">
            <Table highlightOnHover verticalSpacing="sm" data-testid="people-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th w={320} />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {people.data.map((person) => (
                  <PersonRow
                    key={person.id}
                    person={person}
                    me={session.data?.person?.id === person.id}
                    admin={admin}
                    onScopes={() => setEditing({ kind: 'scopes', person })}
                    onDeactivate={() => setEditing({ kind: 'deactivate', person })}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        )}
      </Stack>
      {editing?.kind === 'add' && <AddPersonDialog onClose={() => setEditing(null)} onAdded={(added) => setEditing({ kind: 'added', added })} />}
      {editing?.kind === 'added' && <PasswordOnce added={editing.added} onClose={() => setEditing(null)} />}
      {editing?.kind === 'scopes' && <ScopesDialog person={editing.person} onClose={() => setEditing(null)} />}
      {editing?.kind === 'deactivate' && <DeactivateDialog person={editing.person} onClose={() => setEditing(null)} />}
    </ScrollArea>
  );
}

function kindOf(person: Person) {
  if (person.maintenance) return <Badge variant="outline" color="gray">Maintenance</Badge>;
  if (person.isAdmin) return <Badge variant="light" color="grape">Administrator</Badge>;
  return <Badge variant="light">Person</Badge>;
}

function PersonRow({ person, me, admin, onScopes, onDeactivate }: { person: Person; me: boolean; admin: boolean; onScopes: () => void; onDeactivate: () => void }) {
  const inactive = person.deletedAt !== null;
  const key = person.pgRole ?? person.id;
  const cannotDeactivate = !admin ? 'Only a global administrator can deactivate people' : me ? 'You cannot deactivate yourself' : person.maintenance ? 'A maintenance role is not a person' : null;
  const noScopes = person.isAdmin ? 'An administrator holds every capability on every root' : person.maintenance ? 'A maintenance role bypasses scopes' : null;
  const cannotViewAs = !admin ? 'Only a global administrator can view as another person' : me ? 'This is you' : person.isAdmin || person.maintenance ? 'They see everything' : null;
  const startViewAs = useStartViewAs();
  const { setView } = useWorkspace();
  const [viewError, setViewError] = useState<unknown>(null);
  return (
    <Table.Tr data-testid={`person-row-${key}`} style={inactive ? { opacity: 0.6 } : undefined}>
      <Table.Td>
        <Group gap="xs">
          <Text size="sm" fw={500}>
            {person.displayName}
          </Text>
          {me && (
            <Badge size="xs" variant="dot">
              You
            </Badge>
          )}
        </Group>
        {person.email && (
          <Text size="xs" c="dimmed">
            {person.email}
          </Text>
        )}
      </Table.Td>
      <Table.Td>{person.pgRole ? <Code>{person.pgRole}</Code> : <Text c="dimmed">none</Text>}</Table.Td>
      <Table.Td>{kindOf(person)}</Table.Td>
      <Table.Td>
        {inactive ? (
          <Badge color="red" variant="light">
            Deactivated
          </Badge>
        ) : (
          <Badge color="teal" variant="light">
            Active
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        {!inactive && (
          <Group gap="xs" justify="flex-end" wrap="nowrap">
            <Tooltip label={noScopes} disabled={!noScopes}>
              <Button size="xs" variant="light" leftSection={<IconKey size={14} />} onClick={onScopes} disabled={!!noScopes} data-testid={`person-scopes-${key}`}>
                Scopes…
              </Button>
            </Tooltip>
            <Tooltip label={cannotViewAs ?? 'See the registry as they do, read-only'}>
              <Button
                size="xs"
                variant="light"
                color="orange"
                leftSection={<IconEye size={14} />}
                disabled={!!cannotViewAs}
                onClick={() => {
                  setViewError(null);
                  startViewAs(person.id).then(
                    () => setView('registry'),
                    (e: unknown) => setViewError(e),
                  );
                }}
                data-testid={`person-view-as-${key}`}
              >
                View as
              </Button>
            </Tooltip>
            <Tooltip label={cannotDeactivate} disabled={!cannotDeactivate}>
              <Button size="xs" variant="subtle" color="red" onClick={onDeactivate} disabled={!!cannotDeactivate} data-testid={`person-deactivate-${key}`}>
                Deactivate
              </Button>
            </Tooltip>
          </Group>
        )}
        {viewError !== null && <ErrorNotice error={viewError} />}
      </Table.Td>
    </Table.Tr>
  );
}

/** The generated password, once: it is stored nowhere. */
function PasswordOnce({ added, onClose }: { added: AddedPerson; onClose: () => void }) {
  const { person, password } = added;
  return (
    <Modal opened onClose={onClose} title={`${person.displayName} was added`} centered>
      <Stack gap="md">
        {password ? (
          <>
            <Text size="sm">
              They sign in as <Code>{person.pgRole}</Code> with this password. Give it to them now: it is shown once and kept nowhere (the database holds only a verifier).
            </Text>
            <Group gap="xs" wrap="nowrap">
              <Code block style={{ flex: 1, fontSize: 15 }} data-testid="person-password">
                {password}
              </Code>
              <CopyButton value={password}>
                {({ copied, copy }) => (
                  <Button variant="light" onClick={copy} leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} data-testid="person-password-copy">
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            </Group>
            <Alert color="yellow" icon={<IconAlertTriangle size={16} />}>
              Closing this window forgets the password.
            </Alert>
          </>
        ) : (
          <Text size="sm">
            They sign in as <Code>{person.pgRole}</Code>, authenticated by the server (no password was set).
          </Text>
        )}
        <Group justify="flex-end">
          <Button onClick={onClose} data-testid="person-added-done">
            Done
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function DeactivateDialog({ person, onClose }: { person: Person; onClose: () => void }) {
  const deactivate = useDeactivatePerson();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await deactivate(person.id);
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title={`Deactivate ${person.displayName}?`} centered>
      <Stack gap="md">
        <Text size="sm">
          Their role <Code>{person.pgRole}</Code> can no longer sign in. What they did stays in the history.
        </Text>
        {error !== null && <ErrorNotice error={error} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button color="red" loading={busy} onClick={() => void run()} data-testid="person-deactivate-confirm">
            Deactivate
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
