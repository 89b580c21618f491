import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Alert, AlertCounts, AppError, RaiseAlert, VersionedId } from '../../bindings';
import { renderApp } from '../../test/app';
import { callsOf, makeNode, sendRegistryChanged, T0, type Handler, type IpcArgs } from '../../test/fixtures';
import { alertActions, badgeColor, countsLabel } from './alertsModel';
import { fileNameOf } from './ImportReadingsDialog';

const site = makeNode({ id: 'site', name: 'North Campus', pathLabel: 'north_campus', hasChildren: true });
const pump = makeNode({ id: 'pump', parentId: 'site', name: 'Pump 1', pathLabel: 'north_campus.pump_1', typeKey: 'pump', typeName: 'Pump' });

const makeAlert = (id: string, over: Partial<Alert> = {}): Alert => ({
  id,
  entityId: 'pump',
  rootEntityId: 'site',
  entityName: 'Pump 1',
  entityPathLabel: 'north_campus.pump_1',
  level: 'warning',
  message: 'Pressure low',
  status: 'pending',
  source: 'manual',
  raisedAt: T0,
  raisedByUserId: null,
  acknowledgedAt: null,
  acknowledgedByUserId: null,
  resolvedAt: null,
  resolvedByUserId: null,
  updatedAt: `${id}-v1`,
  ...over,
});

const input = <T,>(args: IpcArgs) => (args as { input: T }).input;

/** A backend whose alerts acknowledging, resolving and raising change. */
function alertsApp(handlers: Record<string, Handler> = {}, initial: Alert[] = [makeAlert('a1'), makeAlert('a2', { level: 'critical', message: 'Motor hot', status: 'acknowledged' })]) {
  let alerts = [...initial];
  const counts = (): AlertCounts => {
    const open = alerts.filter((a) => a.status !== 'resolved');
    return { pending: open.filter((a) => a.status === 'pending').length, acknowledged: open.filter((a) => a.status === 'acknowledged').length, critical: open.filter((a) => a.level === 'critical').length };
  };
  const change = (args: IpcArgs, status: Alert['status']) => {
    const { id } = input<VersionedId>(args);
    const next = { ...alerts.find((a) => a.id === id)!, status, updatedAt: `${id}-${status}` };
    alerts = alerts.map((a) => (a.id === id ? next : a));
    return next;
  };
  return renderApp({
    roots: [site],
    children: { site: [pump], pump: [] },
    handlers: {
      alert_counts: counts,
      list_alerts: () => alerts.filter((a) => a.status !== 'resolved'),
      acknowledge_alert: (args) => change(args, 'acknowledged'),
      resolve_alert: (args) => change(args, 'resolved'),
      raise_alert: (args) => {
        const raise = input<RaiseAlert>(args);
        const raised = makeAlert(`a${alerts.length + 1}`, { ...raise });
        alerts = [raised, ...alerts];
        return raised;
      },
      list_dashboards: () => [],
      ...handlers,
    },
  });
}

describe('alerts model', () => {
  it('counts open alerts for the badge, red with a critical one', () => {
    expect(countsLabel({ pending: 0, acknowledged: 0, critical: 0 })).toBe('No open alerts');
    expect(countsLabel({ pending: 1, acknowledged: 0, critical: 1 })).toBe('1 open alert (1 critical)');
    expect(countsLabel({ pending: 2, acknowledged: 3, critical: 0 })).toBe('5 open alerts (2 pending)');
    expect(badgeColor({ pending: 2, acknowledged: 3, critical: 1 })).toBe('red');
    expect(badgeColor({ pending: 2, acknowledged: 3, critical: 0 })).toBe('orange');
    expect(badgeColor({ pending: 0, acknowledged: 3, critical: 0 })).toBe('gray');
  });

  it('pending alerts can be acknowledged, open ones resolved', () => {
    expect(alertActions({ status: 'pending' })).toEqual({ acknowledge: true, resolve: true });
    expect(alertActions({ status: 'acknowledged' })).toEqual({ acknowledge: false, resolve: true });
    expect(alertActions({ status: 'resolved' })).toEqual({ acknowledge: false, resolve: false });
  });

  it('names the file of a path', () => {
    expect(fileNameOf('/data/in/meters.csv')).toBe('meters.csv');
    expect(fileNameOf('C:\\data\\meters.json')).toBe('meters.json');
  });
});

describe('AlertsBadge', { timeout: 20_000 }, () => {
  it('shows the open alerts count and follows alert events', async () => {
    let counts: AlertCounts = { pending: 1, acknowledged: 1, critical: 1 };
    alertsApp({ alert_counts: () => counts });
    const badge = await screen.findByTestId('alerts-badge');
    expect(badge).toHaveAttribute('data-count', '2');
    expect(badge).toHaveAccessibleName('2 open alerts (1 critical, 1 pending)');

    counts = { pending: 2, acknowledged: 1, critical: 1 };
    await sendRegistryChanged({ kind: 'alertsChanged', entityId: 'pump' });
    await waitFor(() => expect(screen.getByTestId('alerts-badge')).toHaveAttribute('data-count', '3'));
  });

  it('lists the open alerts; an alert opens its entity, and the dashboards are a click away', async () => {
    const { calls, user } = alertsApp();
    await user.click(await screen.findByTestId('alerts-badge'));
    const popover = await screen.findByTestId('alerts-popover');
    expect(await within(popover).findByTestId('alerts-popover-item-a1')).toHaveTextContent('Pressure low');
    expect(within(popover).getByTestId('alerts-popover-item-a2')).toHaveTextContent('Critical');
    expect(callsOf(calls, 'list_alerts')[0]).toEqual({ filter: { statuses: [], entityId: null, subtree: false, limit: 20 } });

    await user.click(within(within(popover).getByTestId('alerts-popover-item-a1')).getByRole('button', { name: 'Pump 1' }));
    expect(await screen.findByTestId('details-name')).toHaveTextContent('Pump 1');

    await user.click(screen.getByTestId('alerts-badge'));
    await user.click(await screen.findByTestId('alerts-open-dashboards'));
    expect(await screen.findByTestId('dashboards-screen')).toBeInTheDocument();
  });
});

describe('EntityAlerts', { timeout: 20_000 }, () => {
  async function showPump(app: ReturnType<typeof alertsApp>) {
    await app.user.click(await screen.findByTestId('tree-toggle-north_campus'));
    await app.user.click(await screen.findByTestId('tree-row-north_campus.pump_1'));
    return screen.findByTestId('entity-alerts');
  }

  it("lists the entity's open alerts; acknowledge and resolve send the version shown", async () => {
    const app = alertsApp();
    const section = await showPump(app);
    expect(await within(section).findByTestId('entity-alert-a1')).toHaveTextContent('Pressure low');
    expect(callsOf(app.calls, 'list_alerts')).toContainEqual({ filter: { statuses: [], entityId: 'pump', subtree: false, limit: 50 } });
    // Acknowledged already: only Resolve.
    expect(within(section).queryByTestId('entity-alert-ack-a2')).toBeNull();

    await app.user.click(within(section).getByTestId('entity-alert-ack-a1'));
    await waitFor(() => expect(callsOf(app.calls, 'acknowledge_alert')).toEqual([{ input: { id: 'a1', expectedUpdatedAt: 'a1-v1' } }]));
    await waitFor(() => expect(within(section).getByTestId('entity-alert-a1')).toHaveAttribute('data-status', 'acknowledged'));
    // The badge follows at once.
    await waitFor(() => expect(screen.getByTestId('alerts-badge')).toHaveAttribute('data-count', '2'));

    await app.user.click(within(section).getByTestId('entity-alert-resolve-a1'));
    await waitFor(() => expect(callsOf(app.calls, 'resolve_alert')).toEqual([{ input: { id: 'a1', expectedUpdatedAt: 'a1-acknowledged' } }]));
    await waitFor(() => expect(within(section).queryByTestId('entity-alert-a1')).toBeNull());
    await waitFor(() => expect(screen.getByTestId('alerts-badge')).toHaveAttribute('data-count', '1'));
  });

  it('raises an alert with a level and a message', async () => {
    const app = alertsApp({}, []);
    const section = await showPump(app);
    expect(await within(section).findByTestId('entity-alerts-empty')).toHaveTextContent('No open alerts.');
    await app.user.click(within(section).getByTestId('entity-alerts-raise'));
    expect(within(section).getByTestId('entity-alerts-raise-submit')).toBeDisabled();
    await app.user.click(within(section).getByRole('radio', { name: 'Critical' }));
    await app.user.type(within(section).getByTestId('entity-alerts-message'), 'Leak in hall B{Enter}');
    await waitFor(() => expect(callsOf(app.calls, 'raise_alert')).toEqual([{ input: { entityId: 'pump', level: 'critical', message: 'Leak in hall B' } }]));
    expect(await within(section).findByTestId('entity-alert-a1')).toHaveTextContent('Leak in hall B');
    expect(within(section).queryByTestId('entity-alerts-form')).toBeNull();
  });

  it('shows a conflict with Reload when the alert changed since', async () => {
    const app = alertsApp({
      acknowledge_alert: () => {
        throw { type: 'Conflict', data: { message: 'changed', current: { kind: 'alert', row: makeAlert('a1', { status: 'acknowledged' }) } } } satisfies AppError;
      },
    });
    const section = await showPump(app);
    await app.user.click(await within(section).findByTestId('entity-alert-ack-a1'));
    const notice = await within(section).findByTestId('conflict-notice');
    await app.user.click(within(notice).getByTestId('conflict-reload'));
    await waitFor(() => expect(within(section).queryByTestId('conflict-notice')).toBeNull());
  });
});
