// Open alerts: level, message, entity and when raised, with Acknowledge
// (pending alerts) and Resolve. A click on the entity filters the other
// widgets to what lies under it.
import { Anchor, Badge, Button, Group, ScrollArea, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Alert, AlertLevel, AlertStatus } from '../../../bindings';
import { ErrorNotice } from '../../../shared/ErrorNotice';
import { formatDateTime, formatRelative } from '../../../shared/format';
import { useAcknowledgeAlert, useResolveAlert } from './api';
import { LimitInput } from './fields';
import type { ConfigOf, WidgetRenderProps } from './types';
import { DataMismatch, WidgetNotice } from './WidgetNotice';

export const LEVEL_COLORS: Record<AlertLevel, string> = { info: 'blue', warning: 'orange', critical: 'red' };
const LEVEL_LABELS: Record<AlertLevel, string> = { info: 'Info', warning: 'Warning', critical: 'Critical' };
const STATUS_LABELS: Record<AlertStatus, string> = { pending: 'Pending', acknowledged: 'Acknowledged', resolved: 'Resolved' };

type Action = { alert: Alert; action: 'acknowledge' | 'resolve' };

/** Acknowledge or resolve the version shown; on success everything dashboards and alerts show is read again. */
function useAlertAction() {
  const client = useQueryClient();
  const acknowledge = useAcknowledgeAlert();
  const resolve = useResolveAlert();
  return useMutation({
    mutationFn: ({ alert, action }: Action) => (action === 'acknowledge' ? acknowledge(alert) : resolve(alert)),
    onSuccess: () =>
      Promise.all([client.invalidateQueries({ queryKey: ['dashboards'] }), client.invalidateQueries({ queryKey: ['alerts'] })]),
  });
}

export function AlertsRender({ config, data, onCrossFilter, height }: WidgetRenderProps) {
  const client = useQueryClient();
  const mutation = useAlertAction();
  if (config.type !== 'alerts' || data.type !== 'alerts') return <DataMismatch />;
  const reload = () => {
    mutation.reset();
    void client.invalidateQueries({ queryKey: ['dashboards'] });
  };
  const busy = (alert: Alert, action: Action['action']) =>
    mutation.isPending && mutation.variables?.alert.id === alert.id && mutation.variables.action === action;
  return (
    <ScrollArea h={height} type="auto">
      <Stack gap={0}>
        {mutation.error && <ErrorNotice compact error={mutation.error} subject="Alert" onReload={reload} />}
        {data.alerts.length === 0 && <WidgetNotice>No open alerts.</WidgetNotice>}
        {data.alerts.map((alert) => (
          <Group
            key={alert.id}
            wrap="nowrap"
            justify="space-between"
            align="flex-start"
            gap="xs"
            py={6}
            px="xs"
            data-testid={`widget-alert-${alert.id}`}
            style={{ borderBottom: '1px solid var(--eco-border-subtle)' }}
          >
            <Stack gap={2} miw={0} style={{ flex: 1 }}>
              <Group gap={6} wrap="nowrap" miw={0}>
                <Badge size="sm" variant="filled" color={LEVEL_COLORS[alert.level]} style={{ flexShrink: 0 }} data-testid={`widget-alert-level-${alert.id}`}>
                  {LEVEL_LABELS[alert.level]}
                </Badge>
                <Text size="sm" truncate title={alert.message}>
                  {alert.message}
                </Text>
              </Group>
              <Group gap={6} wrap="nowrap" miw={0}>
                <Anchor
                  component="button"
                  type="button"
                  size="xs"
                  style={{ flexShrink: 0, whiteSpace: 'nowrap' }}
                  onClick={() => onCrossFilter({ kind: 'under', entityId: alert.entityId })}
                  aria-label={`Filter the dashboard by ${alert.entityName}`}
                  data-testid={`widget-alert-entity-${alert.id}`}
                >
                  {alert.entityName}
                </Anchor>
                <Text size="xs" c="dimmed" ff="monospace" truncate title={alert.entityPathLabel}>
                  {alert.entityPathLabel}
                </Text>
              </Group>
              <Text size="xs" c="dimmed">
                <time dateTime={alert.raisedAt} title={formatDateTime(alert.raisedAt)}>
                  {formatRelative(alert.raisedAt)}
                </time>
                {' · '}
                <span data-testid={`widget-alert-status-${alert.id}`}>{STATUS_LABELS[alert.status]}</span>
              </Text>
            </Stack>
            <Group gap={4} wrap="nowrap">
              {alert.status === 'pending' && (
                <Button
                  size="compact-xs"
                  variant="light"
                  loading={busy(alert, 'acknowledge')}
                  disabled={mutation.isPending}
                  onClick={() => mutation.mutate({ alert, action: 'acknowledge' })}
                  aria-label={`Acknowledge the alert on ${alert.entityName}: ${alert.message}`}
                  data-testid={`widget-alert-ack-${alert.id}`}
                >
                  Acknowledge
                </Button>
              )}
              {alert.status !== 'resolved' && (
                <Button
                  size="compact-xs"
                  variant="light"
                  color="teal"
                  loading={busy(alert, 'resolve')}
                  disabled={mutation.isPending}
                  onClick={() => mutation.mutate({ alert, action: 'resolve' })}
                  aria-label={`Resolve the alert on ${alert.entityName}: ${alert.message}`}
                  data-testid={`widget-alert-resolve-${alert.id}`}
                >
                  Resolve
                </Button>
              )}
            </Group>
          </Group>
        ))}
      </Stack>
    </ScrollArea>
  );
}

export function AlertsConfigForm({ value, onChange }: { value: ConfigOf<'alerts'>; onChange: (next: ConfigOf<'alerts'>) => void }) {
  return (
    <Stack gap="sm">
      <LimitInput value={value.limit} max={500} onChange={(limit) => onChange({ ...value, limit })} label="Alerts" />
    </Stack>
  );
}
