import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, HistoryEntry, Person, PropertyPane, SetValues } from '../../bindings';
import { renderApp, settle } from '../../test/app';
import { ALICE, callsOf, makeNode, sendRegistryChanged, sessionOn, type FakeBackend, type IpcArgs } from '../../test/fixtures';
import { makeDefinition, makeField, makeGroup, makePane } from '../../test/propertyFixtures';

const room = makeNode({ id: 'room-1', name: 'Boiler Room', pathLabel: 'boiler_room', typeKey: 'room', typeName: 'Room' });

const identity = makeGroup({ key: 'identity', name: 'Identity', description: 'Who and what it is' });
const network = makeGroup({ key: 'network', name: 'Network', displayOrder: 1 });

const serial = makeField(makeDefinition({ key: 'serial', name: 'Serial number', valueType: 'text', isRequired: true, description: 'As printed on the plate' }), {
  type: 'text',
  value: 'SN-1',
});
const power = makeField(makeDefinition({ key: 'power_kw', name: 'Power (kW)', valueType: 'number', rules: { min: '0' } }), { type: 'number', value: '12.500' });
const since = makeField(makeDefinition({ key: 'since', name: 'In service since', valueType: 'date' }));
const status = makeField(
  makeDefinition({
    key: 'status',
    valueType: 'single_select',
    rules: {
      options: [
        { key: 'active', label: 'Active', color: '#2f9e44' },
        { key: 'retired', label: 'Retired', color: null },
      ],
    },
  }),
  { type: 'single_select', value: 'active' },
);
const address = makeField(makeDefinition({ key: 'mgmt_ip', name: 'Management IP', valueType: 'ip_address' }), { type: 'ip_address', value: '10.0.0.1' }, { problem: 'mgmt_ip must be an IPv6 address' });
const pin = makeField(makeDefinition({ key: 'pin', name: 'PIN', valueType: 'text', isSensitive: true }), { type: 'text', value: '4711' });
const legacy = makeField(makeDefinition({ key: 'legacy', valueType: 'boolean' }), null, { raw: '"yes"', problem: 'not a boolean value', valueUpdatedAt: 'v-legacy', inLayout: false });

const pane: PropertyPane = makePane(
  'room-1',
  [
    [identity, [serial, power, since, status]],
    [network, [address, pin]],
    [null, [legacy]],
  ],
  'entity-v1',
);

/** Whole-app tests that type: slower than the default five seconds on a busy machine. */
const SLOW = { timeout: 20_000 };

const input = (args: IpcArgs) => (args as { input: SetValues }).input;

function renderPane(handlers: FakeBackend['handlers'] = {}) {
  return renderApp({ roots: [room], handlers: { property_pane: () => pane, ...handlers } });
}

async function openProperties(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByTestId('tree-row-boiler_room'));
  await user.click(await screen.findByTestId('details-properties-tab'));
  return screen.findByTestId('props-form');
}

const field = (key: string) => screen.getByTestId(`prop-field-${key}`);
const control = (key: string) => within(field(key)).getByTestId(`prop-input-${key}`);

describe('the property pane', SLOW, () => {
  it('shows the sections in order with their fields, required markers, help, and warnings for stored values that are invalid', async () => {
    const { user, calls } = renderPane();
    const form = await openProperties(user);
    expect(callsOf(calls, 'property_pane')).toEqual([{ entityId: 'room-1' }]);

    const sections = within(form).getAllByRole('region');
    expect(sections.map((s) => s.getAttribute('aria-label'))).toEqual(['Identity', 'Network', 'Other']);
    expect(sections[0]).toHaveTextContent('Who and what it is');
    expect(within(sections[0]).getAllByTestId(/^prop-field-/).map((f) => f.dataset.testid)).toEqual([
      'prop-field-serial',
      'prop-field-power_kw',
      'prop-field-since',
      'prop-field-status',
    ]);

    // Required: the marker on the label.
    expect(within(field('serial')).getByText('Serial number').closest('label')).toHaveTextContent('*');
    expect(within(field('power_kw')).getByText('Power (kW)').closest('label')).not.toHaveTextContent('*');
    expect(field('serial')).toHaveTextContent('As printed on the plate');
    expect(field('power_kw')).toHaveTextContent('0 or more');

    // Values in their editors; the label names the control.
    expect(screen.getByLabelText(/Serial number/)).toHaveValue('SN-1');
    expect(control('power_kw')).toHaveValue('12.500');
    expect(within(field('status')).getByTestId('prop-option-status-active')).toBeChecked();
    expect(within(field('status')).getByTestId('prop-option-status-retired')).not.toBeChecked();

    // Invalid stored values.
    expect(within(field('mgmt_ip')).getByTestId('prop-problem-mgmt_ip')).toHaveTextContent('breaks the current rules: mgmt_ip must be an IPv6 address');
    expect(within(field('legacy')).getByTestId('prop-problem-legacy')).toHaveTextContent('The stored value "yes" is not a boolean value');
    expect(screen.getByTestId('props-save')).toBeDisabled();
  });

  it('masks a sensitive value until the eye is clicked', async () => {
    const { user } = renderPane();
    await openProperties(user);
    expect(screen.getByTestId('prop-masked-pin')).toHaveValue('••••••');
    expect(screen.queryByDisplayValue('4711')).toBeNull();
    await user.click(screen.getByTestId('prop-reveal-pin'));
    expect(control('pin')).toHaveValue('4711');
    await user.click(screen.getByTestId('prop-reveal-pin'));
    expect(screen.getByTestId('prop-masked-pin')).toHaveValue('••••••');
  });

  it('marks edits as unsaved and Ctrl+S sends exactly the changed fields, each against the version it was loaded with', async () => {
    let saved: SetValues | null = null;
    const { user, calls } = renderPane({
      set_property_values: (args) => {
        saved = input(args);
        return makePane('room-1', [[identity, [{ ...serial, value: { type: 'text', value: 'SN-2' }, valueUpdatedAt: 'v-serial-2' }, power, since, status]]], 'entity-v2');
      },
    });
    await openProperties(user);

    await user.clear(control('serial'));
    await user.type(control('serial'), 'SN-2');
    fireEvent.change(control('since'), { target: { value: '2026-03-01' } });
    await user.click(within(field('status')).getByTestId('prop-option-status-retired'));
    // Typed back to the stored value: not a change.
    await user.type(control('power_kw'), '0');
    await user.type(control('power_kw'), '{Backspace}');

    expect(field('serial')).toHaveAttribute('data-dirty', 'true');
    expect(screen.getByTestId('prop-unsaved-since')).toBeInTheDocument();
    expect(field('power_kw')).not.toHaveAttribute('data-dirty');
    expect(screen.getByTestId('props-status')).toHaveTextContent('3 unsaved changes');
    expect(screen.getByTestId('details-properties-unsaved')).toHaveTextContent('3');

    await user.keyboard('{Control>}s{/Control}');
    await waitFor(() => expect(callsOf(calls, 'set_property_values')).toHaveLength(1));
    expect(saved).toEqual({
      entityId: 'room-1',
      edits: [
        { definitionId: 'def-serial', expectedUpdatedAt: 'v-serial', value: { type: 'text', value: 'SN-2' } },
        { definitionId: 'def-since', expectedUpdatedAt: null, value: { type: 'date', value: '2026-03-01' } },
        { definitionId: 'def-status', expectedUpdatedAt: 'v-status', value: { type: 'single_select', value: 'retired' } },
      ],
    });
  });

  it('Enter in a one-line input saves; Escape takes back that field only', async () => {
    const { user, calls } = renderPane({ set_property_values: () => pane });
    await openProperties(user);
    await user.type(control('serial'), '-X');
    await user.clear(control('power_kw'));
    await user.type(control('power_kw'), '7');
    await user.keyboard('{Escape}');
    expect(control('power_kw')).toHaveValue('12.500');
    expect(field('serial')).toHaveAttribute('data-dirty', 'true');

    await user.click(control('serial'));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(callsOf(calls, 'set_property_values')).toHaveLength(1));
    expect(input(callsOf(calls, 'set_property_values')[0]).edits).toEqual([
      { definitionId: 'def-serial', expectedUpdatedAt: 'v-serial', value: { type: 'text', value: 'SN-1-X' } },
    ]);
  });

  it('checks input while typing and saves nothing while a changed field is not a value', async () => {
    const { user, calls } = renderPane();
    await openProperties(user);
    await user.clear(control('power_kw'));
    await user.type(control('power_kw'), '-3');
    expect(within(field('power_kw')).getByTestId('prop-error-power_kw')).toHaveTextContent('Must be at least 0');
    await user.click(screen.getByTestId('props-save'));
    expect(control('power_kw')).toHaveFocus();
    expect(callsOf(calls, 'set_property_values')).toEqual([]);
  });

  it('shows a value the core refuses under its field', async () => {
    const refused: AppError = { type: 'Validation', data: { message: 'serial must match SN-[0-9]+', field: 'serial', rule: 'pattern' } };
    const { user } = renderPane({
      set_property_values: () => {
        throw refused;
      },
    });
    await openProperties(user);
    await user.clear(control('serial'));
    await user.type(control('serial'), 'nope');
    await user.click(screen.getByTestId('props-save'));
    expect(await within(field('serial')).findByTestId('prop-error-serial')).toHaveTextContent('serial must match SN-[0-9]+');
    expect(control('serial')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('error-notice')).toBeNull();
    // The edit stays, still unsaved.
    expect(field('serial')).toHaveAttribute('data-dirty', 'true');
  });

  it('shows other refusals as a notice', async () => {
    const { user } = renderPane({
      set_property_values: () => {
        throw { type: 'Forbidden', data: { message: 'read-only database' } } satisfies AppError;
      },
    });
    await openProperties(user);
    await user.type(control('serial'), '2');
    await user.click(screen.getByTestId('props-save'));
    expect(await screen.findByTestId('error-notice')).toHaveTextContent('read-only database');
  });

  it('on a conflict shows their value and yours; "Use mine" sends it again against their version', async () => {
    const conflict: AppError = {
      type: 'Conflict',
      data: {
        message: 'Power (kW) was changed by someone else since you loaded it',
        current: { kind: 'propertyValue', row: { entityId: 'room-1', definitionId: 'def-power_kw', key: 'power_kw', value: { type: 'number', value: '15' }, updatedAt: 'v-theirs' } },
      },
    };
    let attempts = 0;
    const { user, calls } = renderPane({
      set_property_values: () => {
        attempts += 1;
        if (attempts === 1) throw conflict;
        return pane;
      },
    });
    await openProperties(user);
    await user.clear(control('power_kw'));
    await user.type(control('power_kw'), '20');
    await user.click(screen.getByTestId('props-save'));

    const box = await screen.findByTestId('prop-conflict-power_kw');
    expect(box).toHaveTextContent('Changed by someone else: their value 15, yours 20');
    await user.click(within(box).getByTestId('prop-use-mine-power_kw'));
    await waitFor(() => expect(callsOf(calls, 'set_property_values')).toHaveLength(2));
    const [first, second] = callsOf(calls, 'set_property_values').map(input);
    expect(first.edits).toEqual([{ definitionId: 'def-power_kw', expectedUpdatedAt: 'v-power_kw', value: { type: 'number', value: '20' } }]);
    expect(second.edits).toEqual([{ definitionId: 'def-power_kw', expectedUpdatedAt: 'v-theirs', value: { type: 'number', value: '20' } }]);
    await waitFor(() => expect(screen.queryByTestId('prop-conflict-power_kw')).toBeNull());
  });

  it('"Keep theirs" drops the edit and reloads the pane', async () => {
    const theirs = makePane('room-1', [[identity, [serial, { ...power, value: { type: 'number', value: '15' }, valueUpdatedAt: 'v-theirs' }, since, status]]], 'entity-v2');
    let current = pane;
    const { user, calls } = renderPane({
      property_pane: () => current,
      set_property_values: () => {
        current = theirs;
        throw {
          type: 'Conflict',
          data: {
            message: 'changed',
            current: { kind: 'propertyValue', row: { entityId: 'room-1', definitionId: 'def-power_kw', key: 'power_kw', value: { type: 'number', value: '15' }, updatedAt: 'v-theirs' } },
          },
        } satisfies AppError;
      },
    });
    await openProperties(user);
    await user.clear(control('power_kw'));
    await user.type(control('power_kw'), '20');
    await user.click(screen.getByTestId('props-save'));
    await user.click(await screen.findByTestId('prop-keep-theirs-power_kw'));
    await waitFor(() => expect(control('power_kw')).toHaveValue('15'));
    expect(field('power_kw')).not.toHaveAttribute('data-dirty');
    expect(callsOf(calls, 'property_pane').length).toBeGreaterThanOrEqual(2);
  });

  it('Cancel drops every edit', async () => {
    const { user } = renderPane();
    await openProperties(user);
    await user.type(control('serial'), 'X');
    await user.click(within(field('status')).getByTestId('prop-option-status-retired'));
    await user.click(screen.getByTestId('props-cancel'));
    expect(control('serial')).toHaveValue('SN-1');
    expect(screen.getByTestId('props-status')).toHaveTextContent('No unsaved changes');
  });
});

describe('restoring properties from the history', SLOW, () => {
  const entries: HistoryEntry[] = [
    {
      id: 'ev-2',
      occurredAt: '2025-03-02T10:00:00Z',
      action: 'entity.properties',
      actor: 'ben',
      source: 'window',
      requestId: null,
      before: { power_kw: 12.5, pin: '<redacted>' },
      after: { power_kw: 15, pin: '<redacted>' },
    },
    { id: 'ev-1', occurredAt: '2025-03-01T10:00:00Z', action: 'entity.create', actor: 'ana', source: 'window', requestId: null, before: null, after: { name: 'Boiler Room' } },
  ];

  it('shows the values changed and restores the state after that event, with the entity version, after a confirmation', async () => {
    const { user, calls } = renderApp({
      roots: [{ ...room, updatedAt: 'entity-v7' }],
      handlers: {
        entity_history: () => entries,
        list_property_definitions: () => [power.definition, pin.definition],
        property_pane: () => pane,
        restore_properties: () => ({ pane, skipped: ['pin: sensitive values are not kept in the history'] }),
      },
    });
    await user.click(await screen.findByTestId('tree-row-boiler_room'));
    await user.click(await screen.findByTestId('details-history-tab'));
    const rows = await screen.findAllByTestId('history-row');
    expect(rows[0]).toHaveTextContent('Values');
    await waitFor(() => expect(within(rows[0]).getByTestId('history-property-power_kw')).toHaveTextContent('Power (kW)12.515'));
    expect(within(rows[0]).getByTestId('history-property-pin')).toHaveTextContent('<redacted>');
    expect(within(rows[1]).queryByText('Restore these values')).toBeNull();

    await user.click(within(rows[0]).getByTestId('history-restore-ev-2'));
    expect(callsOf(calls, 'restore_properties')).toEqual([]);
    await user.click(await screen.findByTestId('restore-properties-confirm'));
    await waitFor(() => expect(callsOf(calls, 'restore_properties')).toHaveLength(1));
    expect(callsOf(calls, 'restore_properties')[0]).toEqual({ input: { entityId: 'room-1', expectedUpdatedAt: 'entity-v7', asOfEventId: 'ev-2' } });
    expect(await screen.findByTestId('restore-skipped')).toHaveTextContent('pin: sensitive values are not kept in the history');
  });
});


describe('leaving an entity with unsaved edits', SLOW, () => {
  it('says the edits were discarded', async () => {
    const other = makeNode({ id: 'room-2', name: 'Archive', pathLabel: 'archive', typeKey: 'room', typeName: 'Room' });
    const { user } = renderApp({ roots: [room, other], handlers: { property_pane: (args) => ({ ...pane, entityId: String((args as { entityId: string }).entityId) }) } });
    await openProperties(user);
    await user.type(control('serial'), 'X');
    await user.click(screen.getByTestId('tree-row-archive'));
    expect(await screen.findByText('Unsaved property edits discarded')).toBeInTheDocument();
    await waitFor(() => expect(control('serial')).toHaveValue('SN-1'));
  });
});

describe('an entity in the trash', SLOW, () => {
  it('shows its properties without editing', async () => {
    const { user } = renderApp({
      roots: [room],
      handlers: {
        property_pane: () => pane,
        get_entity: () => ({ node: room, createdAt: '2025-01-01T00:00:00Z', deletedAt: '2025-03-01T00:00:00Z', breadcrumb: [] }),
      },
    });
    await openProperties(user);
    expect(await screen.findByTestId('props-read-only')).toHaveTextContent('restore it to edit');
    expect(control('serial')).toBeDisabled();
    expect(screen.queryByTestId('props-save')).toBeNull();
  });
});

describe('what the person may change', SLOW, () => {
  const READ_ONLY = "Read-only: you need the 'write' capability on Boiler Room";
  const valuesChanged: HistoryEntry = {
    id: 'ev-3',
    occurredAt: '2025-03-02T10:00:00Z',
    action: 'entity.properties',
    actor: 'ben',
    source: 'window',
    requestId: null,
    before: { power_kw: 12.5 },
    after: { power_kw: 15 },
  };

  it('a person who may only read sees the values in disabled editors; Save and restoring say why', async () => {
    const { user, calls } = renderApp({
      roots: [room],
      session: sessionOn('room-1', ['read']),
      handlers: { property_pane: () => pane, entity_history: () => [valuesChanged], list_property_definitions: () => [power.definition] },
    });
    await openProperties(user);
    expect(await screen.findByTestId('details-read-only')).toHaveTextContent(READ_ONLY);
    expect(control('serial')).toBeDisabled();
    expect(control('serial')).toHaveValue('SN-1');
    expect(control('power_kw')).toBeDisabled();
    expect(within(field('status')).getByTestId('prop-option-status-retired')).toBeDisabled();
    // A stored value that is not one is pointed out, without the way to clear it.
    expect(screen.getByTestId('prop-problem-legacy')).toBeInTheDocument();
    expect(screen.queryByTestId('prop-clear-raw-legacy')).toBeNull();
    // Not hidden: the Save bar stays, disabled, and says why.
    expect(screen.getByTestId('props-save')).toBeDisabled();
    expect(screen.getByTestId('props-save')).toHaveAttribute('title', READ_ONLY);
    // Reading is whole: a sensitive value is still revealed.
    await user.click(screen.getByTestId('prop-reveal-pin'));
    expect(control('pin')).toHaveValue('4711');
    expect(control('pin')).toBeDisabled();

    await user.click(screen.getByTestId('details-history-tab'));
    const restore = await screen.findByTestId('history-restore-ev-3');
    expect(restore).toBeDisabled();
    expect(restore).toHaveAttribute('title', READ_ONLY);
    expect(screen.queryByTestId('restore-properties-dialog')).toBeNull();
    expect(callsOf(calls, 'set_property_values')).toEqual([]);
  });

  it('a person who may write edits and saves as usual', async () => {
    const { user, calls } = renderApp({ roots: [room], session: sessionOn('room-1', ['read', 'write']), handlers: { property_pane: () => pane, set_property_values: () => pane } });
    await openProperties(user);
    // Once the session is known (the badge shows it), the pane is final.
    expect(await screen.findByTestId('session-info')).toHaveTextContent('Alice Ng');
    expect(screen.queryByTestId('details-read-only')).toBeNull();
    expect(control('serial')).toBeEnabled();
    await user.type(control('serial'), 'X');
    expect(screen.getByTestId('props-save')).toBeEnabled();
    expect(screen.getByTestId('props-save')).not.toHaveAttribute('title');
    await user.click(screen.getByTestId('props-save'));
    await waitFor(() => expect(callsOf(calls, 'set_property_values')).toHaveLength(1));
  });

  it('viewing as someone keeps edits made before on screen, but neither Ctrl+S nor Save sends them; Cancel drops them', async () => {
    let viewing: Person | null = null;
    const { user, calls } = renderApp({
      roots: [room],
      session: sessionOn('room-1', ['read', 'write']),
      handlers: { property_pane: () => pane, viewing_as: () => viewing },
    });
    await openProperties(user);
    expect(await screen.findByTestId('session-info')).toHaveTextContent('Alice Ng');
    await user.type(control('serial'), 'X');
    expect(field('serial')).toHaveAttribute('data-dirty', 'true');

    // Another window starts viewing as Alice: everything is read again.
    viewing = ALICE;
    await sendRegistryChanged({ kind: 'reloaded' });
    expect(await screen.findByTestId('details-read-only')).toHaveTextContent('Viewing as Alice Ng: nothing can be changed');
    expect(control('serial')).toBeDisabled();
    expect(control('serial')).toHaveValue('SN-1X');
    expect(screen.getByTestId('props-save')).toBeDisabled();
    expect(screen.getByTestId('props-save')).toHaveAttribute('title', 'Viewing as Alice Ng: nothing can be changed');

    await user.keyboard('{Control>}s{/Control}');
    await settle();
    expect(callsOf(calls, 'set_property_values')).toEqual([]);
    await user.click(screen.getByTestId('props-cancel'));
    expect(control('serial')).toHaveValue('SN-1');
  });
});
