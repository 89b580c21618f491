import { emit } from '@tauri-apps/api/event';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppError, CrossFilter, Dashboard, DashboardSummary, ImportReport, JobProgress, SaveDashboard, VersionedId, Widget, WidgetData, WidgetRequest } from '../../bindings';
import { renderApp, settle } from '../../test/app';
import { callsOf, makeNode, sendRegistryChanged, T0, type FakeBackend, type Handler, type IpcArgs } from '../../test/fixtures';
import type { WidgetModule, WidgetRenderProps } from './widgets';

// A registry of three simple widgets: a KPI, bars (a click on one sets its
// filter) and a note, with the dependencies the real ones have.
const fake = vi.hoisted(() => ({
  renders: new Map<string, number>(),
  saveExport: vi.fn(async (fileName: string) => `/home/ada/Downloads/${fileName}`),
}));

vi.mock('./widgets', async () => {
  const { createElement, useEffect } = await import('react');
  const ALL: CrossFilter['kind'][] = ['property', 'entityType', 'under', 'time'];
  const count = (key: string) => fake.renders.set(key, (fake.renders.get(key) ?? 0) + 1);

  function Render({ config, data, onCrossFilter, setPngExporter }: WidgetRenderProps) {
    count(config.type);
    useEffect(() => {
      if (data.type === 'markdown') return;
      setPngExporter(() => 'data:image/png;base64,iVBORw0KGgo=');
      return () => setPngExporter(null);
    }, [data.type, setPngExporter]);
    if (data.type === 'groups') {
      return createElement(
        'div',
        null,
        data.groups.map((g) => createElement('button', { key: g.label, type: 'button', onClick: () => g.filter && onCrossFilter(g.filter) }, `${g.label}: ${g.value}`)),
      );
    }
    if (data.type === 'kpi') return createElement('span', { 'data-testid': 'fake-kpi' }, `${data.value}`);
    if (data.type === 'markdown') return createElement('p', null, data.text);
    return null;
  }

  function TextForm({ value, onChange }: { value: { type: 'markdown'; text: string }; onChange: (next: { type: 'markdown'; text: string }) => void }) {
    return createElement('input', { 'aria-label': 'Text', 'data-testid': 'fake-markdown-text', value: value.text, onChange: (e: { currentTarget: HTMLInputElement }) => onChange({ ...value, text: e.currentTarget.value }) });
  }
  const NoForm = () => null;
  const groupsCsv = (data: WidgetData) => (data.type === 'groups' ? `label,value\n${data.groups.map((g) => `${g.label},${g.value}`).join('\n')}` : null);

  const widgetRegistry = {
    kpi: {
      type: 'kpi',
      label: 'KPI',
      description: 'One number',
      minSize: { w: 2, h: 2 },
      defaultSize: { w: 3, h: 2 },
      defaultConfig: () => ({ type: 'kpi', source: { kind: 'alerts' }, compare: false }),
      ConfigForm: NoForm,
      Render,
      deps: () => ({ range: true, root: true, filterKinds: ALL }),
      toCsv: (data: WidgetData) => (data.type === 'kpi' ? `value\n${data.value}` : null),
    },
    bar: {
      type: 'bar',
      label: 'Bar chart',
      description: 'Bars by a property',
      minSize: { w: 3, h: 3 },
      defaultSize: { w: 6, h: 4 },
      defaultConfig: () => ({ type: 'bar', source: { kind: 'entityType', viewId: null, measure: { op: 'count' } }, limit: 10 }),
      ConfigForm: NoForm,
      Render,
      deps: () => ({ range: false, root: true, filterKinds: ['property', 'entityType', 'under'] }),
      toCsv: groupsCsv,
    },
    markdown: {
      type: 'markdown',
      label: 'Note',
      description: 'Text in Markdown',
      minSize: { w: 2, h: 1 },
      defaultSize: { w: 4, h: 2 },
      defaultConfig: () => ({ type: 'markdown', text: '' }),
      ConfigForm: TextForm,
      Render,
      deps: () => ({ range: false, root: false, filterKinds: [] }),
      toCsv: () => null,
    },
  } as unknown as Record<string, WidgetModule>;

  return { widgetRegistry, widgetModule: (type: string) => widgetRegistry[type], saveExport: fake.saveExport };
});

const kpiWidget: Widget = { id: 'w-kpi', title: 'Energy', layout: { x: 0, y: 0, w: 3, h: 2 }, config: { type: 'kpi', source: { kind: 'metric', metric: 'energy', aggregate: 'sum' }, compare: true }, updatedAt: T0 };
const barWidget: Widget = {
  id: 'w-bar',
  title: 'By status',
  layout: { x: 3, y: 0, w: 6, h: 4 },
  config: { type: 'bar', source: { kind: 'property', viewId: null, key: 'status', measure: { op: 'count' } }, limit: 10 },
  updatedAt: T0,
};
const noteWidget: Widget = { id: 'w-note', title: null, layout: { x: 9, y: 0, w: 3, h: 2 }, config: { type: 'markdown', text: 'Hello' }, updatedAt: T0 };

const energy: Dashboard = {
  id: 'd-energy',
  key: 'energy_manager',
  name: 'Energy manager',
  description: null,
  ownerUserId: null,
  rootEntityId: null,
  refreshSeconds: null,
  variables: { version: 1, rootId: null, range: { kind: 'last', hours: 720 } },
  widgets: [kpiWidget, barWidget, noteWidget],
  createdAt: T0,
  updatedAt: 'energy-v1',
  deletedAt: null,
};
const plant: Dashboard = { ...energy, id: 'd-plant', key: null, name: 'Plant', widgets: [], updatedAt: 'plant-v1' };

const summaryOf = (d: Dashboard): DashboardSummary => ({
  id: d.id,
  key: d.key,
  name: d.name,
  description: d.description,
  ownerUserId: d.ownerUserId,
  rootEntityId: d.rootEntityId,
  widgets: d.widgets.length,
  updatedAt: d.updatedAt,
});

const site = makeNode({ id: 'site', name: 'North Campus', pathLabel: 'north_campus' });

const statusOk: CrossFilter = { kind: 'property', key: 'status', value: 'ok' };
const statusFault: CrossFilter = { kind: 'property', key: 'status', value: 'fault' };

function dataFor(request: WidgetRequest): WidgetData {
  switch (request.config.type) {
    case 'kpi':
      return { type: 'kpi', value: request.filters?.length ? 7 : 42, previous: 40, unit: 'kWh' };
    case 'bar':
      return {
        type: 'groups',
        groups: [
          { label: 'Running', value: 5, filter: statusOk },
          { label: 'Fault', value: 2, filter: statusFault },
        ],
      };
    case 'markdown':
      return { type: 'markdown', text: request.config.text };
    default:
      throw new Error('no data');
  }
}

const request = (args: IpcArgs) => (args as { request: WidgetRequest }).request;
const saved = (args: IpcArgs) => (args as { input: SaveDashboard }).input;

/** A backend holding dashboards that save, delete and restore change. */
function backend(handlers: Record<string, Handler> = {}, initial: Dashboard[] = [energy, plant]): FakeBackend {
  let dashboards = [...initial];
  let version = 1;
  return {
    roots: [site],
    children: { site: [] },
    handlers: {
      list_dashboards: () => dashboards.filter((d) => d.deletedAt === null).map(summaryOf),
      get_dashboard: (args) => {
        const found = dashboards.find((d) => d.id === (args as { id: string }).id);
        if (!found) throw { type: 'NotFound', data: { what: 'dashboard', id: String((args as { id: string }).id) } } satisfies AppError;
        return found;
      },
      widget_data: (args) => dataFor(request(args)),
      save_dashboard: (args) => {
        const input = saved(args);
        const id = input.id ?? `d-new-${dashboards.length}`;
        const widgets = input.widgets.map((w, i) => ({ id: w.id ?? `w-saved-${i}`, title: w.title, layout: w.layout, config: w.config, updatedAt: T0 }));
        const before = dashboards.find((d) => d.id === id);
        const next: Dashboard = {
          ...(before ?? energy),
          id,
          key: input.key,
          name: input.name,
          description: input.description,
          refreshSeconds: input.refreshSeconds,
          variables: input.variables,
          widgets,
          updatedAt: `${id}-v${++version}`,
        };
        dashboards = before ? dashboards.map((d) => (d.id === id ? next : d)) : [...dashboards, next];
        return next;
      },
      delete_dashboard: (args) => {
        const { id } = (args as { input: VersionedId }).input;
        const deleted = { ...dashboards.find((d) => d.id === id)!, deletedAt: 'T9', updatedAt: `${id}-deleted` };
        dashboards = dashboards.map((d) => (d.id === id ? deleted : d));
        return deleted;
      },
      restore_dashboard: (args) => {
        const { id } = (args as { input: VersionedId }).input;
        const restored = { ...dashboards.find((d) => d.id === id)!, deletedAt: null, updatedAt: `${id}-restored` };
        dashboards = dashboards.map((d) => (d.id === id ? restored : d));
        return restored;
      },
      ...handlers,
    },
  };
}

async function openDashboards(handlers: Record<string, Handler> = {}, initial?: Dashboard[]) {
  const rendered = renderApp(backend(handlers, initial));
  await rendered.user.click(within(await screen.findByTestId('view-switch')).getByText('Dashboards'));
  await screen.findByTestId('dashboards-screen');
  return rendered;
}

/** The widget data requests made so far, by widget type. */
const requests = (calls: ReturnType<typeof renderApp>['calls'], type?: string) =>
  callsOf(calls, 'widget_data')
    .map(request)
    .filter((r) => type === undefined || r.config.type === type);

async function widgetsShown() {
  await within(await screen.findByTestId('widget-w-kpi')).findByTestId('fake-kpi');
  await within(screen.getByTestId('widget-w-bar')).findByText('Fault: 2');
  await within(screen.getByTestId('widget-w-note')).findByText('Hello');
}

async function pick(user: ReturnType<typeof renderApp>['user'], testId: string, option: string) {
  await user.click(screen.getByTestId(testId));
  await user.click(await screen.findByRole('option', { name: option }));
}

beforeEach(() => {
  fake.renders.clear();
  fake.saveExport.mockClear();
});

describe('DashboardsScreen', { timeout: 20_000 }, () => {
  it('lists the dashboards and opens the first, each widget fetching its own data', async () => {
    const { calls, user } = await openDashboards();
    const list = await screen.findByTestId('dashboard-list');
    expect(within(list).getByTestId('dashboard-item-d-energy')).toHaveTextContent('Energy manager');
    expect(within(list).getByTestId('dashboard-item-d-plant')).toHaveTextContent('Plant');
    expect(await screen.findByTestId('dashboard-title')).toHaveTextContent('Energy manager');
    expect(screen.getByTestId('dashboard-item-d-energy')).toHaveAttribute('data-active');
    await widgetsShown();
    // A widget without a title shows its kind's label.
    expect(within(screen.getByTestId('widget-w-note')).getByText('Note')).toBeInTheDocument();
    expect(screen.getByTestId('widget-w-kpi')).toHaveTextContent('Energy');

    const kpi = requests(calls, 'kpi');
    expect(kpi).toHaveLength(1);
    expect(kpi[0]).toMatchObject({ config: kpiWidget.config, variables: energy.variables, filters: [] });
    expect(kpi[0].maxPoints).toBeGreaterThanOrEqual(50);
    expect(kpi[0].maxPoints).toBeLessThanOrEqual(2000);
    expect(requests(calls)).toHaveLength(3);
    expect(screen.queryByTestId('dashboard-save')).toBeNull();

    await user.click(screen.getByTestId('dashboard-open-d-plant'));
    expect(await screen.findByTestId('dashboard-title')).toHaveTextContent('Plant');
    expect(await screen.findByTestId('dashboard-no-widgets')).toBeInTheDocument();
  });

  it('a click in a widget filters the other widgets that read its kind, and only those re-run', async () => {
    const { calls, user } = await openDashboards();
    await widgetsShown();
    const before = { kpi: requests(calls, 'kpi').length, bar: requests(calls, 'bar').length, note: requests(calls, 'markdown').length };
    const noteRenders = fake.renders.get('markdown');

    await user.click(within(screen.getByTestId('widget-w-bar')).getByText('Fault: 2'));
    const chip = await screen.findByTestId('dashboard-filter-chip-property');
    expect(chip).toHaveTextContent('status: Fault');
    await waitFor(() => expect(within(screen.getByTestId('widget-w-kpi')).getByTestId('fake-kpi')).toHaveTextContent('7'));
    expect(requests(calls, 'kpi')).toHaveLength(before.kpi + 1);
    expect(requests(calls, 'kpi').at(-1)!.filters).toEqual([statusFault]);
    // The widget that set the filter and the note that reads none keep their data.
    expect(requests(calls, 'bar')).toHaveLength(before.bar);
    expect(requests(calls, 'markdown')).toHaveLength(before.note);
    expect(fake.renders.get('markdown')).toBe(noteRenders);

    // Another bar of the same kind replaces the filter.
    await user.click(within(screen.getByTestId('widget-w-bar')).getByText('Running: 5'));
    await waitFor(() => expect(screen.getByTestId('dashboard-filter-chip-property')).toHaveTextContent('status: Running'));
    await waitFor(() => expect(requests(calls, 'kpi').at(-1)!.filters).toEqual([statusOk]));
    expect(screen.getAllByTestId(/^dashboard-filter-chip-/)).toHaveLength(1);

    // Clearing brings back the cached data of the unfiltered KPI, without a fetch.
    const fetched = requests(calls, 'kpi').length;
    await user.click(screen.getByTestId('dashboard-clear-filters'));
    expect(screen.queryByTestId('dashboard-filter-chip-property')).toBeNull();
    await waitFor(() => expect(within(screen.getByTestId('widget-w-kpi')).getByTestId('fake-kpi')).toHaveTextContent('42'));
    await settle();
    expect(requests(calls, 'kpi')).toHaveLength(fetched);
  });

  it('a chip removes its filter with its ×', async () => {
    const { user } = await openDashboards();
    await widgetsShown();
    await user.click(within(screen.getByTestId('widget-w-bar')).getByText('Fault: 2'));
    await user.click(within(await screen.findByTestId('dashboard-filter-chip-property')).getByRole('button', { name: 'Remove filter status: Fault' }));
    expect(screen.queryByTestId('dashboard-filter-chip-property')).toBeNull();
    expect(screen.queryByTestId('dashboard-clear-filters')).toBeNull();
  });

  it('variables apply at once to the widgets that read them, and are saved with the dashboard', async () => {
    const { calls, user } = await openDashboards();
    await widgetsShown();
    const bars = requests(calls, 'bar').length;

    await pick(user, 'variables-range', 'Last 7 days');
    await waitFor(() => expect(requests(calls, 'kpi').at(-1)!.variables.range).toEqual({ kind: 'last', hours: 168 }));
    // The bars do not read the range.
    expect(requests(calls, 'bar')).toHaveLength(bars);
    expect(screen.getByTestId('dashboard-dirty')).toBeInTheDocument();

    await pick(user, 'variables-root', 'North Campus');
    await waitFor(() => expect(requests(calls, 'bar').at(-1)!.variables.rootId).toBe('site'));
    await pick(user, 'variables-refresh', '30 s');

    await user.click(screen.getByTestId('dashboard-save'));
    await waitFor(() => expect(callsOf(calls, 'save_dashboard')).toHaveLength(1));
    const input = saved(callsOf(calls, 'save_dashboard')[0]);
    expect(input).toMatchObject({
      id: 'd-energy',
      expectedUpdatedAt: 'energy-v1',
      name: 'Energy manager',
      shared: true,
      refreshSeconds: 30,
      variables: { version: 1, rootId: 'site', range: { kind: 'last', hours: 168 } },
    });
    expect(input.widgets.map((w) => w.id)).toEqual(['w-kpi', 'w-bar', 'w-note']);
    await waitFor(() => expect(screen.queryByTestId('dashboard-dirty')).toBeNull());
    expect(screen.queryByTestId('dashboard-save')).toBeNull();
  });

  it('edit mode: add a widget from the palette at the bottom, remove one, save the whole dashboard', async () => {
    const { calls, user } = await openDashboards();
    await widgetsShown();
    expect(screen.queryByTestId('widget-drag-w-kpi')).toBeNull();
    expect(screen.queryByTestId('dashboard-add-widget')).toBeNull();

    await user.click(screen.getByTestId('dashboard-edit'));
    expect(screen.getByTestId('widget-drag-w-kpi')).toBeInTheDocument();
    await user.click(screen.getByTestId('dashboard-add-widget'));
    const palette = await screen.findByTestId('widget-palette');
    expect(within(palette).getByTestId('widget-palette-bar')).toHaveTextContent('Bars by a property');
    await user.click(within(palette).getByTestId('widget-palette-markdown'));
    await user.type(screen.getByTestId('fake-markdown-text'), 'Read me');
    await user.type(screen.getByTestId('widget-title'), 'Notes{Enter}');
    await waitFor(() => expect(screen.queryByTestId('widget-palette')).toBeNull());
    const added = await screen.findByTestId('widget-new-1');
    expect(added).toHaveTextContent('Notes');
    await within(added).findByText('Read me');

    await user.click(screen.getByTestId('widget-remove-w-note'));
    expect(screen.queryByTestId('widget-w-note')).toBeNull();

    await user.click(screen.getByTestId('dashboard-save'));
    await waitFor(() => expect(callsOf(calls, 'save_dashboard')).toHaveLength(1));
    const input = saved(callsOf(calls, 'save_dashboard')[0]);
    expect(input.widgets.map((w) => [w.id, w.title])).toEqual([
      ['w-kpi', 'Energy'],
      ['w-bar', 'By status'],
      [null, 'Notes'],
    ]);
    // At the bottom, at its default size.
    expect(input.widgets[2].layout).toEqual({ x: 0, y: 4, w: 4, h: 2 });
    expect(input.widgets[2].config).toEqual({ type: 'markdown', text: 'Read me' });
    // Saved: out of edit mode, the new widget under its saved id.
    expect(await screen.findByTestId('widget-w-saved-2')).toBeInTheDocument();
    expect(screen.queryByTestId('dashboard-add-widget')).toBeNull();
  });

  it('edits a widget with its form', async () => {
    const { calls, user } = await openDashboards();
    await widgetsShown();
    await user.click(screen.getByTestId('dashboard-edit'));
    await user.click(screen.getByTestId('widget-edit-w-note'));
    const text = await screen.findByTestId('fake-markdown-text');
    expect(text).toHaveValue('Hello');
    await user.clear(text);
    await user.type(text, 'Bye');
    await user.click(screen.getByTestId('widget-config-submit'));
    await within(screen.getByTestId('widget-w-note')).findByText('Bye');
    await user.click(screen.getByTestId('dashboard-save'));
    await waitFor(() => expect(callsOf(calls, 'save_dashboard')).toHaveLength(1));
    expect(saved(callsOf(calls, 'save_dashboard')[0]).widgets[2]).toMatchObject({ id: 'w-note', config: { type: 'markdown', text: 'Bye' } });
  });

  it('Cancel and Escape leave edit mode and bring the widgets back', async () => {
    const { calls, user } = await openDashboards();
    await widgetsShown();
    await user.click(screen.getByTestId('dashboard-edit'));
    await user.click(screen.getByTestId('widget-remove-w-note'));
    expect(screen.getByTestId('dashboard-dirty')).toBeInTheDocument();
    await user.click(screen.getByTestId('dashboard-cancel'));
    expect(await screen.findByTestId('widget-w-note')).toBeInTheDocument();
    expect(screen.queryByTestId('dashboard-dirty')).toBeNull();

    await user.click(screen.getByTestId('dashboard-edit'));
    await user.click(screen.getByTestId('widget-remove-w-kpi'));
    act(() => {
      fireEvent.keyDown(document.body, { key: 'Escape', code: 'Escape' });
    });
    expect(await screen.findByTestId('widget-w-kpi')).toBeInTheDocument();
    expect(screen.queryByTestId('dashboard-cancel')).toBeNull();
    expect(callsOf(calls, 'save_dashboard')).toHaveLength(0);
  });

  it('a conflict on save never overwrites: Reload takes the dashboard as saved now', async () => {
    const theirs: Dashboard = { ...energy, name: 'Energy manager', refreshSeconds: 300, widgets: [kpiWidget], updatedAt: 'energy-v9' };
    let stored = energy;
    const { calls, user } = await openDashboards({
      get_dashboard: () => stored,
      save_dashboard: () => {
        stored = theirs;
        throw { type: 'Conflict', data: { message: 'changed', current: { kind: 'dashboard', row: theirs } } } satisfies AppError;
      },
    });
    await widgetsShown();
    await user.click(screen.getByTestId('dashboard-edit'));
    await user.click(screen.getByTestId('widget-remove-w-note'));
    await user.click(screen.getByTestId('dashboard-save'));
    const notice = await screen.findByTestId('conflict-notice');
    expect(notice).toHaveTextContent('Changed by someone else');
    expect(callsOf(calls, 'save_dashboard')).toHaveLength(1);

    await user.click(within(notice).getByTestId('conflict-reload'));
    await waitFor(() => expect(screen.queryByTestId('conflict-notice')).toBeNull());
    await waitFor(() => expect(screen.queryByTestId('widget-w-bar')).toBeNull());
    expect(screen.getByTestId('widget-w-kpi')).toBeInTheDocument();
    expect(screen.queryByTestId('dashboard-dirty')).toBeNull();
    expect(screen.queryByTestId('dashboard-cancel')).toBeNull();
    expect(callsOf(calls, 'save_dashboard')).toHaveLength(1);
  });

  it('a failing widget shows its error in its frame; the others keep working', async () => {
    await openDashboards({
      widget_data: (args) => {
        if (request(args).config.type === 'bar') throw { type: 'Validation', data: { field: 'source.key', rule: 'format', message: 'No such property: status' } } satisfies AppError;
        return dataFor(request(args));
      },
    });
    const error = await screen.findByTestId('widget-error-w-bar');
    expect(error).toHaveTextContent('No such property: status');
    expect(within(screen.getByTestId('widget-w-bar')).queryByText('Fault: 2')).toBeNull();
    await within(screen.getByTestId('widget-w-kpi')).findByTestId('fake-kpi');
    await within(screen.getByTestId('widget-w-note')).findByText('Hello');
  });

  it('exports a widget as CSV and as PNG, and shows where the file went', async () => {
    const { user } = await openDashboards();
    await widgetsShown();
    await user.click(screen.getByTestId('widget-csv-w-bar'));
    await waitFor(() => expect(fake.saveExport).toHaveBeenCalledWith('By status.csv', { csv: 'label,value\nRunning,5\nFault,2' }));
    expect(await screen.findByText('Saved to /home/ada/Downloads/By status.csv')).toBeInTheDocument();

    await waitFor(() => expect(screen.getByTestId('widget-png-w-bar')).toBeEnabled());
    await user.click(screen.getByTestId('widget-png-w-bar'));
    await waitFor(() => expect(fake.saveExport).toHaveBeenCalledWith('By status.png', { pngDataUrl: 'data:image/png;base64,iVBORw0KGgo=' }));
    // The note draws no picture.
    expect(screen.getByTestId('widget-png-w-note')).toBeDisabled();
  });

  it('full screen shows the widget large; Escape leaves it', async () => {
    const { user } = await openDashboards();
    await widgetsShown();
    await user.click(screen.getByTestId('widget-fullscreen-w-bar'));
    const modal = await screen.findByTestId('widget-fullscreen-modal');
    expect(within(modal).getByText('By status')).toBeInTheDocument();
    expect(await within(modal).findByText('Fault: 2')).toBeInTheDocument();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('widget-fullscreen-modal')).toBeNull());
  });

  it('Refresh fetches every widget again; a dashboard saved elsewhere is reloaded', async () => {
    let stored = energy;
    const { calls, user } = await openDashboards({ get_dashboard: () => stored });
    await widgetsShown();
    const before = requests(calls).length;
    await user.click(screen.getByTestId('dashboard-refresh'));
    await waitFor(() => expect(requests(calls).length).toBe(before + 3));

    stored = { ...energy, name: 'Energy (new)', updatedAt: 'energy-v2', widgets: [kpiWidget, barWidget] };
    await sendRegistryChanged({ kind: 'dashboardsChanged', id: 'd-energy' });
    await waitFor(() => expect(screen.getByTestId('dashboard-title')).toHaveTextContent('Energy (new)'));
    await waitFor(() => expect(screen.queryByTestId('widget-w-note')).toBeNull());
  });

  it('makes a new dashboard and opens it', async () => {
    const { calls, user } = await openDashboards();
    await user.click(await screen.findByTestId('dashboard-new'));
    await user.type(await screen.findByTestId('dashboard-new-name'), 'Chillers{Enter}');
    await waitFor(() => expect(callsOf(calls, 'save_dashboard')).toHaveLength(1));
    expect(saved(callsOf(calls, 'save_dashboard')[0])).toEqual({
      id: null,
      expectedUpdatedAt: null,
      key: null,
      name: 'Chillers',
      description: null,
      shared: true,
      rootId: null,
      refreshSeconds: null,
      variables: { version: 1, rootId: null, range: { kind: 'last', hours: 720 } },
      widgets: [],
    });
    await waitFor(() => expect(screen.getByTestId('dashboard-title')).toHaveTextContent('Chillers'));
  });

  it('deletes a dashboard after asking; the next one opens', async () => {
    const { calls, user } = await openDashboards();
    await screen.findByTestId('dashboard-title');
    await user.click(screen.getByTestId('dashboard-delete-d-energy'));
    await user.click(await screen.findByTestId('dashboard-delete-confirm'));
    await waitFor(() => expect(callsOf(calls, 'delete_dashboard')).toEqual([{ input: { id: 'd-energy', expectedUpdatedAt: 'energy-v1' } }]));
    await waitFor(() => expect(screen.queryByTestId('dashboard-item-d-energy')).toBeNull());
    await waitFor(() => expect(screen.getByTestId('dashboard-title')).toHaveTextContent('Plant'));
  });

  it('imports readings as a background job', async () => {
    const { calls, user } = await openDashboards({ import_readings: () => ({ jobId: 'job-1', total: 2048 }) });
    await user.click(await screen.findByTestId('import-readings-open'));
    expect(screen.getByTestId('import-readings-start')).toBeDisabled();
    await user.type(screen.getByTestId('import-readings-path'), '/data/meters.csv');
    await user.click(screen.getByTestId('import-readings-skip'));
    await user.click(screen.getByTestId('import-readings-start'));
    await waitFor(() => expect(callsOf(calls, 'import_readings')).toEqual([{ path: '/data/meters.csv', onBadRows: 'skip' }]));
    expect(await screen.findByTestId('job-job-1')).toHaveTextContent('Importing readings from "meters.csv"');
    expect(screen.queryByTestId('import-readings-dialog')).toBeNull();

    const report: ImportReport = { records: 1205, inserted: 1200, alreadyPresent: 3, seriesCreated: 4, problemCount: 2, problems: [{ line: 9, kind: 'badValue', message: 'not a number' }], committed: true, rollupDays: 30 };
    const progress: JobProgress = { jobId: 'job-1', done: 2048, total: 2048, state: { state: 'imported', report } };
    await act(async () => void (await emit('job-progress', progress)));
    expect(await screen.findByTestId('job-imported-job-1')).toHaveTextContent('Imported 1,200 readings (3 already present, 2 bad rows)');
    expect(screen.getByTestId('job-job-1')).toHaveAttribute('data-status', 'committed');
  });

  it('refuses a path the core cannot read, under the path input', async () => {
    const { user } = await openDashboards({
      import_readings: () => {
        throw { type: 'Validation', data: { field: 'path', rule: 'format', message: 'choose a .csv, .json or .jsonl file' } } satisfies AppError;
      },
    });
    await user.click(await screen.findByTestId('import-readings-open'));
    await user.type(screen.getByTestId('import-readings-path'), '/data/meters.txt{Enter}');
    expect(await screen.findByText('choose a .csv, .json or .jsonl file')).toBeInTheDocument();
    expect(screen.getByTestId('import-readings-dialog')).toBeInTheDocument();
  });
});
