import { Alert, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';

/**
 * Why nothing in a view can be changed, said once near its top; a status, not
 * an alert: reading and browsing go on as usual.
 */
export function ReadOnlyNotice({ reason, testId }: { reason: string; testId: string }) {
  return (
    <Alert variant="light" color="gray" py={6} px="sm" icon={<IconLock size={16} />} role="status" data-testid={testId}>
      <Text size="sm">{reason}</Text>
    </Alert>
  );
}
