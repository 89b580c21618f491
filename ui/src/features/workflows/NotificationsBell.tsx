import { ActionIcon, Anchor, Button, Center, Group, Indicator, Loader, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { IconChecks, IconInbox } from '@tabler/icons-react';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { formatDateTime, formatRelative } from '../../shared/format';
import { useActionRequests } from '../../shared/WorkspaceContext';
import { notificationsQuery, useMarkNotificationsRead } from './api';
import type { WfNotification } from './types';

type Props = {
  /** Opens the run a notification is about; without it no link is shown. */
  onOpenExecution?: (executionId: string) => void;
};

/** The header's workflow notifications: how many are unread, and a list of them with "Mark all read". */
export function NotificationsBell({ onOpenExecution }: Props) {
  const list = useQuery(notificationsQuery());
  const [opened, setOpened] = useState(false);
  useActionRequests('toolbar', { notifications: () => setOpened(true) });
  const unread = (list.data ?? []).filter((n) => n.readAt === null).length;
  const label = unread === 0 ? 'Notifications' : `${unread} unread ${unread === 1 ? 'notification' : 'notifications'}`;

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={380} shadow="md" withArrow trapFocus returnFocus>
      <Popover.Target>
        <Indicator label={unread > 99 ? '99+' : unread} size={16} disabled={unread === 0} offset={4}>
          <ActionIcon
            variant="subtle"
            color={unread > 0 ? undefined : 'gray'}
            size="lg"
            onClick={() => setOpened((o) => !o)}
            aria-label={label}
            title={label}
            aria-expanded={opened}
            data-testid="notifications-bell"
            data-count={unread}
          >
            <IconInbox size={18} />
          </ActionIcon>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown p="xs">
        {opened && (
          <NotificationList
            list={list}
            onOpenExecution={
              onOpenExecution &&
              ((id) => {
                setOpened(false);
                onOpenExecution(id);
              })
            }
          />
        )}
      </Popover.Dropdown>
    </Popover>
  );
}

type ListProps = {
  list: UseQueryResult<WfNotification[]>;
  onOpenExecution?: (executionId: string) => void;
};

function NotificationList({ list, onOpenExecution }: ListProps) {
  const markRead = useMarkNotificationsRead();
  const [error, setError] = useState<unknown>(null);
  const [marking, setMarking] = useState(false);
  const unreadIds = (list.data ?? []).filter((n) => n.readAt === null).map((n) => n.id);

  const markAllRead = async () => {
    setMarking(true);
    setError(null);
    try {
      await markRead(unreadIds);
    } catch (e) {
      setError(e);
    } finally {
      setMarking(false);
    }
  };

  return (
    <Stack gap="xs" tabIndex={-1} data-autofocus data-testid="notifications-popover" style={{ outline: 'none' }}>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" fw={600}>
          Notifications
        </Text>
        <Button
          size="compact-sm"
          variant="subtle"
          leftSection={<IconChecks size={14} />}
          disabled={unreadIds.length === 0}
          loading={marking}
          onClick={() => void markAllRead()}
          data-testid="notifications-mark-read"
        >
          Mark all read
        </Button>
      </Group>
      {error !== null && <ErrorNotice error={error} compact />}
      {list.isPending ? (
        <Center p="sm">
          <Loader size="sm" />
        </Center>
      ) : list.isError ? (
        <ErrorNotice error={list.error} subject="Notifications" compact />
      ) : list.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          No notifications.
        </Text>
      ) : (
        <ScrollArea.Autosize mah={360}>
          <Stack gap={8}>
            {list.data.map((notification) => (
              <NotificationItem key={notification.id} notification={notification} onOpenExecution={onOpenExecution} />
            ))}
          </Stack>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
}

function NotificationItem({ notification, onOpenExecution }: { notification: WfNotification; onOpenExecution?: (executionId: string) => void }) {
  const unread = notification.readAt === null;
  const { executionId } = notification;
  return (
    <Stack gap={0} data-testid={`notification-${notification.id}`} data-unread={unread ? '' : undefined}>
      <Text size="sm" fw={unread ? 600 : 400}>
        {notification.message}
      </Text>
      <Group gap={6}>
        <Text size="xs" c="dimmed" title={formatDateTime(notification.createdAt)}>
          {formatRelative(notification.createdAt)}
        </Text>
        {executionId !== null && onOpenExecution && (
          <Anchor component="button" type="button" size="xs" onClick={() => onOpenExecution(executionId)} data-testid={`notification-open-run-${notification.id}`}>
            Open run
          </Anchor>
        )}
      </Group>
    </Stack>
  );
}
