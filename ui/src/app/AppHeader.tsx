import { Badge, Group, Text, Title, Tooltip } from '@mantine/core';
import { IconDatabase, IconLeaf } from '@tabler/icons-react';
import type { StartupStatus } from '../bindings';
import { ThemeSwitch } from './ThemeSwitch';

export function AppHeader({ status }: { status: StartupStatus }) {
  return (
    <Group h="100%" px="md" justify="space-between" wrap="nowrap">
      <Group gap="xs" wrap="nowrap">
        <IconLeaf size={22} color="var(--mantine-primary-color-filled)" aria-hidden />
        <Title order={4} fw={600}>
          Eco Studio
        </Title>
      </Group>
      <Group gap="sm" wrap="nowrap">
        <DatabaseBadge status={status} />
        <ThemeSwitch />
      </Group>
    </Group>
  );
}

function DatabaseBadge({ status }: { status: StartupStatus }) {
  switch (status.state) {
    case 'starting':
      return (
        <Badge variant="light" color="gray" data-testid="database-info">
          Starting…
        </Badge>
      );
    case 'failed':
      return (
        <Badge variant="light" color="red" data-testid="database-info">
          No database
        </Badge>
      );
    case 'ready': {
      const { kind, display, serverVersion, appVersion, schemaVersion, replica } = status.database;
      return (
        <Group gap="xs" wrap="nowrap" data-testid="database-info">
          <Badge variant="light" color={kind === 'embedded' ? 'teal' : 'blue'} leftSection={<IconDatabase size={12} />}>
            {kind === 'embedded' ? 'Embedded' : 'External'}
          </Badge>
          <Tooltip label={display} openDelay={400}>
            <Text size="sm" maw={360} truncate="end">
              {display}
            </Text>
          </Tooltip>
          {replica && (
            <Tooltip label="Reads come from a read replica; your own changes are read back at once" openDelay={400}>
              <Badge variant="light" color="grape" data-testid="replica-badge">
                Replica
              </Badge>
            </Tooltip>
          )}
          <Tooltip label={`Eco Studio ${appVersion}, schema ${schemaVersion} (checked on connect)`} openDelay={400}>
            <Text size="xs" c="dimmed" data-testid="versions">
              PostgreSQL {serverVersion} · Eco Studio {appVersion}
            </Text>
          </Tooltip>
        </Group>
      );
    }
  }
}
