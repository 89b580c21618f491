import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { SavedView } from '../../../bindings';
import { installBackend, makeNode, renderWithProviders, T0 } from '../../../test/fixtures';
import { makeDefinition } from '../../../test/propertyFixtures';
import { widgetRegistry, type ConfigOf, type WidgetType } from './index';

const view: SavedView = {
  id: 'v1',
  key: null,
  name: 'Pumps',
  description: null,
  viewType: 'table',
  ownerUserId: null,
  rootEntityId: null,
  config: {},
  createdAt: T0,
  updatedAt: T0,
  deletedAt: null,
};

function backend() {
  return installBackend({
    roots: [makeNode({ id: 'site', name: 'Site A' })],
    handlers: {
      list_views: () => [view],
      list_metrics: () => [{ metricKey: 'power', unit: 'kW', series: 2 }],
      list_property_definitions: () => [
        makeDefinition({ key: 'pressure', valueType: 'number', isSearchable: true }),
        makeDefinition({ key: 'status', valueType: 'text', isSearchable: true }),
      ],
    },
  });
}

function Harness<T extends WidgetType>({ type, onChange }: { type: T; onChange: (c: ConfigOf<T>) => void }) {
  const module = widgetRegistry[type];
  const [value, setValue] = useState<ConfigOf<T>>(module.defaultConfig());
  const Form = module.ConfigForm;
  return (
    <Form
      value={value}
      onChange={(next) => {
        setValue(next);
        onChange(next);
      }}
    />
  );
}

function show<T extends WidgetType>(type: T) {
  backend();
  const onChange = vi.fn<(c: ConfigOf<T>) => void>();
  renderWithProviders(<Harness type={type} onChange={onChange} />);
  return { onChange, user: userEvent.setup() };
}

describe('widget config forms', () => {
  it('bar: a property of a view, then the top entities by a metric', async () => {
    const { onChange, user } = show('bar');
    expect(screen.getByTestId('widget-config-measure-op')).toBeInTheDocument();
    expect(screen.getByTestId('widget-config-limit')).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'By property' }));
    expect(screen.getByTestId('widget-config-property')).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Top by metric' }));
    expect(onChange).toHaveBeenLastCalledWith({ type: 'bar', source: { kind: 'metricTop', viewId: null, metric: '', aggregate: 'sum' }, limit: 10 });
    expect(screen.getByTestId('widget-config-metric')).toBeInTheDocument();
    expect(screen.getByTestId('widget-config-aggregate')).toBeInTheDocument();
  });

  it('pie: the limit stays within 1 to 100', () => {
    const { onChange } = show('pie');
    const limit = screen.getByTestId('widget-config-limit');
    fireEvent.change(limit, { target: { value: '40' } });
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ type: 'pie', limit: 40 }));
    expect(limit).toHaveAccessibleName(/Slices/);
  });

  it('time series: a line per entity, from the roots', async () => {
    const { onChange, user } = show('timeSeries');
    expect(screen.getByTestId('widget-config-metric')).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'A line per entity' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ lines: { kind: 'entities', ids: [], subtree: false } }));
    await user.click(screen.getByTestId('widget-config-entities'));
    await user.click(await screen.findByRole('option', { name: 'Site A' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ lines: { kind: 'entities', ids: ['site'], subtree: false } }));
    fireEvent.click(screen.getByTestId('widget-config-subtree'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ lines: { kind: 'entities', ids: ['site'], subtree: true } }));
    fireEvent.click(screen.getByTestId('widget-config-area'));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ area: true }));
  });

  it('table: a saved view is required', async () => {
    const { onChange, user } = show('table');
    const select = screen.getByTestId('widget-config-view');
    expect(select).toHaveAttribute('aria-invalid', 'true');
    await user.click(select);
    await user.click(await screen.findByRole('option', { name: 'Pumps' }));
    expect(onChange).toHaveBeenLastCalledWith({ type: 'table', viewId: 'v1', limit: 50 });
  });

  it('treemap: levels, root and view', async () => {
    const { onChange, user } = show('treemap');
    await user.click(screen.getByRole('radio', { name: 'Two levels' }));
    expect(onChange).toHaveBeenLastCalledWith({ type: 'treemap', rootId: null, depth: 2, viewId: null });
    await user.click(screen.getByTestId('widget-config-root'));
    await user.click(await screen.findByRole('option', { name: 'Site A' }));
    await waitFor(() => expect(onChange).toHaveBeenLastCalledWith({ type: 'treemap', rootId: 'site', depth: 2, viewId: null }));
  });

  it('alerts: a limit', () => {
    const { onChange } = show('alerts');
    fireEvent.change(screen.getByTestId('widget-config-limit'), { target: { value: '5' } });
    expect(onChange).toHaveBeenLastCalledWith({ type: 'alerts', limit: 5 });
  });

  it('kpi: a measure other than a count asks for a number property', async () => {
    const { onChange, user } = show('kpi');
    await user.click(screen.getByTestId('widget-config-measure-op'));
    await user.click(await screen.findByRole('option', { name: 'Average' }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ source: { kind: 'view', viewId: null, measure: { op: 'avg', property: null } } }));
    await user.click(screen.getByTestId('widget-config-measure-property'));
    // Only searchable number properties are offered.
    expect(screen.queryByRole('option', { name: /status/i })).toBeNull();
    await user.click(await screen.findByRole('option', { name: /pressure/i }));
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ source: { kind: 'view', viewId: null, measure: { op: 'avg', property: 'pressure' } } }));
  });
});
