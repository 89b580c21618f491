import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Alert, AppError } from '../../../bindings';
import { LiveUpdatesProvider } from '../../../live/LiveUpdates';
import { callsOf, installBackend, renderWithProviders, type FakeBackend } from '../../../test/fixtures';
import { widgetRegistry } from './index';

const Alerts = widgetRegistry.alerts;

const makeAlert = (over: Partial<Alert> & Pick<Alert, 'id'>): Alert => ({
  entityId: `entity-${over.id}`,
  rootEntityId: 'root',
  entityName: `Pump ${over.id}`,
  entityPathLabel: `site.pump_${over.id}`,
  level: 'warning',
  message: `Pressure high on ${over.id}`,
  status: 'pending',
  source: 'rule',
  raisedAt: '2025-01-01T00:00:00Z',
  raisedByUserId: null,
  acknowledgedAt: null,
  acknowledgedByUserId: null,
  resolvedAt: null,
  resolvedByUserId: null,
  updatedAt: `v-${over.id}`,
  ...over,
});

const pending = makeAlert({ id: 'a1', level: 'critical' });
const acknowledged = makeAlert({ id: 'a2', level: 'info', status: 'acknowledged' });

function show(backend: FakeBackend = {}) {
  const calls = installBackend(backend);
  const onCrossFilter = vi.fn();
  const user = userEvent.setup();
  const rendered = renderWithProviders(
    <LiveUpdatesProvider>
      <Alerts.Render
        config={{ type: 'alerts', limit: 20 }}
        data={{ type: 'alerts', alerts: [pending, acknowledged] }}
        onCrossFilter={onCrossFilter}
        setPngExporter={vi.fn()}
        width={400}
        height={300}
      />
    </LiveUpdatesProvider>,
  );
  return { calls, onCrossFilter, user, ...rendered };
}

describe('the alerts widget', () => {
  it('lists the alerts with level, message, entity, path and status', () => {
    show();
    expect(screen.getByTestId('widget-alert-level-a1')).toHaveTextContent('Critical');
    expect(screen.getByTestId('widget-alert-level-a2')).toHaveTextContent('Info');
    expect(screen.getByTestId('widget-alert-a1')).toHaveTextContent('Pressure high on a1');
    expect(screen.getByTestId('widget-alert-a1')).toHaveTextContent('site.pump_a1');
    expect(screen.getByTestId('widget-alert-status-a2')).toHaveTextContent('Acknowledged');
    // Acknowledge only while pending; resolve while open.
    expect(screen.getByTestId('widget-alert-ack-a1')).toBeInTheDocument();
    expect(screen.queryByTestId('widget-alert-ack-a2')).toBeNull();
    expect(screen.getByTestId('widget-alert-resolve-a1')).toBeInTheDocument();
    expect(screen.getByTestId('widget-alert-resolve-a2')).toBeInTheDocument();
    expect(screen.getByTestId('widget-alert-ack-a1')).toHaveAccessibleName('Acknowledge the alert on Pump a1: Pressure high on a1');
  });

  it('acknowledges the version shown, then refreshes dashboards and alerts', async () => {
    const { calls, client, user } = show({ handlers: { acknowledge_alert: () => ({ ...pending, status: 'acknowledged', updatedAt: 'v2' }) } });
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    await user.click(screen.getByTestId('widget-alert-ack-a1'));
    await waitFor(() => expect(invalidate).toHaveBeenCalledWith({ queryKey: ['alerts'] }));
    expect(callsOf(calls, 'acknowledge_alert')).toEqual([{ input: { id: 'a1', expectedUpdatedAt: 'v-a1' } }]);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ['dashboards'] });
  });

  it('resolves the version shown', async () => {
    const { calls, user } = show({ handlers: { resolve_alert: () => ({ ...acknowledged, status: 'resolved' }) } });
    await user.click(screen.getByTestId('widget-alert-resolve-a2'));
    await waitFor(() => expect(callsOf(calls, 'resolve_alert')).toEqual([{ input: { id: 'a2', expectedUpdatedAt: 'v-a2' } }]));
  });

  it('shows a refusal, and a conflict offers a reload', async () => {
    const conflict: AppError = { type: 'Conflict', data: { message: 'changed', current: { kind: 'alert', row: { ...pending, status: 'acknowledged' } } } };
    const { client, user } = show({
      handlers: {
        acknowledge_alert: () => {
          throw conflict;
        },
      },
    });
    await user.click(screen.getByTestId('widget-alert-ack-a1'));
    expect(await screen.findByTestId('conflict-notice')).toBeInTheDocument();
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    await user.click(screen.getByTestId('conflict-reload'));
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ['dashboards'] });
    expect(screen.queryByTestId('conflict-notice')).toBeNull();
  });

  it('filters the dashboard by an alert entity', async () => {
    const { onCrossFilter, user } = show();
    await user.click(screen.getByTestId('widget-alert-entity-a2'));
    expect(onCrossFilter).toHaveBeenCalledWith({ kind: 'under', entityId: 'entity-a2' });
  });
});
