import { Alert, Badge, Button, Group, Modal, NumberInput, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconKey, IconRefresh, IconRotateClockwise } from '@tabler/icons-react';
import { useState } from 'react';
import type { KeyProviderKind, RootVault, TenantKey } from '../../bindings';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { FormDialog } from '../../shared/FormDialog';
import { formatDateTime } from '../../shared/format';
import { useJobs } from '../jobs';
import { startRewrap, useCreateKey, useRotateKey, useSetMinimum } from './api';
import { useUnlockOnRefusal } from './VaultProvider';
import { PROVIDERS, providerLabel, refusingCount, secretVersionsLabel, validMinimum } from './vaultModel';

/** Runs a vault action: a refusal as locked opens the unlock dialog, any other is kept to show. */
function useVaultAction() {
  const unlockOnRefusal = useUnlockOnRefusal();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      if (!unlockOnRefusal(e)) setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run, clearError: () => setError(null) };
}

/** One root: its key (provider, versions, minimum) and, for its administrators, what can be done with it. */
export function RootKeyCard({ root, keychainProblem }: { root: RootVault; keychainProblem: string | null }) {
  const [creating, setCreating] = useState(false);
  const { rootId, rootName, key } = root;
  return (
    <Paper withBorder radius="md" p="md" role="group" aria-label={rootName} data-testid={`vault-root-${rootId}`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs">
            <IconKey size={18} />
            <Title order={5}>{rootName}</Title>
            {key && (
              <Badge variant="light" color="gray" data-testid={`vault-provider-${rootId}`}>
                {providerLabel(key.provider)}
              </Badge>
            )}
          </Group>
          {!key && root.canAdmin && (
            <Button size="xs" leftSection={<IconKey size={14} />} onClick={() => setCreating(true)} data-testid={`vault-create-key-${rootId}`}>
              Create key
            </Button>
          )}
        </Group>
        {key ? (
          <KeyDetails root={root} tenantKey={key} />
        ) : (
          <Text size="sm" c="dimmed">
            No key yet: no secret can be stored under this root{root.canAdmin ? '' : ' until an administrator creates one'}.
          </Text>
        )}
      </Stack>
      {creating && <CreateKeyDialog root={root} keychainProblem={keychainProblem} onClose={() => setCreating(false)} />}
    </Paper>
  );
}

function KeyDetails({ root, tenantKey: key }: { root: RootVault; tenantKey: TenantKey }) {
  const { rootId } = root;
  const behind = key.secretVersionsBehind;
  const rotate = useRotateKey();
  const setMinimum = useSetMinimum();
  const jobs = useJobs();
  const action = useVaultAction();
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [minimum, setMinimumText] = useState<number | string>(key.minimumVersion);
  const chosen = validMinimum(key, minimum);
  const refusing = chosen === null ? 0 : refusingCount(key, chosen);

  const rewrap = () =>
    action.run(async () => {
      const started = await startRewrap(rootId);
      jobs.track(started.jobId, started.total, `Rewrapping secrets of "${root.rootName}"`);
    });

  const applyMinimum = () => {
    if (chosen === null) return;
    void action.run(async () => {
      const updated = await setMinimum(rootId, chosen);
      setMinimumText(updated.minimumVersion);
      notifications.show({ color: 'teal', title: 'Minimum set', message: `Key versions below ${updated.minimumVersion} no longer decrypt.` });
    });
  };

  return (
    <Stack gap="sm">
      <Group gap="lg">
        <Text size="sm" data-testid={`vault-key-summary-${rootId}`}>
          Newest version <b>{key.newestVersion}</b> · decrypts from version <b>{key.minimumVersion}</b>
        </Text>
        {behind !== null && (
          <Text size="sm" c={behind > 0 ? 'var(--eco-warning-text)' : 'dimmed'} data-testid={`vault-behind-${rootId}`}>
            {behind > 0 ? `${secretVersionsLabel(behind)} on older key versions` : 'Every secret version is on the newest key version'}
          </Text>
        )}
      </Group>
      <Table withTableBorder verticalSpacing={4} fz="sm" data-testid={`vault-key-versions-${rootId}`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Version</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Activated</Table.Th>
            <Table.Th>Retired</Table.Th>
            <Table.Th>Secret versions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {key.versions.map((v) => (
            <Table.Tr key={v.id} data-testid={`vault-key-version-${rootId}-${v.version}`}>
              <Table.Td>
                <Group gap={6}>
                  {v.version}
                  {v.version === key.newestVersion && (
                    <Badge size="xs" variant="light" color="teal">
                      newest
                    </Badge>
                  )}
                  {v.version < key.minimumVersion && (
                    <Badge size="xs" variant="light" color="gray">
                      below minimum
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>{formatDateTime(v.createdAt)}</Table.Td>
              <Table.Td>{v.activatedAt ? formatDateTime(v.activatedAt) : ''}</Table.Td>
              <Table.Td>{v.retiredAt ? formatDateTime(v.retiredAt) : ''}</Table.Td>
              <Table.Td>{v.secretVersions}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {root.canAdmin && (
        <Group gap="sm" align="flex-end">
          <Button size="xs" variant="light" leftSection={<IconRotateClockwise size={14} />} onClick={() => setConfirmRotate(true)} disabled={action.busy} data-testid={`vault-rotate-${rootId}`}>
            Rotate
          </Button>
          <Button
            size="xs"
            variant="light"
            leftSection={<IconRefresh size={14} />}
            onClick={() => void rewrap()}
            disabled={action.busy || !behind}
            title={behind ? `Move ${secretVersionsLabel(behind)} to key version ${key.newestVersion}` : 'Nothing to rewrap'}
            data-testid={`vault-rewrap-${rootId}`}
          >
            Rewrap
          </Button>
          <Group gap={6} align="flex-end" ml="auto">
            <NumberInput
              size="xs"
              w={150}
              label="Minimum version"
              min={1}
              max={key.newestVersion}
              allowDecimal={false}
              allowNegative={false}
              value={minimum}
              onChange={setMinimumText}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  applyMinimum();
                }
              }}
              error={chosen === null ? `1 to ${key.newestVersion}` : undefined}
              data-testid={`vault-minimum-${rootId}`}
            />
            <Button size="xs" onClick={applyMinimum} disabled={action.busy || chosen === null || chosen === key.minimumVersion} data-testid={`vault-minimum-apply-${rootId}`}>
              Apply
            </Button>
          </Group>
        </Group>
      )}
      {root.canAdmin && chosen !== null && chosen !== key.minimumVersion && refusing > 0 && (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={16} />} p="xs" data-testid={`vault-minimum-warning-${rootId}`}>
          {secretVersionsLabel(refusing)} would refuse to decrypt: they are sealed by key versions below {chosen}. Rewrap them first.
        </Alert>
      )}
      {action.error !== null && <ErrorNotice error={action.error} subject={root.rootName} compact />}
      {confirmRotate && (
        <Modal opened onClose={() => setConfirmRotate(false)} title={`Rotate the key of ${root.rootName}?`} centered>
          <Stack gap="md">
            <Text size="sm">
              New secret versions will be sealed with key version {key.newestVersion + 1}. Existing versions still decrypt; rewrap them to move them to the new version.
            </Text>
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={() => setConfirmRotate(false)}>
                Cancel
              </Button>
              <Button
                data-autofocus
                onClick={() => {
                  setConfirmRotate(false);
                  void action.run(async () => {
                    const rotated = await rotate(rootId);
                    notifications.show({ color: 'teal', title: 'Key rotated', message: `New secret versions use key version ${rotated.newestVersion}.` });
                  });
                }}
                data-testid="vault-rotate-confirm"
              >
                Rotate
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </Stack>
  );
}

/** Creates a root's key: kept by the OS keychain, or sealed with the passphrase. */
function CreateKeyDialog({ root, keychainProblem, onClose }: { root: RootVault; keychainProblem: string | null; onClose: () => void }) {
  const createKey = useCreateKey();
  const unlockOnRefusal = useUnlockOnRefusal();
  const [provider, setProvider] = useState<KeyProviderKind>(keychainProblem ? 'passphrase' : 'os-keychain');
  const submit = async () => {
    try {
      await createKey(root.rootId, provider);
      notifications.show({ color: 'teal', title: 'Key created', message: `Secrets can now be stored under ${root.rootName}.` });
    } catch (error) {
      unlockOnRefusal(error);
      throw error;
    }
  };
  return (
    <FormDialog title={`Create the key of ${root.rootName}`} fields={['provider']} canSubmit onSubmit={submit} onClose={onClose} submitLabel="Create key" submitTestId="vault-create-key-submit">
      {() => (
        <Stack gap="xs">
          <Text size="sm" fw={500}>
            Kept by
          </Text>
          <SegmentedControl
            value={provider}
            onChange={(value) => setProvider(value as KeyProviderKind)}
            data={PROVIDERS.map((p) => ({ value: p.value, label: p.label, disabled: p.value === 'os-keychain' && keychainProblem !== null }))}
            aria-label="Kept by"
            data-testid="vault-provider"
          />
          {PROVIDERS.map((p) => (
            <Text key={p.value} size="xs" c={p.value === provider ? undefined : 'dimmed'}>
              <b>{p.label}:</b> {p.help}
              {p.value === 'os-keychain' && keychainProblem !== null ? ' (unavailable here)' : ''}
            </Text>
          ))}
        </Stack>
      )}
    </FormDialog>
  );
}
