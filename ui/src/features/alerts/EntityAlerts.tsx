import { Badge, Button, Center, Group, Loader, Paper, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBellPlus, IconCheck, IconEye } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Alert, AlertLevel } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { formatDateTime } from '../../shared/format';
import { queryKeys } from '../../shared/queryKeys';
import { entityAlertsQuery, useAcknowledgeAlert, useRaiseAlert, useResolveAlert } from './api';
import { alertActions, LEVEL_COLOR, LEVEL_LABEL, STATUS_LABEL } from './alertsModel';

/** The open alerts of one entity, to acknowledge and resolve, and a form to raise one. */
export function EntityAlerts({ entityId }: { entityId: string }) {
  const alerts = useQuery(entityAlertsQuery(entityId));
  const client = useQueryClient();
  const acknowledge = useAcknowledgeAlert();
  const resolve = useResolveAlert();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [raising, setRaising] = useState(false);

  const act = async (alert: Alert, run: (alert: Alert) => Promise<Alert>, done: string) => {
    setBusy(alert.id);
    setError(null);
    try {
      await run(alert);
      notifications.show({ color: 'teal', message: done });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const reload = () => {
    setError(null);
    void client.invalidateQueries({ queryKey: queryKeys.alertList(entityId, 'entity') });
  };

  return (
    <Stack gap="xs" data-testid="entity-alerts">
      <Group justify="space-between" wrap="nowrap">
        <Title order={5}>Alerts</Title>
        {!raising && (
          <Button size="compact-sm" variant="light" leftSection={<IconBellPlus size={14} />} onClick={() => setRaising(true)} data-testid="entity-alerts-raise">
            Raise alert
          </Button>
        )}
      </Group>
      {raising && <RaiseAlertForm entityId={entityId} onClose={() => setRaising(false)} />}
      {error !== null && <ErrorNotice error={error} subject="Could not change the alert" onReload={reload} compact />}
      {alerts.isPending ? (
        <Center p="xs">
          <Loader size="sm" />
        </Center>
      ) : alerts.isError ? (
        <ErrorNotice error={alerts.error} subject="Alerts" compact />
      ) : alerts.data.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="entity-alerts-empty">
          No open alerts.
        </Text>
      ) : (
        alerts.data.map((alert) => {
          const can = alertActions(alert);
          return (
            <Paper key={alert.id} withBorder radius="sm" p="xs" data-testid={`entity-alert-${alert.id}`} data-status={alert.status}>
              <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Group gap={6}>
                    <Badge size="sm" variant="light" color={LEVEL_COLOR[alert.level]}>
                      {LEVEL_LABEL[alert.level]}
                    </Badge>
                    <Badge size="sm" variant="outline" color="gray">
                      {STATUS_LABEL[alert.status]}
                    </Badge>
                    <Text size="xs" c="dimmed">
                      {formatDateTime(alert.raisedAt)} · {alert.source}
                    </Text>
                  </Group>
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {alert.message}
                  </Text>
                </Stack>
                <Group gap={4} wrap="nowrap">
                  {can.acknowledge && (
                    <Button
                      size="compact-xs"
                      variant="default"
                      leftSection={<IconEye size={12} />}
                      loading={busy === alert.id}
                      disabled={busy !== null}
                      onClick={() => void act(alert, acknowledge, 'Alert acknowledged')}
                      data-testid={`entity-alert-ack-${alert.id}`}
                    >
                      Acknowledge
                    </Button>
                  )}
                  {can.resolve && (
                    <Button
                      size="compact-xs"
                      variant="light"
                      color="teal"
                      leftSection={<IconCheck size={12} />}
                      loading={busy === alert.id}
                      disabled={busy !== null}
                      onClick={() => void act(alert, resolve, 'Alert resolved')}
                      data-testid={`entity-alert-resolve-${alert.id}`}
                    >
                      Resolve
                    </Button>
                  )}
                </Group>
              </Group>
            </Paper>
          );
        })
      )}
    </Stack>
  );
}

/** Level and message of a new alert on the entity; Enter raises it. */
function RaiseAlertForm({ entityId, onClose }: { entityId: string; onClose: () => void }) {
  const raise = useRaiseAlert();
  const [level, setLevel] = useState<AlertLevel>('warning');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const text = message.trim();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || text === '') return;
    setBusy(true);
    setError(null);
    try {
      await raise({ entityId, level, message: text });
      notifications.show({ color: 'teal', message: 'Alert raised' });
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const messageError = fieldError(error, 'message');
  return (
    <Paper withBorder radius="sm" p="xs">
      <form onSubmit={(e) => void submit(e)} data-testid="entity-alerts-form">
        <Stack gap="xs">
          <SegmentedControl
            size="xs"
            value={level}
            onChange={(value) => setLevel(value as AlertLevel)}
            aria-label="Level"
            data={(['info', 'warning', 'critical'] as const).map((value) => ({ value, label: LEVEL_LABEL[value] }))}
            data-testid="entity-alerts-level"
          />
          <TextInput
            size="xs"
            label="Message"
            placeholder="What needs attention"
            value={message}
            onChange={(e) => setMessage(e.currentTarget.value)}
            error={messageError}
            data-autofocus
            data-testid="entity-alerts-message"
          />
          {error !== null && messageError === null && <ErrorNotice error={error} compact />}
          <Group justify="flex-end" gap="xs">
            <Button size="compact-sm" variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button size="compact-sm" type="submit" loading={busy} disabled={text === '' || busy} data-testid="entity-alerts-raise-submit">
              Raise
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
