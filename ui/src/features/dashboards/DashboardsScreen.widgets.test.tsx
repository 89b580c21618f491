import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Dashboard, WidgetData, WidgetRequest } from '../../bindings';
import { renderApp } from '../../test/app';
import { makeNode, T0, type IpcArgs } from '../../test/fixtures';

// The screen with the real widget registry: every kind of widget opens and
// draws its data in its frame.
const widgets: Dashboard['widgets'] = [
  { id: 'kpi', title: 'Open alerts', layout: { x: 0, y: 0, w: 3, h: 2 }, config: { type: 'kpi', source: { kind: 'alerts' }, compare: false }, updatedAt: T0 },
  {
    id: 'bar',
    title: 'By type',
    layout: { x: 3, y: 0, w: 6, h: 4 },
    config: { type: 'bar', source: { kind: 'entityType', viewId: null, measure: { op: 'count', property: null } }, limit: 10 },
    updatedAt: T0,
  },
  { id: 'note', title: 'Read me', layout: { x: 9, y: 0, w: 3, h: 2 }, config: { type: 'markdown', text: 'Hello **there**' }, updatedAt: T0 },
];

const dashboard: Dashboard = {
  id: 'd1',
  key: null,
  name: 'Energy manager',
  description: null,
  ownerUserId: null,
  rootEntityId: null,
  refreshSeconds: null,
  variables: { version: 1, rootId: null, range: { kind: 'last', hours: 720 } },
  widgets,
  createdAt: T0,
  updatedAt: 'v1',
  deletedAt: null,
};

function dataFor(request: WidgetRequest): WidgetData {
  switch (request.config.type) {
    case 'kpi':
      return { type: 'kpi', value: 3, previous: null, unit: null };
    case 'bar':
      return { type: 'groups', groups: [{ label: 'Pump', value: 12, filter: { kind: 'entityType', key: 'pump' } }] };
    default:
      return { type: 'markdown', text: 'Hello **there**' };
  }
}

describe('DashboardsScreen with the widget registry', { timeout: 20_000 }, () => {
  it('draws every widget in its frame', async () => {
    const { user } = renderApp({
      roots: [makeNode({ id: 'site', name: 'Site' })],
      handlers: {
        list_dashboards: () => [{ id: 'd1', key: null, name: 'Energy manager', description: null, ownerUserId: null, rootEntityId: null, widgets: 3, updatedAt: 'v1' }],
        get_dashboard: () => dashboard,
        widget_data: (args: IpcArgs) => dataFor((args as { request: WidgetRequest }).request),
        list_views: () => [],
        list_metrics: () => [],
      },
    });
    await user.click(within(await screen.findByTestId('view-switch')).getByText('Dashboards'));
    for (const id of ['kpi', 'bar', 'note']) expect(await screen.findByTestId(`widget-${id}`)).toBeInTheDocument();
    await within(screen.getByTestId('widget-note')).findByText('there');
    await waitFor(() => expect(screen.getByTestId('widget-kpi')).toHaveTextContent('3'));
    expect(screen.queryByTestId(/^widget-error-/)).toBeNull();
  });
});
