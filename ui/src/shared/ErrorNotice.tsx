import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react';
import { describeError, isConflict } from '../ipc/errors';

type Props = {
  error: unknown;
  /** What failed ("Hall A"), shown before the message. */
  subject?: string;
  /** Offered on a Conflict: refetch the current version (never retries the change). */
  onReload?: () => void;
  compact?: boolean;
};

/** An error as a human message by its AppError type; a Conflict offers "Reload". */
export function ErrorNotice({ error, subject, onReload, compact = false }: Props) {
  const { title, message, hint } = describeError(error);
  const conflict = isConflict(error);
  return (
    <Alert
      color={conflict ? 'orange' : 'red'}
      variant="light"
      title={subject ? `${subject}: ${title}` : title}
      icon={<IconAlertTriangle size={18} />}
      role="alert"
      data-testid={conflict ? 'conflict-notice' : 'error-notice'}
      p={compact ? 'xs' : undefined}
    >
      <Stack gap={6}>
        <Text size="sm">{message}</Text>
        {hint && !compact && (
          <Text size="xs" c="dimmed">
            {hint}
          </Text>
        )}
        {conflict && onReload && (
          <Group>
            <Button size="compact-sm" variant="light" color="orange" leftSection={<IconRefresh size={14} />} onClick={onReload} data-testid="conflict-reload">
              Reload
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}
