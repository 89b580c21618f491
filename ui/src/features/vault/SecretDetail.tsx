import { ActionIcon, Button, Center, Group, Loader, Paper, PasswordInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconEye, IconPencilPlus, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { RootVault, SecretSummary } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { FormDialog } from '../../shared/FormDialog';
import { formatDateTime } from '../../shared/format';
import { secretVersionsQuery, useWriteSecret } from './api';
import { RevealedValue, RevealReasonDialog } from './RevealParts';
import { useRevealedSecret } from './useRevealedSecret';
import { useUnlockOnRefusal } from './VaultProvider';

/** Which version the reason dialog is for (null: the latest). */
type Asking = { version: number | null };

/** One secret: its versions (metadata), Reveal with a reason, and a new version. */
export function SecretDetail({ secret, root, onClose }: { secret: SecretSummary; root: RootVault | undefined; onClose: () => void }) {
  const versions = useQuery(secretVersionsQuery(secret.id));
  const { revealed, reveal, hide } = useRevealedSecret();
  const [asking, setAsking] = useState<Asking | null>(null);
  const [writing, setWriting] = useState(false);
  const canRead = secret.latestVersion !== null && (root?.canReadSecrets ?? true);
  const canWrite = root?.canWriteSecrets ?? false;

  return (
    <Paper withBorder radius="md" p="md" role="region" aria-label={secret.name} data-testid="secret-detail">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <div style={{ minWidth: 0 }}>
            <Title order={5}>{secret.name}</Title>
            <Text size="xs" ff="monospace" c="dimmed" truncate="end">
              {secret.pathLabel}
            </Text>
          </div>
          <Group gap="xs" wrap="nowrap">
            <Button size="xs" variant="light" leftSection={<IconEye size={14} />} disabled={!canRead} onClick={() => setAsking({ version: null })} data-testid="secret-reveal">
              Reveal
            </Button>
            <Button size="xs" variant="light" leftSection={<IconPencilPlus size={14} />} disabled={!canWrite} onClick={() => setWriting(true)} data-testid="secret-new-version">
              New version
            </Button>
            <ActionIcon variant="subtle" color="gray" aria-label="Close" onClick={onClose}>
              <IconX size={16} />
            </ActionIcon>
          </Group>
        </Group>
        {revealed && <RevealedValue value={revealed.value} label={`Version ${revealed.version}`} onHide={hide} valueTestId="secret-revealed-value" hideTestId="secret-hide" copyTestId="secret-copy" />}
        {versions.isPending ? (
          <Center p="md">
            <Loader size="sm" />
          </Center>
        ) : versions.isError ? (
          <ErrorNotice error={versions.error} compact />
        ) : (
          <Table verticalSpacing={4} fz="sm" data-testid="secret-versions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Version</Table.Th>
                <Table.Th>Key version</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>By</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {versions.data.map((v) => (
                <Table.Tr key={v.id} data-testid={`secret-version-${v.version}`}>
                  <Table.Td>v{v.version}</Table.Td>
                  <Table.Td>{v.keyVersion}</Table.Td>
                  <Table.Td>{formatDateTime(v.createdAt)}</Table.Td>
                  <Table.Td>{v.createdByName ?? v.createdByUserId}</Table.Td>
                  <Table.Td>
                    <Text size="sm" c={v.reason ? undefined : 'dimmed'}>
                      {v.reason ?? ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Button size="compact-xs" variant="subtle" disabled={!canRead} onClick={() => setAsking({ version: v.version })} data-testid={`secret-reveal-${v.version}`}>
                      Reveal
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      {asking && (
        <RevealReasonDialog
          title={asking.version === null ? `Reveal "${secret.name}"` : `Reveal version ${asking.version} of "${secret.name}"`}
          onReveal={(reason) => reveal(secret.id, asking.version, reason)}
          onClose={() => setAsking(null)}
        />
      )}
      {writing && <NewVersionDialog secret={secret} onClose={() => setWriting(false)} />}
    </Paper>
  );
}

const WRITE_FIELDS = ['value', 'reason'] as const;

/** A new value for the secret; the old versions stay. */
function NewVersionDialog({ secret, onClose }: { secret: SecretSummary; onClose: () => void }) {
  const writeSecret = useWriteSecret();
  const unlockOnRefusal = useUnlockOnRefusal();
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const submit = async () => {
    try {
      const written = await writeSecret({ secretId: secret.id, value, reason: reason.trim() || null }, secret.rootId);
      notifications.show({ color: 'teal', title: 'Saved', message: `Version ${written.version} of "${secret.name}" stored.` });
    } catch (error) {
      unlockOnRefusal(error);
      throw error;
    }
  };
  return (
    <FormDialog title={`New version of "${secret.name}"`} fields={WRITE_FIELDS} canSubmit={value !== ''} onSubmit={submit} onClose={onClose} submitLabel="Save" submitTestId="secret-write-submit">
      {(error) => (
        <>
          <PasswordInput label="Value" value={value} onChange={(e) => setValue(e.currentTarget.value)} error={fieldError(error, 'value')} required autoComplete="off" data-autofocus data-testid="secret-new-value" />
          <TextInput
            label="Reason"
            description="Optional; kept with the version in the audit log."
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={fieldError(error, 'reason')}
            data-testid="secret-new-reason"
          />
        </>
      )}
    </FormDialog>
  );
}
