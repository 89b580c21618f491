import { Alert, Badge, Button, Center, Group, Loader, ScrollArea, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconLock, IconLockOpen } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { SecretSummary } from '../../bindings';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { secretsQuery, useSetIdleLock, vaultStatusQuery } from './api';
import { RootKeyCard } from './RootKeyCard';
import { SecretDetail } from './SecretDetail';
import { ALL_ROOTS, SecretsPanel } from './SecretsPanel';
import { useVaultUnlock } from './VaultProvider';

/**
 * The vault: whether it is locked, each visible root's key, and the
 * secrets. Values are shown only when revealed with a reason, for 30
 * seconds at most, and never kept in a cache.
 */
export function VaultScreen() {
  const status = useQuery(vaultStatusQuery);
  const vault = useVaultUnlock();
  const setIdle = useSetIdleLock();
  const [rootFilter, setRootFilter] = useState(ALL_ROOTS);
  const secrets = useQuery(secretsQuery(rootFilter === ALL_ROOTS ? null : rootFilter));
  // The row picked, as the list shows it now (a new secret: as created, until the list has it).
  const [picked, setPicked] = useState<SecretSummary | null>(null);
  const selected = picked ? (secrets.data?.find((secret) => secret.id === picked.id) ?? picked) : null;
  const setSelected = setPicked;

  let body;
  if (status.isPending) {
    body = (
      <Center p="xl">
        <Loader size="sm" />
      </Center>
    );
  } else if (status.isError) {
    body = <ErrorNotice error={status.error} />;
  } else {
    const { locked, keychainProblem, roots } = status.data;
    body = (
      <>
        {locked ? (
          <Alert color="yellow" variant="light" icon={<IconLock size={18} />} title="The vault is locked" data-testid="vault-locked">
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm">Secrets cannot be revealed or written until you unlock it.</Text>
              <Button size="xs" leftSection={<IconLockOpen size={14} />} onClick={() => vault?.requestUnlock()} data-testid="vault-unlock">
                Unlock
              </Button>
            </Group>
          </Alert>
        ) : (
          <Group gap="xs" data-testid="vault-unlocked">
            <Badge color="teal" variant="light" leftSection={<IconLockOpen size={12} />}>
              Unlocked
            </Badge>
            <Text size="xs" c="dimmed">
              {status.data.hasPassphrase ? 'With the passphrase. ' : ''}Locks itself after
            </Text>
            <Select
              size="xs"
              w={130}
              aria-label="Lock after this long without use"
              data={idleChoices(status.data.idleLockSeconds)}
              value={String(status.data.idleLockSeconds)}
              onChange={(v) => v && void setIdle(Number(v))}
              allowDeselect={false}
              data-testid="vault-idle"
            />
            <Text size="xs" c="dimmed">
              without use.
            </Text>
          </Group>
        )}
        {keychainProblem !== null && (
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title="The OS keychain is unavailable" data-testid="vault-keychain-problem">
            <Text size="sm">Keys kept by the OS keychain cannot be created or opened here: {keychainProblem}</Text>
          </Alert>
        )}
        {roots.length === 0 ? (
          <Text size="sm" c="dimmed">
            No roots to show.
          </Text>
        ) : (
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md" style={{ alignItems: 'start' }}>
            {roots.map((root) => (
              <RootKeyCard key={root.rootId} root={root} keychainProblem={keychainProblem} />
            ))}
          </SimpleGrid>
        )}
        <SimpleGrid cols={{ base: 1, lg: selected ? 2 : 1 }} spacing="md" style={{ alignItems: 'start' }}>
          <SecretsPanel roots={roots} rootFilter={rootFilter} onRootFilter={setRootFilter} selectedId={selected?.id ?? null} onSelect={setSelected} />
          {selected && <SecretDetail key={selected.id} secret={selected} root={roots.find((root) => root.rootId === selected.rootId)} onClose={() => setSelected(null)} />}
        </SimpleGrid>
      </>
    );
  }

  return (
    <ScrollArea h="100%" data-testid="vault-screen">
      <Stack p="lg" gap="md" maw={1400}>
        <div>
          <Title order={3}>Vault</Title>
          <Text size="sm" c="dimmed">
            Each root has its own key; secrets are sealed with it. Revealing a value is audited with your reason.
          </Text>
        </div>
        {body}
      </Stack>
    </ScrollArea>
  );
}

/** The idle times offered, with the current one among them. */
function idleChoices(current: number): { value: string; label: string }[] {
  const seconds = [...new Set([5 * 60, 15 * 60, 30 * 60, 60 * 60, 4 * 60 * 60, current])].sort((a, b) => a - b);
  return seconds.map((s) => ({ value: String(s), label: idleLabel(s) }));
}

/** "15 minutes", "1 hour", "45 seconds". */
function idleLabel(seconds: number): string {
  if (seconds % 3600 === 0 && seconds >= 3600) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0 && seconds >= 60) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}
