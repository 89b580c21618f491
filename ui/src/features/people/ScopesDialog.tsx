import { Badge, Button, Center, Chip, Group, Loader, Modal, Paper, ScrollArea, Stack, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Capability, Person, Scope, TreeNode } from '../../bindings';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { NodeIcon } from '../../shared/nodeIcons';
import { CAPABILITIES, isAdministrator, rootsQuery, scopesQuery, sessionQuery, useGrantScope, useRevokeScope } from './api';

/** A person's capabilities on each root the signed-in person sees. */
export function ScopesDialog({ person, onClose }: { person: Person; onClose: () => void }) {
  const roots = useQuery(rootsQuery);
  const scopes = useQuery(scopesQuery(person.id));
  const session = useQuery(sessionQuery);

  return (
    <Modal opened onClose={onClose} title={`Scopes of ${person.displayName}`} size="xl" centered>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          A scope lets {person.displayName} see a root and everything under it; its capabilities say what else they may do there. The database enforces them.
        </Text>
        {roots.isPending || scopes.isPending ? (
          <Center p="xl">
            <Loader size="sm" />
          </Center>
        ) : roots.isError || scopes.isError ? (
          <ErrorNotice error={roots.error ?? scopes.error} />
        ) : (
          <ScrollArea.Autosize mah="60vh">
            <Stack gap="xs" data-testid="scopes-list">
              {roots.data.map((root) => {
                const mayAdmin = isAdministrator(session.data) || !!session.data?.roots.some((r) => r.rootId === root.id && r.capabilities.includes('admin'));
                return (
                  <ScopeRow
                    key={root.id}
                    person={person}
                    root={root}
                    scope={scopes.data.find((s) => s.rootId === root.id) ?? null}
                    mayAdmin={mayAdmin}
                  />
                );
              })}
            </Stack>
          </ScrollArea.Autosize>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-testid="scopes-close">
            Close
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

const same = (a: Capability[], b: Capability[]) => a.length === b.length && a.every((c) => b.includes(c));

function ScopeRow({ person, root, scope, mayAdmin }: { person: Person; root: TreeNode; scope: Scope | null; mayAdmin: boolean }) {
  const grant = useGrantScope();
  const revoke = useRevokeScope();
  const held = scope?.capabilities ?? [];
  const [chosen, setChosen] = useState<Capability[]>(held);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const changed = !same(chosen, held);
  const label = root.pathLabel;

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const save = () => run(() => grant({ userId: person.id, rootId: root.id, capabilities: chosen }));
  const remove = () =>
    run(async () => {
      if (scope) await revoke(scope.id);
      setChosen([]);
    });
  const reason = mayAdmin ? null : "You need the 'admin' capability on this root";

  return (
    <Paper withBorder p="sm" radius="md" role="group" aria-label={root.name} data-testid={`scope-row-${label}`}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <NodeIcon icon={root.icon} size={16} />
            <Text size="sm" fw={500}>
              {root.name}
            </Text>
            <Text size="xs" c="dimmed">
              {root.typeName}
            </Text>
            {scope ? (
              <Badge size="xs" variant="light" color="teal">
                Scoped
              </Badge>
            ) : (
              <Badge size="xs" variant="light" color="gray">
                No access
              </Badge>
            )}
          </Group>
          <Group gap="xs" wrap="nowrap">
            {scope && (
              <Tooltip label={reason} disabled={!reason}>
                <Button size="xs" variant="subtle" color="red" onClick={() => void remove()} disabled={busy || !mayAdmin} data-testid={`scope-revoke-${label}`}>
                  Remove
                </Button>
              </Tooltip>
            )}
            <Tooltip label={reason ?? 'Tick at least one capability (or remove the scope)'} disabled={!reason && (chosen.length > 0 || !changed)}>
              <Button size="xs" onClick={() => void save()} loading={busy} disabled={!changed || chosen.length === 0 || !mayAdmin} data-testid={`scope-save-${label}`}>
                Save
              </Button>
            </Tooltip>
          </Group>
        </Group>
        <Chip.Group multiple value={chosen} onChange={(v) => setChosen(v as Capability[])}>
          <Group gap={6}>
            {CAPABILITIES.map((cap) => (
              <Tooltip key={cap.value} label={cap.help} openDelay={400}>
                <Chip size="xs" value={cap.value} disabled={!mayAdmin} data-testid={`scope-cap-${label}-${cap.value}`}>
                  {cap.label}
                </Chip>
              </Tooltip>
            ))}
          </Group>
        </Chip.Group>
        {error !== null && <ErrorNotice error={error} />}
      </Stack>
    </Paper>
  );
}
