import { emit } from '@tauri-apps/api/event';
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, ImportInspect, ImportMapping, ImportPreset, JobProgress, SyncOptions, SyncReport } from '../../bindings';
import { renderApp } from '../../test/app';
import { callsOf, makeNode, makeType, T0, type FakeBackend, type Handler } from '../../test/fixtures';
import { makeDefinition } from '../../test/propertyFixtures';

type User = ReturnType<typeof renderApp>['user'];

const part = makeType({ key: 'part', name: 'Part', icon: 'tool' });
const definitions = [
  makeDefinition({ key: 'name', valueType: 'text', name: 'Name', isSystem: true }),
  makeDefinition({ key: 'serial_number', valueType: 'number', name: 'Serial number' }),
  makeDefinition({ key: 'status', valueType: 'single_select', name: 'Status' }),
  makeDefinition({ key: 'api_token', valueType: 'secret_reference', name: 'API token' }),
];

const guess: ImportMapping = {
  externalId: 'external_id',
  name: 'name',
  parent: null,
  tags: null,
  properties: [{ column: 'serial', property: 'serial_number' }],
  ignored: [],
};

const inspect: ImportInspect = {
  format: 'csv',
  columns: ['external_id', 'name', 'serial', 'notes'],
  rows: [
    ['P-1', 'Pump', '12', 'old'],
    ['P-2', 'Valve', '7', ''],
  ],
  issues: [],
  mapping: guess,
};

const mapped: ImportMapping = { ...guess, ignored: ['notes'] };

const preview = (over: Partial<SyncReport['diff']> = {}): SyncReport => ({
  runId: null,
  dryRun: true,
  status: 'dry_run',
  mapping: mapped,
  diff: {
    total: 101,
    created: 10,
    updated: 3,
    unchanged: 87,
    deleted: 0,
    errorRows: 1,
    createdRows: [{ line: 2, externalId: 'P-1', entityId: null, name: 'Pump', changes: [{ field: 'serial_number', before: null, after: '12' }] }],
    updatedRows: [
      {
        line: 3,
        externalId: 'P-2',
        entityId: 'e-2',
        name: 'Valve 2',
        changes: [
          { field: 'name', before: '"Valve"', after: '"Valve 2"' },
          { field: 'serial_number', before: '6', after: '7' },
        ],
      },
    ],
    deletedRows: [],
    errors: [{ line: 7, column: 'serial', message: 'not a number: "abc"' }],
    ...over,
  },
});

function importApp(handlers: Record<string, Handler> = {}, backend: Omit<FakeBackend, 'handlers'> = {}) {
  return renderApp({
    roots: [],
    ...backend,
    handlers: {
      list_entity_types: () => [part, makeType({ key: 'secret', name: 'Secret', isSystem: true })],
      list_property_definitions: () => definitions,
      import_presets: () => [],
      import_runs: () => [],
      pack_list: () => [],
      import_inspect: () => inspect,
      import_preview: () => preview(),
      import_start: () => ({ jobId: 'imp-1', total: 2048 }),
      cancel_job: () => true,
      ...handlers,
    },
  });
}

async function openImport(rendered: ReturnType<typeof renderApp>) {
  await rendered.user.click(await within(await screen.findByTestId('view-switch')).findByText('Data'));
  await rendered.user.click(await screen.findByRole('tab', { name: 'Import' }));
  return screen.findByTestId('import-form');
}

async function pick(user: User, testId: string, option: string | RegExp) {
  await user.click(screen.getByTestId(testId));
  await user.click(await screen.findByRole('option', { name: option }));
}

/** Step 1 with a path, the Part type and a source system, read. */
async function readFile(user: User, system = 'erp_sap') {
  await user.type(screen.getByTestId('import-path'), '/data/parts.csv');
  await pick(user, 'import-type', 'Part (part)');
  await user.clear(screen.getByTestId('import-system'));
  await user.type(screen.getByTestId('import-system'), system);
  await user.click(screen.getByTestId('import-read'));
  return screen.findByTestId('import-mapping');
}

const options = (over: Partial<SyncOptions> = {}): SyncOptions => ({
  typeKey: 'part',
  source: 'erp_sap',
  format: null,
  mapping: mapped,
  mode: 'allOrNothing',
  deleteMissing: false,
  under: null,
  fileName: null,
  ...over,
});

const progress = async (payload: JobProgress) => act(async () => void (await emit('job-progress', payload)));

describe('Data screen: import', { timeout: 30_000 }, () => {
  it('reads the file, maps from the guess, previews the diff, and imports as a job whose outcome shows', async () => {
    const rendered = importApp();
    const { user, calls } = rendered;
    await openImport(rendered);
    expect(screen.getByTestId('import-system')).toHaveValue('csv');
    expect(screen.getByTestId('import-read')).toBeDisabled();

    const mapping = await readFile(user);
    expect(callsOf(calls, 'import_inspect')).toEqual([{ source: { kind: 'path', path: '/data/parts.csv' }, typeKey: 'part', format: null }]);
    // The first rows.
    const sample = screen.getByTestId('import-sample');
    expect(within(sample).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['external_id', 'name', 'serial', 'notes']);
    expect(sample).toHaveTextContent('P-1Pump12old');

    // The mapping starts from the guess; "notes" is not mapped yet.
    expect(within(mapping).getByRole('textbox', { name: 'What column external_id holds' })).toHaveValue('External id');
    expect(within(mapping).getByRole('textbox', { name: 'What column name holds' })).toHaveValue('Name');
    expect(within(mapping).getByRole('textbox', { name: 'What column serial holds' })).toHaveValue('Serial number (serial_number)');
    expect(within(mapping).getByRole('textbox', { name: 'What column notes holds' })).toHaveValue('');
    expect(screen.getByTestId('import-mapping-errors')).toHaveTextContent('Choose what "notes" holds, or Ignore it.');
    expect(screen.getByTestId('import-preview')).toBeDisabled();
    expect(screen.getByTestId('import-start')).toBeDisabled();

    // The properties offered: not the system name, no secret references.
    await user.click(screen.getByTestId('import-map-notes'));
    expect(await screen.findByRole('option', { name: 'Status (status)' })).toBeInTheDocument();
    expect(screen.queryByRole('option', { name: /API token/ })).toBeNull();
    expect(screen.queryByRole('option', { name: 'Name (name)' })).toBeNull();
    await user.click(screen.getByRole('option', { name: 'Ignore' }));
    expect(screen.queryByTestId('import-mapping-errors')).toBeNull();

    // Preview: counts, the errors by line first, nothing written in all-or-nothing mode.
    expect(screen.getByTestId('import-start-hint')).toHaveTextContent('Preview the changes first');
    await user.click(screen.getByTestId('import-preview'));
    const diff = await screen.findByTestId('import-diff');
    expect(callsOf(calls, 'import_preview')).toEqual([{ source: { kind: 'path', path: '/data/parts.csv' }, options: options() }]);
    expect(within(diff).getByTestId('diff-count-created')).toHaveTextContent('10 created');
    expect(within(diff).getByTestId('diff-count-updated')).toHaveTextContent('3 updated');
    expect(within(diff).getByTestId('diff-count-unchanged')).toHaveTextContent('87 unchanged');
    expect(within(diff).getByTestId('diff-count-deleted')).toHaveTextContent('0 deleted');
    expect(within(diff).getByTestId('diff-count-errors')).toHaveTextContent('1 row with errors');
    expect(within(diff).getByRole('tab', { name: 'Errors (1)' })).toHaveAttribute('aria-selected', 'true');
    const errors = within(diff).getByTestId('diff-errors');
    expect(within(errors).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Line', 'Column', 'Problem']);
    expect(within(errors).getByTestId('diff-errors-line-7')).toHaveTextContent('7serialnot a number: "abc"');
    expect(screen.getByTestId('import-blocked')).toHaveTextContent('1 row has errors and the mode is "All or nothing": nothing will be written');
    expect(screen.getByTestId('import-start')).toBeDisabled();

    // An updated row: each field before → after, strings without their quotes.
    await user.click(within(diff).getByRole('tab', { name: 'Updated (3)' }));
    const updated = await screen.findByTestId('diff-updated-P-2');
    expect(updated).toHaveTextContent('3');
    expect(updated).toHaveTextContent('Valve 2');
    expect(within(updated).getByTestId('diff-change-P-2-name')).toHaveTextContent('Name: Valve → Valve 2');
    expect(within(updated).getByTestId('diff-change-P-2-serial_number')).toHaveTextContent('Serial number: 6 → 7');
    expect(screen.getByTestId('diff-updated')).toBeInTheDocument();
    await user.click(within(diff).getByRole('tab', { name: 'Created (10)' }));
    expect(await screen.findByTestId('diff-created-P-1')).toHaveTextContent('Serial number: 12');

    // Another mode needs another preview; row by row skips the bad row.
    await user.click(screen.getByTestId('import-mode-rows'));
    expect(screen.getByTestId('import-preview-stale')).toBeInTheDocument();
    expect(screen.queryByTestId('import-diff')).toBeNull();
    expect(screen.getByTestId('import-start')).toBeDisabled();
    await user.click(screen.getByTestId('import-preview'));
    await screen.findByTestId('import-diff');
    expect(callsOf(calls, 'import_preview')[1]).toEqual({ source: { kind: 'path', path: '/data/parts.csv' }, options: options({ mode: 'rowByRow' }) });
    expect(screen.getByTestId('import-skips')).toHaveTextContent('1 row with errors will be skipped');
    expect(screen.getByTestId('import-start')).toBeEnabled();

    // The import: a background job with the options previewed.
    await user.click(screen.getByTestId('import-start'));
    await waitFor(() => expect(callsOf(calls, 'import_start')).toEqual([{ source: { kind: 'path', path: '/data/parts.csv' }, options: options({ mode: 'rowByRow' }) }]));
    const job = await screen.findByTestId('job-imp-1');
    expect(job).toHaveTextContent('Importing "parts.csv" as Part');
    expect(await screen.findByTestId('import-running')).toBeInTheDocument();
    // The same preview is not imported twice.
    expect(screen.getByTestId('import-start')).toBeDisabled();

    // The runs tab, once shown, is read again when the import ends.
    await user.click(screen.getByRole('tab', { name: 'Import runs' }));
    await screen.findByTestId('import-runs-empty');
    const runsRead = callsOf(calls, 'import_runs').length;
    await user.click(screen.getByRole('tab', { name: 'Import' }));

    const report: SyncReport = { ...preview(), runId: 'run-9', dryRun: false, status: 'completed' };
    await progress({ jobId: 'imp-1', done: 2048, total: 2048, state: { state: 'rowsImported', report } });
    await waitFor(() => expect(callsOf(calls, 'import_runs').length).toBeGreaterThan(runsRead));
    const outcome = await screen.findByTestId('import-outcome');
    expect(outcome).toHaveAttribute('data-status', 'completed');
    expect(outcome).toHaveTextContent('Imported: 10 created, 3 updated, 87 unchanged · 1 row with errors skipped');
    expect(within(outcome).getByTestId('import-outcome-errors')).toHaveTextContent('not a number');
    expect(screen.getByTestId('job-rows-imported-imp-1')).toHaveTextContent('Imported: 10 created, 3 updated, 87 unchanged');
    expect(screen.getByTestId('job-imp-1')).toHaveAttribute('data-status', 'committed');

    await user.click(within(outcome).getByTestId('import-show-runs'));
    expect(screen.getByRole('tab', { name: 'Import runs' })).toHaveAttribute('aria-selected', 'true');
  });

  it('an import that wrote nothing says so, here and in the jobs panel', async () => {
    const rendered = importApp({ import_preview: () => preview({ errorRows: 0, errors: [] }) });
    const { user } = rendered;
    await openImport(rendered);
    await readFile(user);
    await pick(user, 'import-map-notes', 'Ignore');
    await user.click(screen.getByTestId('import-preview'));
    await screen.findByTestId('import-diff');
    expect(within(screen.getByTestId('import-diff')).getByRole('tab', { name: 'Updated (3)' })).toHaveAttribute('aria-selected', 'true');
    await user.click(screen.getByTestId('import-start'));
    await screen.findByTestId('job-imp-1');
    const failed: SyncReport = { ...preview({ errorRows: 4 }), dryRun: false, status: 'failed' };
    await progress({ jobId: 'imp-1', done: 10, total: 2048, state: { state: 'rowsImported', report: failed } });
    const outcome = await screen.findByTestId('import-outcome');
    expect(outcome).toHaveTextContent('Nothing was written');
    expect(outcome).toHaveTextContent('Import failed: nothing was written (4 rows with errors)');
    expect(screen.getByTestId('job-rows-imported-imp-1')).toHaveTextContent('Import failed: nothing was written (4 rows with errors)');
    expect(screen.getByTestId('job-imp-1')).toHaveAttribute('data-status', 'failed');
  });

  it('needs exactly one external id: without it, an inline error and no preview or import', async () => {
    const rendered = importApp({ import_inspect: () => ({ ...inspect, mapping: { ...guess, externalId: '', ignored: ['notes'] }, columns: ['code', 'name', 'serial', 'notes'] }) });
    const { user, calls } = rendered;
    await openImport(rendered);
    await readFile(user);
    const errors = screen.getByTestId('import-mapping-errors');
    expect(errors).toHaveTextContent('Choose the column that holds the external id');
    expect(errors).toHaveTextContent('Choose what "code" holds');
    expect(screen.getByTestId('import-preview')).toBeDisabled();
    expect(screen.getByTestId('import-start')).toBeDisabled();
    expect(screen.getByTestId('import-start-hint')).toHaveTextContent('Complete the mapping first.');

    // Two external ids are refused as well.
    await pick(user, 'import-map-code', 'External id');
    await pick(user, 'import-map-serial', 'External id');
    expect(screen.getByTestId('import-mapping-errors')).toHaveTextContent('Only one column can be the external id: "code", "serial".');
    expect(screen.getByTestId('import-preview')).toBeDisabled();
    await pick(user, 'import-map-serial', 'Serial number (serial_number)');
    expect(screen.queryByTestId('import-mapping-errors')).toBeNull();
    expect(screen.getByTestId('import-preview')).toBeEnabled();
    await user.click(screen.getByTestId('import-preview'));
    await screen.findByTestId('import-diff');
    expect((callsOf(calls, 'import_preview')[0] as { options: SyncOptions }).options.mapping).toEqual({ ...mapped, externalId: 'code' });
  });

  it('reads a chosen file as text, and asks to read it again when the file changes', async () => {
    const rendered = importApp();
    const { user, calls } = rendered;
    await openImport(rendered);
    const text = 'external_id,name,serial,notes\nP-1,Pump,12,old\n';
    await user.upload(screen.getByTestId('import-file-input'), new File([text], 'parts.csv', { type: 'text/csv' }));
    expect(await screen.findByTestId('import-picked')).toHaveTextContent('parts.csv');
    await pick(user, 'import-type', 'Part (part)');
    await user.click(screen.getByTestId('import-read'));
    await screen.findByTestId('import-mapping');
    expect(callsOf(calls, 'import_inspect')).toEqual([{ source: { kind: 'text', name: 'parts.csv', text }, typeKey: 'part', format: null }]);
    await pick(user, 'import-map-notes', 'Ignore');
    await user.click(screen.getByTestId('import-preview'));
    await screen.findByTestId('import-diff');
    expect(callsOf(calls, 'import_preview')[0]).toEqual({ source: { kind: 'text', name: 'parts.csv', text }, options: options({ source: 'csv' }) });

    // Typing a path replaces the chosen file: read again.
    await user.type(screen.getByTestId('import-path'), '/data/other.csv');
    expect(screen.queryByTestId('import-picked')).toBeNull();
    expect(screen.getByTestId('import-stale')).toHaveTextContent('read it again');
    expect(screen.queryByTestId('import-mapping')).toBeNull();
  });

  it('shows a path the backend cannot open under the path input', async () => {
    const rendered = importApp({
      import_inspect: () => {
        throw { type: 'Validation', data: { message: 'cannot open /nope.csv: no such file', field: 'path', rule: 'reference' } } satisfies AppError;
      },
    });
    await openImport(rendered);
    await rendered.user.type(screen.getByTestId('import-path'), '/nope.csv');
    await rendered.user.click(screen.getByTestId('import-read'));
    await waitFor(() => expect(screen.getByTestId('import-path')).toHaveAttribute('aria-invalid', 'true'));
    expect(screen.getByTestId('import-path')).toHaveAccessibleDescription(/cannot open \/nope.csv/);
    expect(screen.queryByTestId('error-notice')).toBeNull();
  });

  it('loads a preset of the type and saves the mapping as one', async () => {
    const preset: ImportPreset = { id: 'pre-1', ownerUserId: null, name: 'SAP parts', entityType: 'part', mapping: { ...guess, properties: [{ column: 'serial', property: 'status' }], ignored: ['notes'] }, updatedAt: T0 };
    const other: ImportPreset = { ...preset, id: 'pre-2', name: 'Sites', entityType: 'site' };
    const rendered = importApp({ import_presets: () => [preset, other], import_preset_save: (args) => ({ ...preset, id: 'pre-3', name: String((args as { name: string }).name) }) });
    const { user, calls } = rendered;
    await openImport(rendered);
    await readFile(user);
    await user.click(screen.getByTestId('import-preset'));
    expect(await screen.findByRole('option', { name: 'SAP parts (shared)' })).toBeInTheDocument();
    expect(screen.queryByRole('option', { name: /Sites/ })).toBeNull();
    await user.click(screen.getByRole('option', { name: 'SAP parts (shared)' }));
    expect(screen.getByRole('textbox', { name: 'What column serial holds' })).toHaveValue('Status (status)');
    expect(screen.getByRole('textbox', { name: 'What column notes holds' })).toHaveValue('Ignore');

    await user.click(screen.getByTestId('import-preset-save'));
    await user.type(await screen.findByTestId('import-preset-name'), 'Mine');
    await user.click(screen.getByRole('checkbox', { name: 'Shared with everyone' }));
    await user.click(screen.getByTestId('import-preset-confirm'));
    await waitFor(() => expect(callsOf(calls, 'import_preset_save')).toHaveLength(1));
    expect(callsOf(calls, 'import_preset_save')[0]).toEqual({ name: 'Mine', typeKey: 'part', mapping: preset.mapping, shared: true });
  });

  describe('the parent of new rows', () => {
    const plant = makeNode({ id: 'plant-1', name: 'North plant', pathLabel: 'north_plant', typeKey: 'plant', typeName: 'Plant', hasChildren: true });
    const hall = makeNode({ id: 'hall-1', parentId: 'plant-1', name: 'Hall A', pathLabel: 'north_plant.hall_a', typeKey: 'hall', typeName: 'Hall' });
    const search: Handler = (args) => ({ hits: [plant, hall].filter((n) => n.name.toLowerCase().includes(String(args?.query).toLowerCase())), total: 1, totalCapped: false });
    const backend = { roots: [plant], children: { 'plant-1': [hall] } };

    /** Ignores "notes" (the mapping is complete), previews, and returns the options previewed. */
    async function previewed(user: User, calls: ReturnType<typeof renderApp>['calls']) {
      const before = callsOf(calls, 'import_preview').length;
      await user.click(screen.getByTestId('import-preview'));
      await waitFor(() => expect(callsOf(calls, 'import_preview')).toHaveLength(before + 1));
      await screen.findByTestId('import-diff');
      return (callsOf(calls, 'import_preview')[before] as { options: SyncOptions }).options;
    }

    it('puts them at the top level by default, and under a chosen entity in the preview and the import', async () => {
      const rendered = importApp({ search_entities: search, import_preview: () => preview({ errorRows: 0, errors: [] }) }, backend);
      const { user, calls } = rendered;
      await openImport(rendered);
      await readFile(user);
      await pick(user, 'import-map-notes', 'Ignore');

      // Nothing selected in the tree: the top level, said so.
      const field = screen.getByRole('group', { name: 'Put new rows under' });
      expect(within(field).getByTestId('import-under-chosen')).toHaveTextContent('The top level (roots)');
      expect(within(field).getByTestId('import-under-hint')).toHaveTextContent('New rows that name no parent become top-level entities (roots).');
      expect(within(field).getByTestId('import-under-top')).toBeDisabled();
      expect((await previewed(user, calls)).under).toBeNull();
      expect(screen.getByTestId('import-start')).toBeEnabled();

      // Choosing a parent by search needs another preview.
      await user.type(within(field).getByTestId('import-under-search'), 'hall');
      await user.click(await screen.findByTestId('import-under-search-option-hall-1'));
      expect(within(field).getByTestId('import-under-chosen')).toHaveAttribute('data-entity-id', 'hall-1');
      expect(within(field).getByTestId('import-under-chosen')).toHaveTextContent('Hall A');
      expect(within(field).getByTestId('import-under-chosen')).toHaveTextContent('Hall · north_plant.hall_a');
      expect(within(field).getByTestId('import-under-hint')).toHaveTextContent('New rows that name no parent are created under Hall A.');
      expect(screen.getByTestId('import-preview-stale')).toBeInTheDocument();
      expect(screen.getByTestId('import-start')).toBeDisabled();

      expect(await previewed(user, calls)).toEqual(options({ under: 'hall-1' }));
      await user.click(screen.getByTestId('import-start'));
      await waitFor(() => expect(callsOf(calls, 'import_start')).toEqual([{ source: { kind: 'path', path: '/data/parts.csv' }, options: options({ under: 'hall-1' }) }]));
    });

    it('starts from the entity selected in the tree; "Top level" sends null', async () => {
      const rendered = importApp({ search_entities: search, import_preview: () => preview({ errorRows: 0, errors: [] }) }, backend);
      const { user, calls } = rendered;
      await user.click(await screen.findByTestId('tree-row-north_plant'));
      await openImport(rendered);
      await readFile(user);
      await pick(user, 'import-map-notes', 'Ignore');

      const field = screen.getByRole('group', { name: 'Put new rows under' });
      const chosen = within(field).getByTestId('import-under-chosen');
      expect(chosen).toHaveAttribute('data-entity-id', 'plant-1');
      await waitFor(() => expect(chosen).toHaveTextContent('North plant'));
      expect(chosen).toHaveTextContent('Plant · north_plant');
      expect(await previewed(user, calls)).toEqual(options({ under: 'plant-1' }));

      // With a parent column, the choice is only for rows whose parent cell is empty.
      await pick(user, 'import-map-notes', 'Parent (path label)');
      expect(within(field).getByTestId('import-under-hint')).toHaveTextContent(
        'Applies only to rows whose parent cell ("notes") is empty: they go under North plant, rows seen before included. Rows that name a parent go under it.',
      );
      await pick(user, 'import-map-notes', 'Ignore');

      // Back to the top level: null again, after a new preview.
      await user.click(within(field).getByTestId('import-under-top'));
      expect(chosen).toHaveTextContent('The top level (roots)');
      expect(chosen).toHaveAttribute('data-entity-id', '');
      expect(screen.getByTestId('import-start')).toBeDisabled();
      expect(await previewed(user, calls)).toEqual(options({ under: null }));
      await user.click(screen.getByTestId('import-start'));
      await waitFor(() => expect(callsOf(calls, 'import_start')).toEqual([{ source: { kind: 'path', path: '/data/parts.csv' }, options: options({ under: null }) }]));
    });

    it('says when the top level applies only to rows with an empty parent cell, and shows a refused parent on the field', async () => {
      const refused = { type: 'Validation', data: { message: 'the parent for new rows is not a live entity', field: 'under', rule: 'reference' } } satisfies AppError;
      const rendered = importApp(
        {
          import_preview: () => {
            throw refused;
          },
        },
        backend,
      );
      const { user } = rendered;
      await openImport(rendered);
      await readFile(user);
      await pick(user, 'import-map-notes', 'Parent (external id)');
      expect(screen.getByTestId('import-under-hint')).toHaveTextContent(
        'Applies only to rows whose parent cell ("notes") is empty: they become top-level entities (roots), rows seen before included. Rows that name a parent go under it.',
      );
      await user.click(screen.getByTestId('import-preview'));
      await waitFor(() => expect(screen.getByTestId('import-under-search')).toHaveAttribute('aria-invalid', 'true'));
      expect(screen.getByTestId('import-under-search')).toHaveAccessibleDescription(/not a live entity/);
      expect(screen.queryByTestId('error-notice')).toBeNull();
    });
  });
});
