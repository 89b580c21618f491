import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import type { StartupEvent, StartupStatus } from '../bindings';
import { deferred, installBackend, makeNode, READY, renderWithProviders } from '../test/fixtures';

const site = makeNode({ id: 'site-1', name: 'Main Site', pathLabel: 'main_site', icon: 'map-pin', typeKey: 'site', typeName: 'Site', hasChildren: true });
const room = makeNode({ id: 'room-7', parentId: 'site-1', name: 'Boiler Room', pathLabel: 'main_site.boiler_room', icon: 'door', typeKey: 'room', typeName: 'Room' });

async function sendStartup(status: StartupStatus) {
  const payload: StartupEvent = { status };
  await act(async () => {
    await emit('startup-event', payload);
  });
}

describe('App startup', () => {
  it('shows the loader while starting, then the tree once a ready event arrives', async () => {
    const calls = installBackend({
      status: { state: 'starting', message: 'Starting local database…' },
      roots: [site],
    });
    renderWithProviders(<App />);

    expect(screen.getByText('Eco Studio')).toBeInTheDocument();
    expect(await screen.findByText('Starting local database…')).toBeInTheDocument();
    expect(screen.getByTestId('startup-loading')).toBeInTheDocument();
    expect(screen.queryByRole('tree')).toBeNull();
    expect(calls.some((c) => c.cmd === 'list_roots')).toBe(false);

    await sendStartup({ state: 'starting', message: 'Applying migrations…' });
    expect(await screen.findByText('Applying migrations…')).toBeInTheDocument();

    await sendStartup(READY);
    expect(await screen.findByTestId('tree-row-main_site')).toBeInTheDocument();
    expect(screen.queryByTestId('startup-loading')).toBeNull();

    const info = screen.getByTestId('database-info');
    expect(info).toHaveTextContent('Embedded');
    expect(info).toHaveTextContent('postgres://localhost:54321/eco');
    expect(info).toHaveTextContent('17.4');
  });

  it('goes straight to the tree when already ready', async () => {
    installBackend({
      status: { state: 'ready', database: { kind: 'external', display: 'db.example:5432/eco', serverVersion: '16.2', appVersion: '0.1.0', schemaVersion: '20261202000001', replica: false } },
      roots: [site],
    });
    renderWithProviders(<App />);
    expect(await screen.findByRole('tree')).toBeInTheDocument();
    expect(screen.getByTestId('database-info')).toHaveTextContent('External');
    expect(screen.getByTestId('database-info')).toHaveTextContent('db.example:5432/eco');
  });

  it('a startup event wins over a late initial status answer', async () => {
    const late = deferred<StartupStatus>();
    installBackend({ roots: [site], override: (cmd) => (cmd === 'startup_status' ? late.promise : undefined) });
    renderWithProviders(<App />);

    await sendStartup(READY);
    expect(await screen.findByRole('tree')).toBeInTheDocument();
    await act(async () => late.resolve({ state: 'starting', message: 'stale' }));
    expect(screen.queryByText('stale')).toBeNull();
    expect(screen.getByRole('tree')).toBeInTheDocument();
  });

  it('shows an error panel with type, message and hint when startup failed', async () => {
    installBackend({
      status: { state: 'failed', error: { type: 'Startup', data: { message: 'initdb exited with status 1' } } },
    });
    renderWithProviders(<App />);

    const panel = await screen.findByTestId('startup-failed');
    expect(panel).toHaveTextContent('Eco Studio could not start');
    expect(panel).toHaveTextContent('Startup failed');
    expect(panel).toHaveTextContent('initdb exited with status 1');
    expect(within(panel).getByText('Startup')).toBeInTheDocument();
    expect(panel).toHaveTextContent(/restart Eco Studio/);
    expect(screen.queryByRole('tree')).toBeNull();
    expect(screen.getByTestId('database-info')).toHaveTextContent('No database');
  });

  it('switches to the error panel on a failed event', async () => {
    installBackend({ status: { state: 'starting', message: 'Starting local database…' } });
    renderWithProviders(<App />);
    await screen.findByText('Starting local database…');
    await sendStartup({ state: 'failed', error: { type: 'Database', data: { message: 'port 54321 in use' } } });
    const panel = await screen.findByTestId('startup-failed');
    expect(panel).toHaveTextContent('Database error');
    expect(panel).toHaveTextContent('port 54321 in use');
  });

  it('reports a backend that cannot be reached at all', async () => {
    mockIPC(() => {
      throw new Error('IPC unavailable');
    });
    renderWithProviders(<App />);
    const panel = await screen.findByTestId('startup-failed');
    expect(panel).toHaveTextContent('IPC unavailable');
  });
});

describe('App workspace', () => {
  it('shows the view switch, a placeholder, then the selected node details', async () => {
    installBackend({ roots: [site], children: { 'site-1': [room] } });
    const user = userEvent.setup();
    renderWithProviders(<App />);

    expect(await screen.findByTestId('details-empty')).toBeInTheDocument();
    // The administrator has the Vault too, once the session is known.
    await waitFor(() => expect(screen.getByTestId('view-switch')).toHaveTextContent('RegistryViewsDashboardsWorkflowsDataVaultTrashTypes'));
    await user.click(await screen.findByTestId('tree-toggle-main_site'));
    await user.click(await screen.findByTestId('tree-row-main_site.boiler_room'));

    const details = await screen.findByTestId('node-details');
    expect(within(details).getByTestId('details-name')).toHaveTextContent('Boiler Room');
    expect(within(details).getByTestId('details-path')).toHaveTextContent('main_site.boiler_room');
    expect(within(details).getByTestId('details-id')).toHaveTextContent('room-7');
    expect(details).toHaveTextContent('Room');
    expect(details).toHaveTextContent('site-1');
  });
});
