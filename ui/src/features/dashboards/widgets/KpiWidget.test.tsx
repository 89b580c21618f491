import { fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { WidgetData } from '../../../bindings';
import { installBackend, renderWithProviders } from '../../../test/fixtures';
import { widgetRegistry, type ConfigOf } from './index';

const Kpi = widgetRegistry.kpi;

// jsdom has no canvas; say so quietly instead of through its console warning.
beforeEach(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});
const config: ConfigOf<'kpi'> = { type: 'kpi', source: { kind: 'metric', metric: 'power', aggregate: 'sum' }, compare: true };

function show(data: Extract<WidgetData, { type: 'kpi' }>, kpi: ConfigOf<'kpi'> = config) {
  installBackend({});
  const setPngExporter = vi.fn();
  renderWithProviders(<Kpi.Render config={kpi} data={data} onCrossFilter={vi.fn()} setPngExporter={setPngExporter} width={300} height={200} />);
  return { setPngExporter };
}

describe('the KPI widget', () => {
  it('shows the number with its unit and the change against the previous period', () => {
    show({ type: 'kpi', value: 1250, previous: 1000, unit: 'kWh' });
    expect(screen.getByTestId('widget-kpi-value')).toHaveTextContent('1,250 kWh');
    expect(screen.getByTestId('widget-kpi-label')).toHaveTextContent('Sum of power');
    const change = screen.getByTestId('widget-kpi-change');
    expect(change).toHaveTextContent('+25%');
    expect(change).toHaveAttribute('data-direction', 'up');
  });

  it('shows a fall as down', () => {
    show({ type: 'kpi', value: 50, previous: 200, unit: null });
    expect(screen.getByTestId('widget-kpi-change')).toHaveTextContent('-75%');
    expect(screen.getByTestId('widget-kpi-change')).toHaveAttribute('data-direction', 'down');
  });

  it('has no change line without a previous value', () => {
    show({ type: 'kpi', value: 7, previous: null, unit: null });
    expect(screen.getByTestId('widget-kpi-value')).toHaveTextContent('7');
    expect(screen.queryByTestId('widget-kpi-change')).toBeNull();
  });

  it('shows the rise from a previous 0 without a percentage', () => {
    show({ type: 'kpi', value: 8, previous: 0, unit: null });
    expect(screen.getByTestId('widget-kpi-change')).toHaveTextContent('+8 from 0');
  });

  it('shows a dash when there is no value', () => {
    show({ type: 'kpi', value: null, previous: null, unit: 'kW' });
    expect(screen.getByTestId('widget-kpi-value')).toHaveTextContent('—');
    expect(screen.getByTestId('widget-kpi-value')).not.toHaveTextContent('kW');
  });

  it('registers a PNG exporter, which has no picture without a canvas', () => {
    const { setPngExporter } = show({ type: 'kpi', value: 3, previous: 1, unit: null });
    const exporter = setPngExporter.mock.calls.at(-1)?.[0] as () => string | null;
    expect(typeof exporter).toBe('function');
    expect(exporter()).toBeNull();
  });
});

describe('the KPI config form', () => {
  function Harness({ onChange }: { onChange: (c: ConfigOf<'kpi'>) => void }) {
    const [value, setValue] = useState<ConfigOf<'kpi'>>(Kpi.defaultConfig());
    return (
      <Kpi.ConfigForm
        value={value}
        onChange={(next) => {
          setValue(next);
          onChange(next);
        }}
      />
    );
  }

  it('switches the source and the comparison', async () => {
    installBackend({
      handlers: {
        list_views: () => [],
        list_metrics: () => [{ metricKey: 'power', unit: 'kW', series: 3 }],
        list_property_definitions: () => [],
      },
    });
    const onChange = vi.fn();
    const user = userEvent.setup();
    renderWithProviders(<Harness onChange={onChange} />);
    expect(screen.getByTestId('widget-config-view')).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Metric' }));
    expect(onChange).toHaveBeenLastCalledWith({ type: 'kpi', source: { kind: 'metric', metric: '', aggregate: 'sum' }, compare: false });
    expect(screen.getByTestId('widget-config-metric')).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Alerts' }));
    expect(onChange).toHaveBeenLastCalledWith({ type: 'kpi', source: { kind: 'alerts' }, compare: false });
    fireEvent.click(screen.getByTestId('widget-config-compare'));
    expect(onChange).toHaveBeenLastCalledWith({ type: 'kpi', source: { kind: 'alerts' }, compare: true });
  });
});
