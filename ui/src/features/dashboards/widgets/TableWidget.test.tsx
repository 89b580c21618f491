import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ViewRow } from '../../../bindings';
import { installBackend, makeType, renderWithProviders, T0 } from '../../../test/fixtures';
import { makeDefinition } from '../../../test/propertyFixtures';
import { widgetRegistry } from './index';

const Table = widgetRegistry.table;
const pump = makeType({ key: 'pump', name: 'Pump' });
const pressure = makeDefinition({ key: 'pressure', valueType: 'number', name: 'Pressure' });
const status = makeDefinition({
  key: 'status',
  valueType: 'single_select',
  rules: { options: [{ key: 'ok', label: 'Running', color: null }] },
});

const row = (n: number): ViewRow => ({
  id: `e${n}`,
  name: `Pump ${n}`,
  pathLabel: `site.pump_${n}`,
  entityTypeId: pump.id,
  parentId: 'site',
  properties: { pressure: 1000 + n, status: 'ok' },
  updatedAt: T0,
});

function show() {
  installBackend({ handlers: { list_property_definitions: () => [pressure, status], list_entity_types: () => [pump] } });
  const onCrossFilter = vi.fn();
  renderWithProviders(
    <Table.Render
      config={{ type: 'table', viewId: 'v1', limit: 10 }}
      data={{ type: 'table', page: { rows: [row(1), row(2)], next: null }, columns: ['name', 'pathLabel', 'type', 'property:pressure', 'property:status'] }}
      onCrossFilter={onCrossFilter}
      setPngExporter={vi.fn()}
      width={600}
      height={300}
    />,
  );
  return { onCrossFilter, user: userEvent.setup() };
}

describe('the table widget', () => {
  it("shows the rows with the view's columns", async () => {
    show();
    const table = screen.getByTestId('widget-table');
    await waitFor(() => expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Name', 'Path', 'Type', 'Pressure', 'Status']));
    const first = screen.getByTestId('widget-table-row-e1');
    await waitFor(() => expect(within(first).getAllByRole('cell').map((c) => c.textContent)).toEqual(['Pump 1', 'site.pump_1', 'Pump', '1,001', 'Running']));
  });

  it('filters the dashboard by a clicked row', async () => {
    const { onCrossFilter, user } = show();
    await user.click(within(screen.getByTestId('widget-table-row-e2')).getByText('site.pump_2'));
    expect(onCrossFilter).toHaveBeenCalledWith({ kind: 'under', entityId: 'e2' });
  });

  it('offers each row as a button for the keyboard, filtering once', async () => {
    const { onCrossFilter, user } = show();
    const button = screen.getByRole('button', { name: 'Filter the dashboard by Pump 1' });
    expect(button).toHaveAttribute('data-testid', 'widget-table-filter-e1');
    await user.click(button);
    expect(onCrossFilter).toHaveBeenCalledTimes(1);
    expect(onCrossFilter).toHaveBeenCalledWith({ kind: 'under', entityId: 'e1' });
  });

  it('says so when there are no rows', () => {
    installBackend({ handlers: { list_property_definitions: () => [], list_entity_types: () => [] } });
    renderWithProviders(
      <Table.Render
        config={{ type: 'table', viewId: 'v1', limit: 10 }}
        data={{ type: 'table', page: { rows: [], next: null }, columns: ['name'] }}
        onCrossFilter={vi.fn()}
        setPngExporter={vi.fn()}
        width={600}
        height={300}
      />,
    );
    expect(screen.getByTestId('widget-empty')).toHaveTextContent('No rows');
  });
});
