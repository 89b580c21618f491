import { emit } from '@tauri-apps/api/event';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, BulkEdit, BulkPreview, BulkStarted, JobProgress, Tag, TagGroup } from '../../bindings';
import { focusedTree, renderApp } from '../../test/app';
import { callsOf, makeNode, makeType, T0, type FakeBackend, type Handler, type IpcArgs } from '../../test/fixtures';
import { makeDefinition, makeGroup } from '../../test/propertyFixtures';

const site = makeNode({ id: 'site', name: 'North Campus', pathLabel: 'north_campus', hasChildren: true });
const device = (id: string, name: string, typeKey = 'hvac_unit') =>
  makeNode({ id, parentId: 'site', name, pathLabel: `north_campus.${id}`, typeKey, typeName: typeKey === 'hvac_unit' ? 'HVAC unit' : 'Energy meter', icon: 'wind' });
const ahu1 = device('ahu_1', 'AHU 1');
const ahu2 = device('ahu_2', 'AHU 2');
const meter = device('meter_1', 'Main meter', 'energy_meter');

const operations = makeGroup({ key: 'operations', name: 'Operations' });
const status = makeDefinition({
  key: 'status',
  name: 'Status',
  groupId: operations.id,
  valueType: 'single_select',
  rules: {
    options: [
      { key: 'active', label: 'Active', color: '#2f9e44' },
      { key: 'maintenance', label: 'In maintenance', color: '#f59f00' },
      { key: 'fault', label: 'Fault', color: '#e03131' },
    ],
  },
});
const token = makeDefinition({ key: 'api_token', name: 'API token', groupId: operations.id, valueType: 'text', isSensitive: true });
const power = makeDefinition({ key: 'rated_power_kw', name: 'Rated power (kW)', valueType: 'number' });
const nameProperty = makeDefinition({ key: 'name', name: 'Name', valueType: 'text', isSystem: true });

const tagGroup = (key: string, name: string, selectionMode: TagGroup['selectionMode']): TagGroup => ({
  id: `tg-${key}`,
  key,
  name,
  description: null,
  selectionMode,
  createdAt: T0,
  updatedAt: T0,
  deletedAt: null,
});
const systems = tagGroup('system', 'System', 'multi');
const priority = tagGroup('priority', 'Priority', 'single');
const makeTag = (key: string, name: string, group: TagGroup, color: string | null): Tag => ({ id: `tag-${key}`, groupId: group.id, key, name, color, updatedAt: T0, deletedAt: null });
const hvacTag = makeTag('hvac', 'HVAC', systems, '#1971c2');
const p1 = makeTag('p1', 'P1', priority, '#e03131');

const edits = (calls: { cmd: string; args: IpcArgs }[], cmd: 'bulk_preview' | 'bulk_edit') => callsOf(calls, cmd).map((args) => (args as { edit: BulkEdit }).edit);

function backend(handlers: Record<string, Handler> = {}): FakeBackend {
  return {
    roots: [site],
    children: { site: [ahu1, ahu2, meter] },
    handlers: {
      list_property_definitions: () => [nameProperty, status, token, power],
      list_property_groups: () => [operations],
      list_tags: () => [hvacTag, p1],
      list_tag_groups: () => [systems, priority],
      list_entity_types: () => [makeType({ key: 'hvac_unit', name: 'HVAC unit', icon: 'wind' }), makeType({ key: 'energy_meter', name: 'Energy meter', icon: 'gauge' })],
      ...handlers,
    },
  };
}

type User = ReturnType<typeof renderApp>['user'];

async function openSite(user: User) {
  await user.click(await screen.findByTestId('tree-toggle-north_campus'));
  await screen.findByTestId('tree-row-north_campus.meter_1');
}

/** Selects both AHUs and presses Ctrl+E. */
async function bulkEditTheAhus(user: User) {
  await openSite(user);
  await user.click(screen.getByTestId('tree-row-north_campus.ahu_1'));
  await user.keyboard('{Control>}');
  await user.click(screen.getByTestId('tree-row-north_campus.ahu_2'));
  await user.keyboard('{/Control}');
  await focusedTree();
  await user.keyboard('{Control>}e{/Control}');
  return screen.findByTestId('bulk-edit-dialog');
}

/** Picks an option of a Select by the start of its name (property options also name their value type). */
async function chooseOption(user: User, testId: string, option: string) {
  await user.click(screen.getByTestId(testId));
  const start = new RegExp(`^${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  await user.click(await screen.findByRole('option', { name: start }));
}

const statusPreview: BulkPreview = {
  targets: 2,
  changing: 2,
  samples: [
    { entity: ahu1, before: '"maintenance"', after: '"active"' },
    { entity: ahu2, before: null, after: '"active"' },
  ],
};

// Whole-app flows through a multi-step dialog: slower than the default limit under load.
describe('bulk edit', { timeout: 20_000 }, () => {
  it('Ctrl+E edits the selection: sets Status, previews it with labels, applies after a confirmation', async () => {
    const { calls, user } = renderApp(
      backend({
        bulk_preview: () => statusPreview,
        bulk_edit: (): BulkStarted => ({ kind: 'done', outcome: { targets: 2, changed: 2 } }),
      }),
    );
    const dialog = await bulkEditTheAhus(user);
    expect(within(dialog).getByTestId('bulk-target')).toHaveTextContent('The 2 selected entities: AHU 1, AHU 2');

    await chooseOption(user, 'bulk-property', 'Status');
    expect(screen.queryByRole('option', { name: /^Name/ })).toBeNull();
    await user.click(await screen.findByTestId('prop-option-status-active'));
    await user.click(screen.getByTestId('bulk-preview-button'));

    const setActive: BulkEdit = {
      target: { kind: 'entities', ids: ['ahu_1', 'ahu_2'] },
      action: { kind: 'setProperty', definitionId: status.id, value: { type: 'single_select', value: 'active' } },
    };
    expect(await screen.findByTestId('bulk-preview-counts')).toHaveTextContent('2 of 2 entities will change');
    expect(edits(calls, 'bulk_preview')).toEqual([setActive]);
    const first = screen.getByTestId('bulk-sample-ahu_1');
    expect(first).toHaveTextContent('AHU 1');
    // Where it is: its parent's path.
    expect(first).toHaveTextContent('north_campus');
    expect(within(first).getByTestId('bulk-sample-before')).toHaveTextContent('In maintenance');
    expect(within(first).getByTestId('bulk-sample-after')).toHaveTextContent('Active');
    expect(within(screen.getByTestId('bulk-sample-ahu_2')).getByTestId('bulk-sample-before')).toHaveTextContent('no value');
    expect(edits(calls, 'bulk_edit')).toEqual([]);

    await user.click(screen.getByTestId('bulk-apply'));
    expect(screen.getByTestId('bulk-confirm-question')).toHaveTextContent('Set Status to Active on 2 entities');
    expect(edits(calls, 'bulk_edit')).toEqual([]);
    await user.click(screen.getByTestId('bulk-confirm'));
    expect(await screen.findByTestId('bulk-result')).toHaveTextContent('2 entities changed');
    expect(edits(calls, 'bulk_edit')).toEqual([setActive]);
    await user.click(screen.getByTestId('bulk-close'));
    await waitFor(() => expect(screen.queryByTestId('bulk-edit-dialog')).toBeNull());
  });

  it('from the context menu of one node: every HVAC unit under it gets a tag', async () => {
    const { calls, user } = renderApp(
      backend({
        bulk_preview: (): BulkPreview => ({ targets: 2, changing: 1, samples: [{ entity: ahu2, before: null, after: 'tagged' }] }),
        bulk_edit: (): BulkStarted => ({ kind: 'done', outcome: { targets: 2, changed: 1 } }),
      }),
    );
    await openSite(user);
    fireEvent.contextMenu(screen.getByTestId('tree-row-north_campus'));
    await user.click(within(await screen.findByTestId('tree-context-menu')).getByText('Bulk edit…'));
    const dialog = await screen.findByTestId('bulk-edit-dialog');
    expect(within(dialog).getByTestId('bulk-target-selection')).toBeChecked();

    await user.click(within(dialog).getByTestId('bulk-target-subtree'));
    await chooseOption(user, 'bulk-target-type', 'HVAC unit');
    await user.click(within(dialog).getByRole('radio', { name: 'Add tag' }));
    await user.click(screen.getByTestId('bulk-tag'));
    // Tags by group; single-choice groups say so.
    expect(await screen.findByText('Priority (one per entity)')).toBeInTheDocument();
    await user.click(screen.getByRole('option', { name: 'HVAC' }));
    await user.click(screen.getByTestId('bulk-preview-button'));

    expect(await screen.findByTestId('bulk-preview-counts')).toHaveTextContent('1 of 2 entities will change');
    expect(screen.getByTestId('bulk-preview-detail')).toHaveTextContent('Add the tag HVAC; the other 1 carries it already.');
    const sample = screen.getByTestId('bulk-sample-ahu_2');
    expect(within(sample).getByTestId('bulk-sample-before')).toHaveTextContent('not tagged');
    expect(within(sample).getByTestId('bulk-sample-after')).toHaveTextContent('HVAC');
    await user.click(screen.getByTestId('bulk-apply'));
    await user.click(screen.getByTestId('bulk-confirm'));
    expect(await screen.findByTestId('bulk-result')).toHaveTextContent('1 entity changed');

    const addHvac: BulkEdit = { target: { kind: 'subtree', rootId: 'site', typeKey: 'hvac_unit' }, action: { kind: 'addTag', tagId: 'tag-hvac' } };
    expect(edits(calls, 'bulk_preview')).toEqual([addHvac]);
    expect(edits(calls, 'bulk_edit')).toEqual([addHvac]);
  });

  it('builds clear and remove-tag edits, and "any type" under a node', async () => {
    const nothing: BulkPreview = { targets: 3, changing: 0, samples: [] };
    const { calls, user } = renderApp(backend({ bulk_preview: () => nothing }));
    const dialog = await bulkEditTheAhus(user);
    await user.click(within(dialog).getByRole('radio', { name: 'Clear property' }));
    await chooseOption(user, 'bulk-property', 'Rated power (kW)');
    await user.click(screen.getByTestId('bulk-preview-button'));
    expect(await screen.findByTestId('bulk-preview-counts')).toHaveTextContent('None of the 3 entities will change');
    expect(screen.getByTestId('bulk-preview-detail')).toHaveTextContent('Clear Rated power (kW): all 3 have no value.');
    expect(screen.getByTestId('bulk-apply')).toBeDisabled();
    await user.click(screen.getByTestId('bulk-back'));

    await user.click(within(dialog).getByRole('radio', { name: 'Remove tag' }));
    await chooseOption(user, 'bulk-tag', 'P1');
    await user.click(screen.getByTestId('bulk-preview-button'));
    await screen.findByTestId('bulk-preview-counts');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));

    fireEvent.contextMenu(screen.getByTestId('tree-row-north_campus'));
    await user.click(within(await screen.findByTestId('tree-context-menu')).getByText('Bulk edit…'));
    await screen.findByTestId('bulk-edit-dialog');
    await chooseOption(user, 'bulk-target-type', 'Any type');
    await user.click(screen.getByRole('radio', { name: 'Remove tag' }));
    await chooseOption(user, 'bulk-tag', 'HVAC');
    await user.click(screen.getByTestId('bulk-preview-button'));
    await screen.findByTestId('bulk-preview-counts');

    const ahus = { kind: 'entities', ids: ['ahu_1', 'ahu_2'] } as const;
    expect(edits(calls, 'bulk_preview')).toEqual([
      { target: ahus, action: { kind: 'setProperty', definitionId: power.id, value: null } },
      { target: ahus, action: { kind: 'removeTag', tagId: 'tag-p1' } },
      { target: { kind: 'subtree', rootId: 'site', typeKey: null }, action: { kind: 'removeTag', tagId: 'tag-hvac' } },
    ]);
  });

  it('shows sensitive values masked in the preview', async () => {
    const { user } = renderApp(
      backend({
        bulk_preview: (): BulkPreview => ({ targets: 2, changing: 2, samples: [{ entity: ahu1, before: '"<redacted>"', after: '"<redacted>"' }, { entity: ahu2, before: null, after: '"<redacted>"' }] }),
      }),
    );
    await bulkEditTheAhus(user);
    await chooseOption(user, 'bulk-property', 'API token');
    await user.type(await screen.findByTestId('prop-input-api_token'), 's3cret');
    await user.click(screen.getByTestId('bulk-preview-button'));
    const first = await screen.findByTestId('bulk-sample-ahu_1');
    expect(within(first).getByTestId('bulk-sample-before')).toHaveTextContent('••••••');
    expect(within(first).getByTestId('bulk-sample-after')).toHaveTextContent('••••••');
    expect(within(screen.getByTestId('bulk-sample-ahu_2')).getByTestId('bulk-sample-before')).toHaveTextContent('no value');
    expect(screen.getByTestId('bulk-preview')).not.toHaveTextContent('redacted');
    expect(screen.getByTestId('bulk-preview')).not.toHaveTextContent('s3cret');
  });

  it('a Validation refusal shows its message under the field it names, and nothing is applied', async () => {
    const required: AppError = { type: 'Validation', data: { field: 'status', rule: 'required', message: '2 of these entities require Status (their type’s layout)' } };
    const choice: AppError = { type: 'Validation', data: { field: 'tagId', rule: 'choice', message: '1 of these entities carry another tag of this single-choice group: remove it first' } };
    const { calls, user } = renderApp(
      backend({
        bulk_preview: (args) => {
          throw (args as { edit: BulkEdit }).edit.action.kind === 'addTag' ? choice : required;
        },
      }),
    );
    const dialog = await bulkEditTheAhus(user);
    await user.click(within(dialog).getByRole('radio', { name: 'Clear property' }));
    await chooseOption(user, 'bulk-property', 'Status');
    await user.click(screen.getByTestId('bulk-preview-button'));
    expect(await within(dialog).findByText('2 of these entities require Status (their type’s layout)')).toBeInTheDocument();
    expect(within(dialog).getByTestId('bulk-property')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('bulk-preview-counts')).toBeNull();

    await user.click(within(dialog).getByRole('radio', { name: 'Add tag' }));
    await chooseOption(user, 'bulk-tag', 'P1');
    await user.click(screen.getByTestId('bulk-preview-button'));
    expect(await within(dialog).findByText('1 of these entities carry another tag of this single-choice group: remove it first')).toBeInTheDocument();
    expect(within(dialog).getByTestId('bulk-tag')).toHaveAttribute('aria-invalid', 'true');
    expect(callsOf(calls, 'bulk_edit')).toEqual([]);
  });

  it('a large edit runs as a background job in the jobs panel, and the dialog closes', async () => {
    const { calls, user } = renderApp(
      backend({
        bulk_preview: (): BulkPreview => ({ ...statusPreview, targets: 8_000, changing: 8_000 }),
        bulk_edit: (): BulkStarted => ({ kind: 'background', jobId: 'job-9', total: 8_000 }),
        cancel_job: () => true,
      }),
    );
    await bulkEditTheAhus(user);
    await chooseOption(user, 'bulk-property', 'Status');
    await user.click(await screen.findByTestId('prop-option-status-fault'));
    await user.click(screen.getByTestId('bulk-preview-button'));
    await user.click(await screen.findByTestId('bulk-apply'));
    expect(screen.getByTestId('bulk-confirm-question')).toHaveTextContent('runs in the background');
    await user.click(screen.getByTestId('bulk-confirm'));

    const job = await screen.findByTestId('job-job-9');
    await waitFor(() => expect(screen.queryByTestId('bulk-edit-dialog')).toBeNull());
    expect(job).toHaveTextContent('Setting Status on 8,000 entities');
    expect(job).toHaveTextContent('0 / 8,000');
    const progress = async (payload: JobProgress) => act(async () => void (await emit('job-progress', payload)));
    await progress({ jobId: 'job-9', done: 2_000, total: 8_000, state: { state: 'running' } });
    expect(within(job).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '25');
    await user.click(screen.getByTestId('job-cancel-job-9'));
    expect(callsOf(calls, 'cancel_job')).toEqual([{ jobId: 'job-9' }]);
    await progress({ jobId: 'job-9', done: 2_000, total: 8_000, state: { state: 'cancelled' } });
    expect(job).toHaveAttribute('data-status', 'cancelled');
  });

  it('works from the keyboard: Enter advances, Escape cancels', async () => {
    const { calls, user } = renderApp(
      backend({
        bulk_preview: () => statusPreview,
        bulk_edit: (): BulkStarted => ({ kind: 'done', outcome: { targets: 2, changed: 2 } }),
      }),
    );
    const dialog = await bulkEditTheAhus(user);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('bulk-edit-dialog')).toBeNull());

    await focusedTree();
    await user.keyboard('{Control>}e{/Control}');
    await screen.findByTestId('bulk-edit-dialog');
    // The property comes first.
    const property = screen.getByTestId('bulk-property');
    await waitFor(() => expect(property).toHaveFocus());
    await user.keyboard('Stat{ArrowDown}{Enter}');
    expect(property).toHaveValue('Status');
    // Enter with no value says what is missing, under the value, and goes there; Space picks an option.
    await user.keyboard('{Enter}');
    expect(await screen.findByTestId('bulk-value-error')).toHaveTextContent('Enter a value for Status');
    await waitFor(() => expect(screen.getByTestId('prop-option-status-active')).toHaveFocus());
    await user.keyboard(' ');
    expect(screen.getByTestId('prop-option-status-active')).toBeChecked();
    await user.keyboard('{Enter}');
    await screen.findByTestId('bulk-preview-counts');
    await waitFor(() => expect(screen.getByTestId('bulk-apply')).toHaveFocus());
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId('bulk-confirm')).toHaveFocus());
    await user.keyboard('{Enter}');
    await screen.findByTestId('bulk-result');
    expect(callsOf(calls, 'bulk_edit')).toHaveLength(1);
    await waitFor(() => expect(screen.getByTestId('bulk-close')).toHaveFocus());
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByTestId('bulk-edit-dialog')).toBeNull());
    expect(dialog).not.toBeInTheDocument();
  });
});
