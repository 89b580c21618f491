import { AppShell, ScrollArea, Text } from '@mantine/core';
import { useState } from 'react';
import type { TreeNode } from './bindings';
import { NodeDetails } from './details/NodeDetails';
import { AppHeader } from './layout/AppHeader';
import { StartupFailed, StartupLoading } from './startup/StartupScreens';
import { useStartupStatus } from './startup/useStartupStatus';
import { RegistryTree } from './tree/RegistryTree';

export function App() {
  const status = useStartupStatus();

  return (
    <AppShell
      header={{ height: 52 }}
      navbar={status.state === 'ready' ? { width: { base: 300, md: 380 }, breakpoint: 0 } : undefined}
      padding={0}
    >
      <AppShell.Header>
        <AppHeader status={status} />
      </AppShell.Header>
      {status.state === 'ready' ? (
        <Workspace />
      ) : (
        <AppShell.Main h="100dvh">
          {status.state === 'starting' ? <StartupLoading message={status.message} /> : <StartupFailed error={status.error} />}
        </AppShell.Main>
      )}
    </AppShell>
  );
}

function Workspace() {
  const [selected, setSelected] = useState<TreeNode | null>(null);

  return (
    <>
      <AppShell.Navbar>
        <Text size="xs" fw={600} c="dimmed" tt="uppercase" px="md" pt="sm" pb={4}>
          Registry
        </Text>
        <RegistryTree selectedId={selected?.id ?? null} onSelect={setSelected} />
      </AppShell.Navbar>
      <AppShell.Main h="100dvh" bg="gray.0">
        <ScrollArea h="100%" p="lg">
          <NodeDetails node={selected} />
        </ScrollArea>
      </AppShell.Main>
    </>
  );
}
