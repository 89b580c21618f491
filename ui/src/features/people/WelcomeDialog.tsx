import { Button, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDeviceDesktop, IconServer } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { describeError } from '../../ipc/errors';
import { finishWelcome, welcomeQuery } from './api';
import { useSignInRequests } from './signInRequests';

/**
 * The first-run choice of where to work: this computer's database (already
 * open, with demo data) or a server, which opens the sign-in dialog on a new
 * profile. Closing it counts as this computer's database; it is asked once.
 */
export function WelcomeDialog() {
  const needed = useQuery(welcomeQuery);
  const queryClient = useQueryClient();
  const requests = useSignInRequests();
  if (needed.data !== true) return null;

  const choose = async (server: boolean) => {
    queryClient.setQueryData(welcomeQuery.queryKey, false);
    if (server) requests?.request({ newProfile: true });
    try {
      await finishWelcome();
    } catch (e) {
      const { title, message } = describeError(e);
      notifications.show({ color: 'red', title: `Could not record the choice: ${title}`, message });
    }
  };

  return (
    <Modal opened onClose={() => void choose(false)} title="Where do you want to work?" centered>
      <Stack gap="md" data-testid="welcome-dialog">
        <Text size="sm">You can switch later from the person menu at the top right.</Text>
        <Button
          variant="light"
          size="md"
          justify="flex-start"
          leftSection={<IconDeviceDesktop size={20} />}
          onClick={() => void choose(false)}
          data-autofocus
          data-testid="welcome-local"
        >
          This computer&apos;s database
        </Button>
        <Text size="xs" c="dimmed" mt={-8}>
          Ready now, with demo data to try things out.
        </Text>
        <Button variant="default" size="md" justify="flex-start" leftSection={<IconServer size={20} />} onClick={() => void choose(true)} data-testid="welcome-server">
          A server
        </Button>
        <Text size="xs" c="dimmed" mt={-8}>
          Sign in to a shared database through a connection profile.
        </Text>
      </Stack>
    </Modal>
  );
}
