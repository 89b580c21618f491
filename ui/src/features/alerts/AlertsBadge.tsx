import { Anchor, Badge, Button, Center, Group, Indicator, Loader, Popover, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconBell, IconLayoutDashboard } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { formatRelative } from '../../shared/format';
import { useActionRequests, useWorkspace } from '../../shared/WorkspaceContext';
import { useTreeController } from '../tree';
import { alertCountsQuery, openAlertsQuery } from './api';
import { badgeColor, countsLabel, LEVEL_COLOR, LEVEL_LABEL, openCount } from './alertsModel';

/**
 * The toolbar's alert count (live: alert events refresh it). A click shows
 * the newest open alerts; an alert's entity opens in the registry, and the
 * Dashboards screen is one click away.
 */
export function AlertsBadge() {
  const counts = useQuery(alertCountsQuery());
  const [opened, setOpened] = useState(false);
  useActionRequests('toolbar', { alerts: counts.data ? () => setOpened(true) : undefined });
  if (!counts.data) return null;
  const open = openCount(counts.data);
  const label = countsLabel(counts.data);

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={380} shadow="md" withArrow trapFocus returnFocus>
      <Popover.Target>
        <UnstyledButton onClick={() => setOpened((o) => !o)} aria-label={label} title={label} aria-expanded={opened} data-testid="alerts-badge" data-count={open}>
          <Indicator label={open > 99 ? '99+' : open} size={16} color={badgeColor(counts.data)} disabled={open === 0} offset={4}>
            <Center w={34} h={34}>
              <IconBell size={18} color={open > 0 ? undefined : 'var(--mantine-color-dimmed)'} />
            </Center>
          </Indicator>
        </UnstyledButton>
      </Popover.Target>
      <Popover.Dropdown p="xs">{opened && <OpenAlertsList onDone={() => setOpened(false)} summary={label} />}</Popover.Dropdown>
    </Popover>
  );
}

function OpenAlertsList({ onDone, summary }: { onDone: () => void; summary: string }) {
  const alerts = useQuery(openAlertsQuery());
  const workspace = useWorkspace();
  const tree = useTreeController();

  const showEntity = (id: string) => {
    onDone();
    workspace.setView('registry');
    void tree.reveal(id);
  };

  return (
    <Stack gap="xs" tabIndex={-1} data-autofocus data-testid="alerts-popover" style={{ outline: 'none' }}>
      <Text size="sm" fw={600}>
        {summary}
      </Text>
      {alerts.isPending ? (
        <Center p="sm">
          <Loader size="sm" />
        </Center>
      ) : alerts.isError ? (
        <ErrorNotice error={alerts.error} subject="Alerts" compact />
      ) : alerts.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing needs attention.
        </Text>
      ) : (
        <ScrollArea.Autosize mah={320}>
          <Stack gap={6}>
            {alerts.data.map((alert) => (
              <Stack key={alert.id} gap={0} data-testid={`alerts-popover-item-${alert.id}`}>
                <Group gap={6} wrap="nowrap">
                  <Badge size="xs" variant="light" color={LEVEL_COLOR[alert.level]}>
                    {LEVEL_LABEL[alert.level]}
                  </Badge>
                  <Anchor component="button" type="button" size="sm" truncate="end" title={alert.entityPathLabel} onClick={() => showEntity(alert.entityId)}>
                    {alert.entityName}
                  </Anchor>
                  <Text size="xs" c="dimmed" ml="auto" style={{ flex: '0 0 auto' }}>
                    {formatRelative(alert.raisedAt)}
                  </Text>
                </Group>
                <Text size="xs" lineClamp={2}>
                  {alert.message}
                </Text>
              </Stack>
            ))}
          </Stack>
        </ScrollArea.Autosize>
      )}
      <Group justify="flex-end">
        <Button
          size="compact-sm"
          variant="light"
          leftSection={<IconLayoutDashboard size={14} />}
          onClick={() => {
            onDone();
            workspace.setView('dashboards');
          }}
          data-testid="alerts-open-dashboards"
        >
          Open dashboards
        </Button>
      </Group>
    </Stack>
  );
}
