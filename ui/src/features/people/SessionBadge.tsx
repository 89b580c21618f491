import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { IconUser } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { sessionQuery } from './api';

/** Who the app is signed in as (the database role and the person). */
export function SessionBadge() {
  const session = useQuery(sessionQuery);
  if (!session.data) return null;
  const { person, role } = session.data;
  const rights = session.data.bypassesSecurity ? 'maintenance role' : person?.isAdmin ? 'administrator' : null;
  return (
    <Tooltip label={`Signed in as the database role ${role}`} openDelay={400}>
      <Group gap={6} wrap="nowrap" data-testid="session-info">
        <IconUser size={16} />
        <Text size="sm" fw={500}>
          {person?.displayName ?? role}
        </Text>
        {rights && (
          <Badge size="xs" variant="light" color="grape">
            {rights}
          </Badge>
        )}
      </Group>
    </Tooltip>
  );
}
