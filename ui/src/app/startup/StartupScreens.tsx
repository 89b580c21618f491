import { Alert, Center, Code, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { IconDatabaseOff } from '@tabler/icons-react';
import type { AppError } from '../../bindings';
import { describeAppError } from '../../ipc/errors';

export function StartupLoading({ message }: { message: string }) {
  return (
    <Center h="100%" data-testid="startup-loading">
      <Stack align="center" gap="md">
        <Loader size="lg" />
        <Text c="dimmed" role="status">
          {message}
        </Text>
      </Stack>
    </Center>
  );
}

export function StartupFailed({ error }: { error: AppError }) {
  const { title, message, hint } = describeAppError(error);
  return (
    <Center h="100%" p="xl" data-testid="startup-failed">
      <Paper withBorder shadow="sm" radius="md" p="xl" maw={560} w="100%">
        <Stack gap="md">
          <Title order={3}>Eco Studio could not start</Title>
          <Alert color="red" variant="light" title={title} icon={<IconDatabaseOff size={20} />} role="alert">
            <Stack gap={6}>
              <Text size="sm">{message}</Text>
              <Text size="xs" c="dimmed">
                Error type: <Code>{error.type}</Code>
              </Text>
            </Stack>
          </Alert>
          {hint && (
            <Text size="sm" c="dimmed">
              {hint}
            </Text>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
