import { Alert, Badge, Button, Group, Text, Tooltip } from '@mantine/core';
import { IconEye, IconUser } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { sessionQuery, useStopViewAs, viewingAsQuery } from './api';

/** Who the app is signed in as (the database role and the person), or whom an administrator is viewing as. */
export function SessionBadge() {
  const session = useQuery(sessionQuery);
  const viewing = useQuery(viewingAsQuery);
  if (viewing.data) return <ViewingAsBanner name={viewing.data.displayName} />;
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

/** Shown while viewing as someone: whom, that nothing can be changed, and the way back. */
function ViewingAsBanner({ name }: { name: string }) {
  const stop = useStopViewAs();
  const [busy, setBusy] = useState(false);
  return (
    <Alert variant="light" color="orange" py={4} px="sm" icon={<IconEye size={16} />} data-testid="viewing-as">
      <Group gap="sm" wrap="nowrap">
        <Text size="sm">
          Viewing as <b>{name}</b>: what they see, read-only
        </Text>
        <Button
          size="compact-xs"
          variant="white"
          color="orange"
          loading={busy}
          onClick={() => {
            setBusy(true);
            void stop().finally(() => setBusy(false));
          }}
          data-testid="viewing-as-stop"
        >
          Stop
        </Button>
      </Group>
    </Alert>
  );
}
