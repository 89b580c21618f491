import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, InstallReport, PackInfo, SyncImport, UninstallReport } from '../../bindings';
import { renderApp } from '../../test/app';
import { callsOf, deferred, makeType, T0, type Handler } from '../../test/fixtures';

const maintenance: PackInfo = {
  key: 'maintenance',
  name: 'Maintenance',
  description: 'Work orders, assets and inspections',
  availableVersion: '1.2.0',
  installedVersion: null,
  installedAt: null,
  contents: null,
};

const energy: PackInfo = {
  key: 'energy',
  name: 'Energy',
  description: 'Meters and tariffs',
  availableVersion: '2.1.0',
  installedVersion: '2.0.0',
  installedAt: '2026-03-01T10:00:00Z',
  contents: { types: ['meter', 'tariff'], properties: ['meter_number'], views: ['meters_board'], dashboards: ['energy_overview'], workflows: [], adopted: ['type:site'] },
};

const it_ops: PackInfo = {
  key: 'it_ops',
  name: 'IT operations',
  description: null,
  availableVersion: '1.0.0',
  installedVersion: '1.0.0',
  installedAt: '2026-02-01T10:00:00Z',
  contents: { types: ['server'] },
};

const installed: InstallReport = {
  key: 'maintenance',
  version: '1.2.0',
  previousVersion: null,
  created: ['type:work_order', 'type:asset', 'view:open_work_orders'],
  updated: [],
  adopted: ['property:status'],
  sampleCreated: 25,
  sampleUpdated: 0,
  sampleUnchanged: 0,
  notes: ['Sample rows were added under "Demo plant".'],
};

function packsApp(handlers: Record<string, Handler> = {}) {
  return renderApp({
    roots: [],
    handlers: {
      pack_list: () => [maintenance, energy, it_ops],
      import_runs: () => [],
      import_presets: () => [],
      list_property_definitions: () => [],
      ...handlers,
    },
  });
}

async function openData(rendered: ReturnType<typeof renderApp>) {
  await rendered.user.click(await within(await screen.findByTestId('view-switch')).findByText('Data'));
  return screen.findByTestId('data-screen');
}

describe('Data screen: packs', { timeout: 30_000 }, () => {
  it('sits after Workflows in the view switch and opens on the packs, each with its state, versions and actions', async () => {
    const rendered = packsApp();
    expect(await screen.findByTestId('view-switch')).toHaveTextContent(/WorkflowsData/);
    await openData(rendered);
    expect(screen.getByRole('tab', { name: 'Packs' })).toHaveAttribute('aria-selected', 'true');

    const m = await screen.findByTestId('pack-row-maintenance');
    expect(m).toHaveTextContent('Maintenance');
    expect(m).toHaveTextContent('maintenance');
    expect(m).toHaveTextContent('Work orders, assets and inspections');
    expect(within(m).getByTestId('pack-state-maintenance')).toHaveTextContent('Not installed');
    expect(within(m).getByTestId('pack-available-maintenance')).toHaveTextContent('Built-in version: 1.2.0');
    expect(within(m).getByTestId('pack-installed-maintenance')).toHaveTextContent('Not installed');
    expect(within(m).getByRole('button', { name: 'Install Maintenance' })).toBeEnabled();
    expect(within(m).queryByRole('button', { name: /Uninstall/ })).toBeNull();
    expect(within(m).queryByTestId('pack-contents-toggle-maintenance')).toBeNull();

    const e = screen.getByTestId('pack-row-energy');
    expect(within(e).getByTestId('pack-state-energy')).toHaveTextContent('Update available');
    expect(within(e).getByTestId('pack-installed-energy')).toHaveTextContent('Installed: 2.0.0 on');
    expect(within(e).getByRole('button', { name: 'Upgrade Energy to 2.1.0' })).toBeInTheDocument();
    expect(within(e).getByRole('button', { name: 'Uninstall Energy' })).toBeInTheDocument();

    const i = screen.getByTestId('pack-row-it_ops');
    expect(within(i).getByTestId('pack-state-it_ops')).toHaveTextContent(/^Installed$/);
    expect(within(i).queryByRole('button', { name: /Install|Upgrade/ })).toBeNull();
  });

  it('expands the contents of an installed pack', async () => {
    const rendered = packsApp();
    await openData(rendered);
    const toggle = await screen.findByTestId('pack-contents-toggle-energy');
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await rendered.user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const contents = screen.getByTestId('pack-contents-energy');
    expect(contents).toHaveTextContent('Types (2)');
    expect(contents).toHaveTextContent('meter');
    expect(contents).toHaveTextContent('Properties (1)meter_number');
    expect(contents).toHaveTextContent('Views (1)meters_board');
    expect(contents).toHaveTextContent('Dashboards (1)energy_overview');
    expect(contents).toHaveTextContent('Adopted (existed before, kept) (1)type:site');
    // Empty sections are left out.
    expect(contents).not.toHaveTextContent('Workflows');
  });

  it('installs a pack and shows what the install did', async () => {
    let list = [maintenance, energy];
    const rendered = packsApp({
      pack_list: () => list,
      pack_install: () => {
        list = [{ ...maintenance, installedVersion: '1.2.0', installedAt: T0, contents: { types: ['work_order', 'asset'] } }, energy];
        return installed;
      },
    });
    await openData(rendered);
    await rendered.user.click(await screen.findByRole('button', { name: 'Install Maintenance' }));
    await waitFor(() => expect(callsOf(rendered.calls, 'pack_install')).toEqual([{ key: 'maintenance' }]));

    const report = await screen.findByTestId('pack-install-report');
    expect(report).toHaveTextContent('Installed Maintenance 1.2.0');
    expect(within(report).getByTestId('pack-report-created')).toHaveTextContent('Created 3: type:work_order, type:asset, view:open_work_orders');
    expect(within(report).getByTestId('pack-report-adopted')).toHaveTextContent('Adopted (kept as they were) 1: property:status');
    expect(within(report).getByTestId('pack-report-samples')).toHaveTextContent('Sample rows: 25 created, 0 updated, 0 unchanged');
    expect(within(report).getByTestId('pack-report-notes')).toHaveTextContent('Sample rows were added under "Demo plant".');
    // The list is read again: the pack is installed now.
    await waitFor(() => expect(screen.getByTestId('pack-state-maintenance')).toHaveTextContent('Installed'));
    expect(callsOf(rendered.calls, 'pack_list').length).toBeGreaterThanOrEqual(2);
  });

  it('upgrades a pack and says from which version', async () => {
    const rendered = packsApp({ pack_install: () => ({ ...installed, key: 'energy', version: '2.1.0', previousVersion: '2.0.0', created: [], updated: ['view:meters_board'], adopted: [], notes: [] }) });
    await openData(rendered);
    await rendered.user.click(await screen.findByTestId('pack-upgrade-energy'));
    expect(await screen.findByTestId('pack-install-report')).toHaveTextContent('Upgraded Energy from 2.0.0 to 2.1.0');
    expect(screen.getByTestId('pack-report-updated')).toHaveTextContent('Updated 1: view:meters_board');
    expect(callsOf(rendered.calls, 'pack_install')).toEqual([{ key: 'energy' }]);
  });

  it('shows a refused install in the pack’s row', async () => {
    const rendered = packsApp({
      pack_install: () => {
        throw { type: 'Forbidden', data: { message: 'only an administrator installs packs' } } satisfies AppError;
      },
    });
    await openData(rendered);
    await rendered.user.click(await screen.findByTestId('pack-install-maintenance'));
    const row = screen.getByTestId('pack-row-maintenance');
    expect(await within(row).findByTestId('error-notice')).toHaveTextContent('only an administrator installs packs');
  });

  it('uninstall asks first; when entities use its types, it explains and offers to delete them with it', async () => {
    const inUse: AppError = { type: 'InUse', data: { message: "12 entities are of this pack's types; uninstall with their deletion to soft-delete them" } };
    const done: UninstallReport = { key: 'energy', entitiesDeleted: 12, removed: ['type:meter', 'type:tariff', 'view:meters_board'], notes: [] };
    const rendered = packsApp({
      pack_uninstall: (args) => {
        if (!(args as { deleteEntities: boolean }).deleteEntities) throw inUse;
        return done;
      },
    });
    await openData(rendered);
    await rendered.user.click(await screen.findByRole('button', { name: 'Uninstall Energy' }));
    const dialog = await screen.findByRole('dialog', { name: 'Uninstall Energy' });
    expect(dialog).toHaveTextContent('Things it adopted');
    expect(callsOf(rendered.calls, 'pack_uninstall')).toEqual([]);

    await rendered.user.click(within(dialog).getByRole('button', { name: 'Uninstall' }));
    const explained = await within(dialog).findByTestId('pack-in-use');
    expect(explained).toHaveTextContent("12 entities are of this pack's types");
    expect(explained).toHaveTextContent('soft-delete them');
    expect(within(dialog).queryByRole('button', { name: 'Uninstall' })).toBeNull();

    await rendered.user.click(within(dialog).getByRole('button', { name: 'Uninstall and delete its 12 entities' }));
    await waitFor(() => expect(screen.queryByTestId('pack-uninstall-dialog')).toBeNull());
    expect(callsOf(rendered.calls, 'pack_uninstall')).toEqual([
      { key: 'energy', deleteEntities: false },
      { key: 'energy', deleteEntities: true },
    ]);
    const report = screen.getByTestId('pack-uninstall-report');
    expect(report).toHaveTextContent('Uninstalled Energy');
    expect(report).toHaveTextContent('Removed 3: type:meter, type:tariff, view:meters_board');
    expect(report).toHaveTextContent('12 entities soft-deleted');
  });

  it('says when it is loading, when there is no pack, and when the list fails', async () => {
    const slow = deferred<PackInfo[]>();
    const rendered = packsApp({ pack_list: () => slow.promise });
    await openData(rendered);
    expect(await screen.findByText('Loading packs…')).toBeInTheDocument();
    slow.resolve([]);
    expect(await screen.findByTestId('packs-empty')).toHaveTextContent('update Eco Studio');
  });

  it('shows a failed list with a way to try again', async () => {
    let fail = true;
    const rendered = packsApp({
      pack_list: () => {
        if (fail) throw { type: 'Database', data: { message: 'connection lost' } } satisfies AppError;
        return [maintenance];
      },
    });
    await openData(rendered);
    const error = await screen.findByTestId('packs-error');
    expect(error).toHaveTextContent('connection lost');
    fail = false;
    await rendered.user.click(within(error).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('pack-row-maintenance')).toBeInTheDocument();
  });
});

const run = (id: string, over: Partial<SyncImport> = {}): SyncImport => ({
  id,
  source: 'erp_sap',
  entityType: 'part',
  status: 'completed',
  mode: 'all_or_nothing',
  totalRecords: 100,
  createdCount: 10,
  updatedCount: 3,
  skippedCount: 87,
  deletedCount: 0,
  errorCount: 0,
  errors: [],
  fileName: 'parts.csv',
  startedAt: '2026-03-02T09:30:00Z',
  completedAt: '2026-03-02T09:30:05Z',
  createdBy: null,
  ...over,
});

describe('Data screen: import runs', { timeout: 30_000 }, () => {
  it('lists the runs with their counts; a run with errors shows them by line', async () => {
    let runs = [
      run('r2', { status: 'failed', mode: 'row_by_row', errorCount: 2, createdCount: 0, updatedCount: 0, skippedCount: 0, errors: [{ line: 4, column: 'serial', message: 'not a number' }, { line: 9, column: null, message: 'no name' }] }),
      run('r1'),
    ];
    const rendered = packsApp({ import_runs: () => runs, list_entity_types: () => [makeType({ key: 'part', name: 'Part' })] });
    await openData(rendered);
    await rendered.user.click(screen.getByRole('tab', { name: 'Import runs' }));
    const table = await screen.findByTestId('import-runs');
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Started', 'Type', 'Source', 'File', 'Mode', 'Status', 'Read', 'Created', 'Updated', 'Unchanged', 'Deleted', 'Errors']);
    const ok = within(table).getByTestId('import-run-r1');
    await waitFor(() => expect(ok).toHaveTextContent('Part'));
    expect(ok).toHaveTextContent('erp_sap');
    expect(ok).toHaveTextContent('parts.csv');
    expect(ok).toHaveTextContent('All or nothing');
    expect(ok).toHaveTextContent('completed');
    expect(Array.from(ok.querySelectorAll('td')).slice(6).map((td) => td.textContent)).toEqual(['100', '10', '3', '87', '0', '0']);

    const failed = within(table).getByTestId('import-run-r2');
    expect(failed).toHaveTextContent('failed');
    expect(failed).toHaveTextContent('Row by row');
    const toggle = within(failed).getByRole('button', { name: 'Show the 2 errors of this run' });
    await rendered.user.click(toggle);
    const errors = await screen.findByTestId('import-run-errors-r2');
    expect(within(errors).getByTestId('import-run-errors-r2-line-4')).toHaveTextContent('4serialnot a number');
    expect(errors).toHaveTextContent('no name');
    expect(toggle).toHaveAttribute('aria-expanded', 'true');

    // Refresh reads the log again.
    runs = [run('r3', { fileName: 'more.csv' }), ...runs];
    await rendered.user.click(screen.getByTestId('import-runs-refresh'));
    expect(await screen.findByTestId('import-run-r3')).toHaveTextContent('more.csv');
  });

  it('says when no import ran yet, and leads to the Import tab', async () => {
    const rendered = packsApp({ import_runs: () => [] });
    await openData(rendered);
    await rendered.user.click(screen.getByRole('tab', { name: 'Import runs' }));
    const empty = await screen.findByTestId('import-runs-empty');
    expect(empty).toHaveTextContent('No imports yet.');
    await rendered.user.click(within(empty).getByRole('button', { name: 'Import a file' }));
    expect(screen.getByRole('tab', { name: 'Import' })).toHaveAttribute('aria-selected', 'true');
    expect(await screen.findByTestId('import-form')).toBeInTheDocument();
  });
});
