import { ActionIcon, Button, Center, Group, Loader, Paper, PasswordInput, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { RootVault, SecretSummary, TreeNode } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { showActionUnavailable } from '../../shared/actionNotice';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { useActionRequests } from '../../shared/WorkspaceContext';
import { FormDialog } from '../../shared/FormDialog';
import { formatRelative } from '../../shared/format';
import { EntityPicker } from '../links';
import { secretsQuery, useCreateSecret } from './api';
import { useUnlockOnRefusal } from './VaultProvider';

/** The root filter's value for every root. */
export const ALL_ROOTS = 'all';
const ALL = ALL_ROOTS;

/** The secrets the person sees, of one root or all; picking a row opens it. */
export function SecretsPanel({
  roots,
  rootFilter,
  onRootFilter,
  selectedId,
  onSelect,
}: {
  roots: RootVault[];
  /** A root's id, or ALL_ROOTS. */
  rootFilter: string;
  onRootFilter: (rootFilter: string) => void;
  selectedId: string | null;
  onSelect: (secret: SecretSummary | null) => void;
}) {
  const setRootFilter = onRootFilter;
  const [creating, setCreating] = useState(false);
  const secrets = useQuery(secretsQuery(rootFilter === ALL ? null : rootFilter));
  const mayWrite = roots.some((root) => root.canWriteSecrets && root.key !== null);
  useActionRequests('vault', { 'new-secret': () => (mayWrite ? setCreating(true) : showActionUnavailable('Writing a secret needs the right to write secrets on a root that has a key.')) });

  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={5}>Secrets</Title>
          <Group gap="xs">
            <Select
              size="xs"
              w={220}
              aria-label="Root"
              value={rootFilter}
              onChange={(value) => setRootFilter(value ?? ALL)}
              allowDeselect={false}
              data={[{ value: ALL, label: 'All roots' }, ...roots.map((root) => ({ value: root.rootId, label: root.rootName }))]}
              data-testid="vault-secrets-root"
            />
            <Button
              size="xs"
              leftSection={<IconPlus size={14} />}
              onClick={() => setCreating(true)}
              disabled={!mayWrite}
              title={mayWrite ? undefined : 'Needs the right to write secrets on a root that has a key'}
              data-testid="vault-new-secret"
            >
              New secret
            </Button>
          </Group>
        </Group>
        {secrets.isPending ? (
          <Center p="md">
            <Loader size="sm" />
          </Center>
        ) : secrets.isError ? (
          <ErrorNotice error={secrets.error} />
        ) : secrets.data.length === 0 ? (
          <EmptyState size="compact" title={`No secrets ${rootFilter === ALL ? 'yet' : 'under this root'}.`} testId="vault-secrets-empty">
            {mayWrite ? 'Store one with New secret: it is sealed under its root’s key.' : 'A root needs a key, and you the right to write secrets there, before a secret can be stored.'}
          </EmptyState>
        ) : (
          <Table highlightOnHover verticalSpacing={6} fz="sm" data-testid="vault-secrets">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Path</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Key version</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {secrets.data.map((secret) => {
                const selected = secret.id === selectedId;
                return (
                  <Table.Tr
                    key={secret.id}
                    tabIndex={0}
                    aria-selected={selected}
                    bg={selected ? 'var(--mantine-primary-color-light)' : undefined}
                    style={{ cursor: 'pointer' }}
                    onClick={() => onSelect(selected ? null : secret)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        onSelect(secret);
                      }
                    }}
                    data-testid={`vault-secret-row-${secret.id}`}
                  >
                    <Table.Td fw={500}>{secret.name}</Table.Td>
                    <Table.Td>
                      <Text size="xs" ff="monospace" c="dimmed" truncate="end">
                        {secret.pathLabel}
                      </Text>
                    </Table.Td>
                    {secret.latestVersion === null ? (
                      <Table.Td colSpan={2}>
                        <Text size="sm" c="dimmed">
                          hidden
                        </Text>
                      </Table.Td>
                    ) : (
                      <>
                        <Table.Td>v{secret.latestVersion}</Table.Td>
                        <Table.Td>{secret.latestKeyVersion ?? ''}</Table.Td>
                      </>
                    )}
                    <Table.Td>{secret.updatedAt ? formatRelative(secret.updatedAt) : ''}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      {creating && (
        <NewSecretDialog
          onClose={() => setCreating(false)}
          onCreated={(secret) => {
            if (rootFilter !== ALL && rootFilter !== secret.rootId) setRootFilter(ALL);
            onSelect(secret);
          }}
        />
      )}
    </Paper>
  );
}

const SECRET_FIELDS = ['parentId', 'name', 'value', 'reason'] as const;

/** A new secret: where it lives (an entity), its name, its first value and why. */
function NewSecretDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (secret: SecretSummary) => void }) {
  const createSecret = useCreateSecret();
  const unlockOnRefusal = useUnlockOnRefusal();
  const [parent, setParent] = useState<TreeNode | null>(null);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');

  const submit = async () => {
    if (!parent) return;
    try {
      const secret = await createSecret({ parentId: parent.id, name: name.trim(), value, reason: reason.trim() || null });
      onCreated(secret);
    } catch (error) {
      unlockOnRefusal(error);
      throw error;
    }
  };

  return (
    <FormDialog
      title="New secret"
      fields={SECRET_FIELDS}
      canSubmit={parent !== null && name.trim() !== '' && value !== ''}
      onSubmit={submit}
      onClose={onClose}
      submitLabel="Create"
      submitTestId="secret-create-submit"
    >
      {(error) => (
        <>
          {parent ? (
            <Stack gap={2}>
              <Text size="sm" fw={500}>
                Under
              </Text>
              <Group gap="xs" wrap="nowrap" data-testid="secret-parent-chosen">
                <Text size="sm">{parent.name}</Text>
                <Text size="xs" ff="monospace" c="dimmed" truncate="end" style={{ flex: 1 }}>
                  {parent.pathLabel}
                </Text>
                <ActionIcon size="sm" variant="subtle" color="gray" aria-label="Choose another parent" onClick={() => setParent(null)}>
                  <IconX size={14} />
                </ActionIcon>
              </Group>
              {fieldError(error, 'parentId') && (
                <Text size="xs" c="red">
                  {fieldError(error, 'parentId')}
                </Text>
              )}
            </Stack>
          ) : (
            <EntityPicker label="Under" placeholder="The entity it belongs to: a name or a.dotted.path" error={fieldError(error, 'parentId')} onPick={setParent} testId="secret-parent" />
          )}
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(error, 'name')} required data-testid="secret-name" />
          <PasswordInput label="Value" value={value} onChange={(e) => setValue(e.currentTarget.value)} error={fieldError(error, 'value')} required autoComplete="off" data-testid="secret-value" />
          <TextInput
            label="Reason"
            description="Optional; kept with the version in the audit log."
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={fieldError(error, 'reason')}
            data-testid="secret-reason"
          />
        </>
      )}
    </FormDialog>
  );
}
