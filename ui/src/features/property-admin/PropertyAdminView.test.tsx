import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, DefinitionImpact, PropertyDefinition, PropertyGroup } from '../../bindings';
import { renderApp } from '../../test/app';
import { ALICE, callsOf, makeType, sessionOn, type FakeBackend } from '../../test/fixtures';
import { makeDefinition, makeGroup, makeLayout } from '../../test/propertySchema';

type User = ReturnType<typeof renderApp>['user'];

const electrical = makeGroup({ key: 'electrical', name: 'Electrical', displayOrder: 0, updatedAt: 'v-elec' });
const siteInfo = makeGroup({ key: 'site_info', name: 'Site info', displayOrder: 1 });
const docs = makeGroup({ key: 'docs', name: 'Documents', displayOrder: 2 });
const archived = makeGroup({ key: 'archived', name: 'Archived', displayOrder: 3, deletedAt: '2025-02-01T00:00:00Z' });

const nameDef = makeDefinition({ id: 'name-id', key: 'name', name: 'Name', isSystem: true, isRequired: true, isSearchable: true, rules: { maxLength: 200 } });
const power = makeDefinition({
  key: 'rated_power',
  name: 'Rated power',
  groupId: electrical.id,
  valueType: 'number',
  rules: { min: '0', integer: true },
  isRequired: true,
  updatedAt: 'v-power',
});
const serial = makeDefinition({ key: 'serial', name: 'Serial number', groupId: electrical.id, isSearchable: true, isSensitive: true });
const status = makeDefinition({ key: 'status', name: 'Status', valueType: 'single_select', rules: { options: [{ key: 'on', label: 'On', color: null }] } });

const device = makeType({ key: 'device', name: 'Device', updatedAt: 'v-type' });
const site = makeType({ key: 'site', name: 'Site' });

// Each test renders the whole app and opens full forms: slower than the default 5 s under a loaded run.
const SLOW = { timeout: 20_000 };

const input = (args: Record<string, unknown> | undefined) => (args as { input: Record<string, unknown> }).input;

async function openProperties(user: User, part?: 'groups' | 'layouts') {
  await user.click(within(await screen.findByTestId('view-switch')).getByText('Properties'));
  if (part) await user.click(await screen.findByTestId(`property-admin-tab-${part}`));
}

/** Types `text` into an input at once (as a paste). */
async function fill(user: User, element: HTMLElement, text: string) {
  act(() => element.focus());
  await user.paste(text);
}

async function choose(user: User, select: HTMLElement, option: string) {
  await user.click(select);
  await user.click(await screen.findByRole('option', { name: option }));
}

const schema = (definitions: PropertyDefinition[] = [nameDef, power, serial], groups: PropertyGroup[] = [electrical, siteInfo]) => ({
  list_property_groups: () => groups,
  list_property_definitions: () => definitions,
});

describe('property definitions', SLOW, () => {
  it('lists properties by group with type and flags; the system name is read-only', async () => {
    const { user } = renderApp({ roots: [], handlers: schema() });
    await openProperties(user);
    const table = await screen.findByTestId('definitions-table');
    const electricalSection = within(table).getByTestId('definitions-section-electrical');
    expect(within(electricalSection).getByText('Electrical')).toBeInTheDocument();
    const powerRow = within(electricalSection).getByTestId('definition-row-rated_power');
    expect(powerRow).toHaveTextContent('Rated power');
    expect(powerRow).toHaveTextContent('Number');
    expect(powerRow).toHaveTextContent('≥ 0, whole numbers');
    expect(powerRow).toHaveTextContent('Required');
    expect(within(electricalSection).getByTestId('definition-row-serial')).toHaveTextContent(/Sensitive.*Searchable/);
    expect(within(table).getByTestId('definitions-section-site_info')).toHaveTextContent('No properties in this group');
    expect(within(within(table).getByTestId('definitions-section-none')).getByTestId('definition-row-name')).toHaveTextContent('System');
    expect(screen.getByTestId('definition-edit-name')).toBeDisabled();
    expect(screen.getByTestId('definition-delete-name')).toBeDisabled();
    expect(screen.getByTestId('definition-edit-rated_power')).toBeEnabled();
  });

  it('creates a single select in a group with its options', async () => {
    const { calls, user } = renderApp({
      roots: [],
      handlers: { ...schema(), create_property_definition: (args) => makeDefinition(input(args) as Pick<PropertyDefinition, 'key' | 'name'>) },
    });
    await openProperties(user);
    await user.click(await screen.findByTestId('definitions-new'));
    await fill(user, screen.getByTestId('definition-key'), 'state');
    await fill(user, screen.getByTestId('definition-name'), 'State');
    await choose(user, screen.getByTestId('definition-group'), 'Electrical');
    await choose(user, screen.getByTestId('definition-type'), 'Single select');
    expect(screen.getByTestId('rule-editor')).toHaveAttribute('data-value-type', 'single_select');
    expect(screen.getByTestId('definition-save')).toBeDisabled();
    await user.click(screen.getByTestId('option-add'));
    await fill(user, screen.getByTestId('option-label-0'), 'Running');
    await fill(user, screen.getByTestId('option-color-0'), '#2f9e44');
    await user.click(screen.getByTestId('option-add'));
    await fill(user, screen.getByTestId('option-label-1'), 'Stopped');
    await user.click(screen.getByTestId('definition-required'));
    await user.click(screen.getByTestId('definition-save'));
    await waitFor(() => expect(callsOf(calls, 'create_property_definition')).toHaveLength(1));
    expect(input(callsOf(calls, 'create_property_definition')[0])).toEqual({
      key: 'state',
      name: 'State',
      description: null,
      groupId: 'group-electrical',
      valueType: 'single_select',
      isRequired: true,
      isSensitive: false,
      isSearchable: false,
      rules: {
        options: [
          { key: 'running', label: 'Running', color: '#2f9e44' },
          { key: 'stopped', label: 'Stopped', color: null },
        ],
      },
    });
    await waitFor(() => expect(screen.queryByTestId('definition-save')).toBeNull());
    await waitFor(() => expect(callsOf(calls, 'list_property_definitions').length).toBeGreaterThan(1));
  });

  it('server errors show under the input they blame: the key, then the rules', async () => {
    const taken: AppError = { type: 'Validation', data: { message: 'a property with the key "serial" exists', field: 'key', rule: 'unique' } };
    const badPattern: AppError = { type: 'Validation', data: { message: 'the pattern does not compile: unclosed group', field: 'validation', rule: 'pattern' } };
    const answers = [taken, badPattern];
    const { calls, user } = renderApp({
      roots: [],
      handlers: {
        ...schema(),
        create_property_definition: () => {
          throw answers.shift();
        },
      },
    });
    await openProperties(user);
    await user.click(await screen.findByTestId('definitions-new'));
    await fill(user, screen.getByTestId('definition-key'), 'serial');
    await fill(user, screen.getByTestId('definition-name'), 'Serial');
    await fill(user, screen.getByTestId('rule-pattern'), '(A');
    await user.click(screen.getByTestId('definition-save'));
    await waitFor(() => expect(screen.getByTestId('definition-key')).toHaveAttribute('aria-invalid', 'true'));
    expect(screen.getByText('a property with the key "serial" exists')).toBeInTheDocument();
    expect(screen.getByTestId('definition-name')).not.toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('rules-error')).toBeNull();
    expect(screen.queryByTestId('error-notice')).toBeNull();

    await user.click(screen.getByTestId('definition-save'));
    const rulesError = await within(screen.getByTestId('rule-editor')).findByTestId('rules-error');
    expect(rulesError).toHaveTextContent('the pattern does not compile: unclosed group');
    expect(screen.getByTestId('definition-key')).not.toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('error-notice')).toBeNull();
    expect(callsOf(calls, 'create_property_definition')).toHaveLength(2);
  });

  it('a change of rules is counted first; invalid values are confirmed before the edit is sent', async () => {
    const impact: DefinitionImpact = {
      values: 12,
      invalid: 2,
      samples: [
        { entityId: 'e1', entityName: 'Inverter 1', value: '750', problem: 'rated_power must be at most 500' },
        { entityId: 'e2', entityName: 'Inverter 2', value: '612', problem: 'rated_power must be at most 500' },
      ],
    };
    const { calls, user } = renderApp({
      roots: [],
      handlers: { ...schema(), property_definition_impact: () => impact, update_property_definition: () => power },
    });
    await openProperties(user);
    await user.click(await screen.findByTestId('definition-edit-rated_power'));
    expect(screen.getByTestId('definition-key-fixed')).toHaveValue('rated_power');
    expect(screen.queryByTestId('definition-key')).toBeNull();
    await fill(user, screen.getByTestId('rule-max'), '500');
    await user.click(screen.getByTestId('definition-save'));

    const confirm = await screen.findByTestId('impact-confirm');
    expect(within(confirm).getByTestId('impact-summary')).toHaveTextContent('2 of 12 stored values would become invalid');
    expect(within(confirm).getByTestId('impact-sample-0')).toHaveTextContent(/Inverter 1.*750.*rated_power must be at most 500/);
    expect(within(confirm).getByTestId('impact-sample-1')).toHaveTextContent('Inverter 2');
    const checked = input(callsOf(calls, 'property_definition_impact')[0]);
    expect(checked).toMatchObject({ id: 'def-rated_power', expectedUpdatedAt: 'v-power', valueType: 'number', rules: { min: '0', max: '500', integer: true }, acceptInvalid: null });
    expect(callsOf(calls, 'update_property_definition')).toEqual([]);
    expect(screen.getByTestId('impact-back')).toHaveFocus();

    await user.click(screen.getByTestId('impact-accept'));
    await waitFor(() => expect(callsOf(calls, 'update_property_definition')).toHaveLength(1));
    expect(input(callsOf(calls, 'update_property_definition')[0])).toEqual({
      id: 'def-rated_power',
      expectedUpdatedAt: 'v-power',
      groupId: 'group-electrical',
      name: 'Rated power',
      description: null,
      valueType: 'number',
      isRequired: true,
      isSensitive: false,
      isSearchable: false,
      rules: { min: '0', max: '500', integer: true },
      acceptInvalid: 2,
    });
    await waitFor(() => expect(screen.queryByTestId('impact-confirm')).toBeNull());
  });

  it('an edit refused for values stored meanwhile shows them, and confirming sends their number', async () => {
    const refused: AppError = { type: 'Validation', data: { message: '1 of 5 stored values would not satisfy the new type: review them and confirm', field: null, rule: 'confirm' } };
    const impacts: DefinitionImpact[] = [
      { values: 4, invalid: 0, samples: [] },
      { values: 5, invalid: 1, samples: [{ entityId: 'e9', entityName: 'Meter 9', value: '"n/a"', problem: 'not a number value' }] },
    ];
    const { calls, user } = renderApp({
      roots: [],
      handlers: {
        ...schema(),
        property_definition_impact: () => impacts.shift(),
        update_property_definition: (args) => {
          if (input(args).acceptInvalid !== 1) throw refused;
          return serial;
        },
      },
    });
    await openProperties(user);
    await user.click(await screen.findByTestId('definition-edit-serial'));
    await choose(user, screen.getByTestId('definition-type'), 'Number');
    expect(screen.getByTestId('rule-editor')).toHaveAttribute('data-value-type', 'number');
    await user.click(screen.getByTestId('definition-save'));

    const confirm = await screen.findByTestId('impact-confirm');
    expect(within(confirm).getByTestId('impact-summary')).toHaveTextContent('1 of 5 stored values would become invalid');
    expect(confirm).toHaveTextContent('The stored values changed while you edited');
    expect(within(confirm).getByTestId('impact-sample-0')).toHaveTextContent(/Meter 9.*"n\/a".*not a number value/);
    expect(callsOf(calls, 'update_property_definition').map((a) => input(a).acceptInvalid)).toEqual([null]);

    await user.click(screen.getByTestId('impact-accept'));
    await waitFor(() => expect(callsOf(calls, 'update_property_definition')).toHaveLength(2));
    expect(input(callsOf(calls, 'update_property_definition')[1])).toMatchObject({ valueType: 'number', rules: {}, acceptInvalid: 1 });
    expect(callsOf(calls, 'property_definition_impact')).toHaveLength(2);
    await waitFor(() => expect(screen.queryByTestId('impact-confirm')).toBeNull());
  });

  it('an edit of the name alone sends the stored rules unchanged, without counting', async () => {
    const { calls, user } = renderApp({ roots: [], handlers: { ...schema([nameDef, status]), update_property_definition: () => status } });
    await openProperties(user);
    await user.click(await screen.findByTestId('definition-edit-status'));
    const name = screen.getByTestId('definition-name');
    await user.clear(name);
    await fill(user, name, 'Operating state');
    await user.click(screen.getByTestId('definition-save'));
    await waitFor(() => expect(callsOf(calls, 'update_property_definition')).toHaveLength(1));
    expect(input(callsOf(calls, 'update_property_definition')[0])).toMatchObject({ name: 'Operating state', rules: status.rules, acceptInvalid: null });
    expect(callsOf(calls, 'property_definition_impact')).toEqual([]);
  });

  it('deletes a property and restores a deleted one', async () => {
    const gone = makeDefinition({ key: 'legacy_code', name: 'Legacy code', deletedAt: '2025-02-01T00:00:00Z' });
    const { calls, user } = renderApp({
      roots: [],
      handlers: {
        list_property_groups: () => [electrical],
        list_property_definitions: (args) => (args?.includeDeleted ? [nameDef, power, gone] : [nameDef, power]),
        delete_property_definition: () => ({ ...power, deletedAt: '2025-03-01T00:00:00Z' }),
        restore_property_definition: () => ({ ...gone, deletedAt: null }),
      },
    });
    await openProperties(user);
    await user.click(await screen.findByTestId('definition-delete-rated_power'));
    await user.click(screen.getByTestId('definition-delete-confirm'));
    await waitFor(() => expect(callsOf(calls, 'delete_property_definition')).toHaveLength(1));
    expect(input(callsOf(calls, 'delete_property_definition')[0])).toEqual({ id: 'def-rated_power', expectedUpdatedAt: 'v-power' });

    expect(screen.queryByTestId('definition-row-legacy_code')).toBeNull();
    await user.click(screen.getByTestId('definitions-show-deleted'));
    expect(await screen.findByTestId('definition-row-legacy_code')).toHaveTextContent('Deleted');
    await user.click(screen.getByTestId('definition-restore-legacy_code'));
    await waitFor(() => expect(callsOf(calls, 'restore_property_definition')).toEqual([{ id: 'def-legacy_code' }]));
  });
});

describe('property groups', SLOW, () => {
  it('Alt+↓ on a focused group and the Move up button send the new order; the moved row keeps the focus', async () => {
    let order = [electrical, siteInfo, docs];
    const { calls, user } = renderApp({
      roots: [],
      handlers: {
        ...schema([nameDef], order),
        list_property_groups: () => order,
        reorder_property_groups: (args) => {
          const ids = (args as { ids: string[] }).ids;
          order = ids.map((id, i) => ({ ...[electrical, siteInfo, docs].find((g) => g.id === id)!, displayOrder: i }));
          return order;
        },
      },
    });
    await openProperties(user, 'groups');
    const row = await screen.findByTestId('group-row-electrical');
    act(() => row.focus());
    await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
    await waitFor(() => expect(callsOf(calls, 'reorder_property_groups')).toHaveLength(1));
    expect(callsOf(calls, 'reorder_property_groups')[0]).toEqual({ ids: ['group-site_info', 'group-electrical', 'group-docs'] });
    const keys = () => within(screen.getByTestId('groups-list')).getAllByRole('listitem').map((r) => r.getAttribute('data-testid'));
    expect(keys()).toEqual(['group-row-site_info', 'group-row-electrical', 'group-row-docs']);
    expect(screen.getByTestId('group-row-electrical')).toHaveFocus();
    expect(screen.getByTestId('groups-announcement')).toHaveTextContent('Electrical moved to position 2 of 3');

    await user.click(screen.getByTestId('group-up-docs'));
    await waitFor(() => expect(callsOf(calls, 'reorder_property_groups')).toHaveLength(2));
    expect(callsOf(calls, 'reorder_property_groups')[1]).toEqual({ ids: ['group-site_info', 'group-docs', 'group-electrical'] });
    await waitFor(() => expect(keys()).toEqual(['group-row-site_info', 'group-row-docs', 'group-row-electrical']));
  });

  it('creates a group and renames one with F2', async () => {
    const { calls, user } = renderApp({
      roots: [],
      handlers: {
        ...schema(),
        create_property_group: (args) => makeGroup(input(args) as Pick<PropertyGroup, 'key' | 'name'>),
        update_property_group: () => electrical,
      },
    });
    await openProperties(user, 'groups');
    await user.click(await screen.findByTestId('groups-new'));
    await fill(user, screen.getByTestId('group-key'), 'maintenance');
    await fill(user, screen.getByTestId('group-name'), 'Maintenance');
    await user.click(screen.getByTestId('group-save'));
    await waitFor(() => expect(callsOf(calls, 'create_property_group')).toHaveLength(1));
    expect(input(callsOf(calls, 'create_property_group')[0])).toEqual({ key: 'maintenance', name: 'Maintenance', description: null });
    await waitFor(() => expect(screen.queryByTestId('group-save')).toBeNull());

    act(() => screen.getByTestId('group-row-electrical').focus());
    await user.keyboard('{F2}');
    const name = await screen.findByTestId('group-name');
    await user.clear(name);
    await user.type(name, 'Electrical data{Enter}');
    await waitFor(() => expect(callsOf(calls, 'update_property_group')).toHaveLength(1));
    expect(input(callsOf(calls, 'update_property_group')[0])).toEqual({ id: 'group-electrical', expectedUpdatedAt: 'v-elec', name: 'Electrical data', description: null });
  });

  it('delete shows the InUse error with the number of properties still in the group', async () => {
    const inUse: AppError = { type: 'InUse', data: { message: '2 live properties are in the group "Electrical": move or delete them first' } };
    const { calls, user } = renderApp({
      roots: [],
      handlers: {
        ...schema(),
        delete_property_group: () => {
          throw inUse;
        },
      },
    });
    await openProperties(user, 'groups');
    expect(await screen.findByTestId('group-row-electrical')).toHaveTextContent('2 properties');
    await user.click(screen.getByTestId('group-delete-electrical'));
    await user.click(screen.getByTestId('group-delete-confirm'));
    expect(await screen.findByTestId('group-in-use')).toHaveTextContent(/Still in use.*still has 2 properties/);
    expect(screen.queryByTestId('error-notice')).toBeNull();
    expect(input(callsOf(calls, 'delete_property_group')[0])).toEqual({ id: 'group-electrical', expectedUpdatedAt: 'v-elec' });
  });

  it('"Show deleted" lists deleted groups, which can be restored', async () => {
    const { calls, user } = renderApp({
      roots: [],
      handlers: {
        ...schema(),
        list_property_groups: (args) => (args?.includeDeleted ? [electrical, siteInfo, archived] : [electrical, siteInfo]),
        restore_property_group: () => ({ ...archived, deletedAt: null }),
      },
    });
    await openProperties(user, 'groups');
    await screen.findByTestId('group-row-electrical');
    expect(screen.queryByTestId('group-row-archived')).toBeNull();
    await user.click(screen.getByTestId('groups-show-deleted'));
    expect(await screen.findByTestId('group-row-archived')).toHaveTextContent('Deleted');
    await user.click(screen.getByTestId('group-restore-archived'));
    await waitFor(() => expect(callsOf(calls, 'restore_property_group')).toEqual([{ id: 'group-archived' }]));
  });
});

describe('type layouts', SLOW, () => {
  const layoutBackend = (extra: Record<string, (args: Record<string, unknown> | undefined) => unknown> = {}) => ({
    ...schema([nameDef, power, serial, status]),
    list_entity_types: () => [device, site],
    type_layout: (args: Record<string, unknown> | undefined) =>
      args?.entityTypeId === device.id
        ? makeLayout(device.id, [
            [power.id, false],
            [serial.id, true],
          ], 'v-type')
        : makeLayout(site.id, []),
    ...extra,
  });

  const rowKeys = () => within(screen.getByTestId('layout-list')).queryAllByRole('listitem').map((r) => r.getAttribute('data-testid'));

  it('reorders by keyboard, sets required, adds a property and saves against the type version', async () => {
    const { calls, user } = renderApp({ roots: [], handlers: layoutBackend({ set_type_layout: (args) => ({ ...input(args), updatedAt: 'v-type-2' }) }) });
    await openProperties(user, 'layouts');
    await choose(user, await screen.findByTestId('layout-type'), 'Device');
    await waitFor(() => expect(rowKeys()).toEqual(['layout-row-rated_power', 'layout-row-serial']));
    expect(screen.getByTestId('layout-required-serial')).toBeChecked();
    expect(screen.getByTestId('layout-save')).toBeDisabled();

    act(() => screen.getByTestId('layout-row-serial').focus());
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}');
    expect(rowKeys()).toEqual(['layout-row-serial', 'layout-row-rated_power']);
    expect(screen.getByTestId('layout-row-serial')).toHaveFocus();
    await user.click(screen.getByTestId('layout-required-rated_power'));

    await user.click(screen.getByTestId('layout-add'));
    expect(screen.queryByRole('option', { name: /Name \(name\)/ })).toBeNull();
    expect(screen.queryByRole('option', { name: /Serial number/ })).toBeNull();
    await user.click(await screen.findByRole('option', { name: 'Status (status)' }));
    expect(rowKeys()).toEqual(['layout-row-serial', 'layout-row-rated_power', 'layout-row-status']);
    expect(screen.getByTestId('layout-unsaved')).toBeInTheDocument();

    await user.click(screen.getByTestId('layout-save'));
    await waitFor(() => expect(callsOf(calls, 'set_type_layout')).toHaveLength(1));
    expect(input(callsOf(calls, 'set_type_layout')[0])).toEqual({
      entityTypeId: 'type-device',
      expectedUpdatedAt: 'v-type',
      entries: [
        { definitionId: 'def-serial', isRequired: true },
        { definitionId: 'def-rated_power', isRequired: true },
        { definitionId: 'def-status', isRequired: false },
      ],
    });
    expect(await screen.findByTestId('layout-saved')).toBeInTheDocument();
  });

  it('Delete removes the focused row and the Move down button reorders', async () => {
    const { calls, user } = renderApp({ roots: [], handlers: layoutBackend({ set_type_layout: (args) => ({ ...input(args), updatedAt: 'v-type-2' }) }) });
    await openProperties(user, 'layouts');
    await choose(user, await screen.findByTestId('layout-type'), 'Device');
    await screen.findByTestId('layout-row-serial');
    await user.click(screen.getByTestId('layout-add'));
    await user.click(await screen.findByRole('option', { name: 'Status (status)' }));
    await user.click(screen.getByTestId('layout-down-rated_power'));
    expect(rowKeys()).toEqual(['layout-row-serial', 'layout-row-rated_power', 'layout-row-status']);
    act(() => screen.getByTestId('layout-row-serial').focus());
    await user.keyboard('{Delete}');
    expect(rowKeys()).toEqual(['layout-row-rated_power', 'layout-row-status']);
    await user.click(screen.getByTestId('layout-save'));
    await waitFor(() => expect(callsOf(calls, 'set_type_layout')).toHaveLength(1));
    expect(input(callsOf(calls, 'set_type_layout')[0])).toMatchObject({
      entries: [
        { definitionId: 'def-rated_power', isRequired: false },
        { definitionId: 'def-status', isRequired: false },
      ],
    });
  });

  it('a row dragged onto another takes its place', async () => {
    const { user } = renderApp({ roots: [], handlers: layoutBackend() });
    await openProperties(user, 'layouts');
    await choose(user, await screen.findByTestId('layout-type'), 'Device');
    const serialRow = await screen.findByTestId('layout-row-serial');
    const powerRow = screen.getByTestId('layout-row-rated_power');
    fireEvent.dragStart(serialRow);
    fireEvent.dragOver(powerRow);
    expect(powerRow).toHaveAttribute('data-drop', 'before');
    fireEvent.drop(powerRow);
    fireEvent.dragEnd(serialRow);
    expect(rowKeys()).toEqual(['layout-row-serial', 'layout-row-rated_power']);
    expect(screen.getByTestId('layout-save')).toBeEnabled();
  });

  it('a layout changed by someone else shows a reload notice; Reload discards the edit', async () => {
    const conflict: AppError = { type: 'Conflict', data: { message: 'this type was changed by someone else', current: { kind: 'entityType', row: { ...device, updatedAt: 'v-other' } } } };
    const { calls, user } = renderApp({
      roots: [],
      handlers: layoutBackend({
        set_type_layout: () => {
          throw conflict;
        },
      }),
    });
    await openProperties(user, 'layouts');
    await choose(user, await screen.findByTestId('layout-type'), 'Device');
    await screen.findByTestId('layout-row-serial');
    await user.click(screen.getByTestId('layout-required-rated_power'));
    await user.click(screen.getByTestId('layout-save'));
    expect(await screen.findByTestId('layout-conflict')).toHaveTextContent(/Changed by someone else.*Device or its layout changed since you loaded it/);
    expect(screen.queryByTestId('error-notice')).toBeNull();
    const loads = callsOf(calls, 'type_layout').length;
    await user.click(screen.getByTestId('layout-reload'));
    await waitFor(() => expect(callsOf(calls, 'type_layout').length).toBeGreaterThan(loads));
    expect(screen.queryByTestId('layout-conflict')).toBeNull();
    expect(screen.getByTestId('layout-required-rated_power')).not.toBeChecked();
    expect(screen.getByTestId('layout-save')).toBeDisabled();
  });
});

describe('who may change the property schema', SLOW, () => {
  const reason = 'Read-only: only a global administrator changes types, properties and tags';
  const backend = {
    list_property_groups: (args: Record<string, unknown> | undefined) => (args?.includeDeleted ? [electrical, siteInfo, archived] : [electrical, siteInfo]),
    list_property_definitions: (args: Record<string, unknown> | undefined) =>
      args?.includeDeleted ? [nameDef, power, serial, status, makeDefinition({ key: 'legacy_code', name: 'Legacy code', deletedAt: '2025-02-01T00:00:00Z' })] : [nameDef, power, serial, status],
    list_entity_types: () => [device],
    type_layout: () =>
      makeLayout(device.id, [
        [power.id, false],
        [serial.id, true],
      ]),
  };
  /** The controls that change something, on each tab (deleted rows shown). */
  const changes = {
    definitions: ['definitions-new', 'definition-edit-rated_power', 'definition-delete-rated_power', 'definition-restore-legacy_code'],
    groups: ['groups-new', 'group-down-electrical', 'group-up-site_info', 'group-rename-electrical', 'group-delete-electrical', 'group-restore-archived'],
    layouts: ['layout-add', 'layout-required-serial', 'layout-down-rated_power', 'layout-up-serial', 'layout-remove-serial'],
  };

  /** Opens each tab in turn, deleted rows shown; `check` runs on each. */
  async function everyTab(user: User, check: (ids: string[]) => void | Promise<void>) {
    await openProperties(user);
    await user.click(await screen.findByTestId('definitions-show-deleted'));
    await screen.findByTestId('definition-restore-legacy_code');
    await check(changes.definitions);
    await openProperties(user, 'groups');
    await user.click(await screen.findByTestId('groups-show-deleted'));
    await screen.findByTestId('group-restore-archived');
    await check(changes.groups);
    await openProperties(user, 'layouts');
    await choose(user, await screen.findByTestId('layout-type'), 'Device');
    await screen.findByTestId('layout-row-serial');
    await check(changes.layouts);
  }

  function open(session: FakeBackend['session'], extra: FakeBackend['handlers'] = {}) {
    return renderApp({ roots: [], session, handlers: { ...backend, ...extra } });
  }

  it('a person who is no global administrator reads groups, definitions and layouts, told once why nothing can be changed', async () => {
    const { calls, user } = open(sessionOn('site', ['read', 'write', 'admin']));
    await everyTab(user, async (ids) => {
      const notice = await screen.findByTestId('property-admin-read-only');
      expect(notice).toHaveAttribute('role', 'status');
      expect(notice).toHaveTextContent(reason);
      expect(screen.getAllByTestId('property-admin-read-only')).toHaveLength(1);
      for (const id of ids) {
        expect(screen.getByTestId(id)).toBeDisabled();
        expect(screen.getByTestId(id)).toHaveAttribute('title', reason);
      }
    });
    // Reading and browsing go on.
    expect(screen.getByTestId('layout-type')).toBeEnabled();
    expect(screen.getByTestId('layout-required-serial')).toBeChecked();
    expect(screen.getByTestId('layout-save')).toBeDisabled();
    // Nor do the keys or a drag change the layout.
    const rows = () => within(screen.getByTestId('layout-list')).getAllByRole('listitem').map((r) => r.getAttribute('data-testid'));
    const serialRow = screen.getByTestId('layout-row-serial');
    expect(serialRow).toHaveAttribute('draggable', 'false');
    act(() => serialRow.focus());
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}');
    await user.keyboard('{Delete}');
    fireEvent.dragStart(serialRow);
    fireEvent.dragOver(screen.getByTestId('layout-row-rated_power'));
    fireEvent.drop(screen.getByTestId('layout-row-rated_power'));
    expect(rows()).toEqual(['layout-row-rated_power', 'layout-row-serial']);
    expect(screen.queryByTestId('layout-unsaved')).toBeNull();

    // Nor those of the groups: no reorder, no rename, no delete dialog.
    await openProperties(user, 'groups');
    const group = await screen.findByTestId('group-row-electrical');
    expect(group).toHaveAttribute('draggable', 'false');
    act(() => group.focus());
    await user.keyboard('{Alt>}{ArrowDown}{/Alt}');
    await user.keyboard('{F2}');
    await user.keyboard('{Delete}');
    expect(screen.queryByTestId('group-name')).toBeNull();
    expect(screen.queryByTestId('group-delete-confirm')).toBeNull();
    // ↑ / ↓ still go from row to row.
    await user.keyboard('{ArrowDown}');
    expect(screen.getByTestId('group-row-site_info')).toHaveFocus();
    expect(callsOf(calls, 'reorder_property_groups')).toEqual([]);
  });

  it('an administrator may change all of it', async () => {
    const { user } = open(undefined);
    // Once the session is known (the badge shows it), the view is final.
    expect(await screen.findByTestId('session-info')).toHaveTextContent('Administrator');
    await everyTab(user, (ids) => {
      expect(screen.queryByTestId('property-admin-read-only')).toBeNull();
      for (const id of ids) {
        expect(screen.getByTestId(id)).toBeEnabled();
        expect(screen.getByTestId(id)).not.toHaveAttribute('title');
      }
    });
    expect(screen.getByTestId('layout-row-serial')).toHaveAttribute('draggable', 'true');
  });

  it('nothing can be changed while an administrator views as someone', async () => {
    const { user } = open(undefined, { viewing_as: () => ALICE });
    await openProperties(user, 'groups');
    expect(await screen.findByTestId('property-admin-read-only')).toHaveTextContent('Viewing as Alice Ng: nothing can be changed');
    expect(await screen.findByTestId('group-rename-electrical')).toBeDisabled();
    expect(screen.getByTestId('groups-new')).toHaveAttribute('title', 'Viewing as Alice Ng: nothing can be changed');
  });
});
