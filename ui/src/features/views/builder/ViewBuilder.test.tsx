import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { AppError, Tag, TagGroup, ViewDocument } from '../../../bindings';
import { callsOf, installBackend, makeNode, makeType, renderWithProviders, T0, type Handler } from '../../../test/fixtures';
import { makeDefinition, makeGroup } from '../../../test/propertyFixtures';
import { ViewBuilder } from './ViewBuilder';

const operations = makeGroup({ key: 'operations', name: 'Operations' });
const status = makeDefinition({
  key: 'status',
  name: 'Status',
  groupId: operations.id,
  valueType: 'single_select',
  isSearchable: true,
  rules: {
    options: [
      { key: 'running', label: 'Running', color: null },
      { key: 'stopped', label: 'Stopped', color: null },
    ],
  },
});
const power = makeDefinition({ key: 'rated_power', name: 'Rated power', groupId: operations.id, valueType: 'number', isSearchable: true });
const installed = makeDefinition({ key: 'installed', name: 'Installed', valueType: 'date', isSearchable: true });
const active = makeDefinition({ key: 'active', name: 'Active', valueType: 'boolean', isSearchable: true });
const token = makeDefinition({ key: 'api_token', name: 'API token', valueType: 'text', isSensitive: true, isSearchable: true });
const notes = makeDefinition({ key: 'notes', name: 'Notes', valueType: 'text', isSearchable: false });
const nameProperty = makeDefinition({ key: 'name', name: 'Name', valueType: 'text', isSystem: true, isSearchable: true });

const systems: TagGroup = { id: 'tg-system', key: 'system', name: 'System', description: null, selectionMode: 'multi', createdAt: T0, updatedAt: T0, deletedAt: null };
const hvac: Tag = { id: '7d1c0a52-0000-4000-8000-000000000001', groupId: systems.id, key: 'hvac', name: 'HVAC', color: '#1971c2', updatedAt: T0, deletedAt: null };
const plant = makeNode({ id: '7d1c0a52-0000-4000-8000-0000000000aa', name: 'Pump house', pathLabel: 'site.pump_house', typeKey: 'building', typeName: 'Building' });

const BASE: ViewDocument = {
  version: 2,
  filter: null,
  columns: [{ field: 'name' }, { field: 'pathLabel' }, { field: 'type' }, { field: 'updatedAt', width: 160 }],
  sort: [{ field: 'name', descending: false }],
  groupBy: null,
  pageSize: 50,
  viewType: 'table',
};

function renderBuilder(initial: ViewDocument = BASE, { handlers = {}, error }: { handlers?: Record<string, Handler>; error?: unknown } = {}) {
  const calls = installBackend({
    roots: [plant],
    handlers: {
      list_property_definitions: () => [nameProperty, status, power, installed, active, token, notes],
      list_property_groups: () => [operations],
      list_entity_types: () => [makeType({ key: 'pump', name: 'Pump' }), makeType({ key: 'valve', name: 'Valve' })],
      list_tags: () => [hvac],
      list_tag_groups: () => [systems],
      ...handlers,
    },
  });
  const changes: ViewDocument[] = [];
  function Harness() {
    const [document, setDocument] = useState(initial);
    return (
      <ViewBuilder
        document={document}
        error={error}
        onChange={(next) => {
          changes.push(next);
          setDocument(next);
        }}
      />
    );
  }
  const user = userEvent.setup();
  renderWithProviders(<Harness />);
  return { user, calls, changes, last: () => changes[changes.length - 1] };
}

type User = ReturnType<typeof userEvent.setup>;

/** Opens a select by its test id and clicks the option whose name starts with `name`. */
async function choose(user: User, testId: string, name: string) {
  await user.click(screen.getByTestId(testId));
  const start = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  await user.click(await screen.findByRole('option', { name: start }));
}

/** The names of the open dropdown's options. */
const optionNames = () => screen.getAllByRole('option').map((o) => o.textContent);

describe('view builder: filter', { timeout: 30_000 }, () => {
  it('builds type, number between, single-select in and tag any by clicks, exactly', async () => {
    const { user, last, changes } = renderBuilder();
    await screen.findByTestId('builder-filter');

    await user.click(screen.getByTestId('builder-add-condition'));
    // A new row takes the focus on its kind, so the keyboard can go on from there.
    await waitFor(() => expect(screen.getByTestId('condition-kind-0')).toHaveFocus());
    expect(screen.getByTestId('condition-0')).toHaveAttribute('data-state', 'incomplete');
    expect(changes).toEqual([]);
    await choose(user, 'condition-kind-0', 'Type');
    await choose(user, 'condition-value-0', 'Pump');
    expect(last().filter).toEqual({ all: [{ type: ['pump'] }] });

    await user.click(screen.getByTestId('builder-add-condition'));
    await choose(user, 'condition-key-1', 'Rated power');
    await choose(user, 'condition-op-1', 'between');
    await user.type(screen.getByTestId('condition-value-1-from'), '10');
    // Half a range is not a condition yet.
    expect(screen.getByTestId('condition-1')).toHaveAttribute('data-state', 'incomplete');
    expect(screen.getByTestId('condition-problem-1')).toHaveTextContent('Enter a number');
    expect(last().filter).toEqual({ all: [{ type: ['pump'] }] });
    await user.type(screen.getByTestId('condition-value-1-to'), '50.5');

    await user.click(screen.getByTestId('builder-add-condition'));
    await choose(user, 'condition-key-2', 'Status');
    expect(screen.getByTestId('condition-op-2')).toHaveValue('is one of');
    await choose(user, 'condition-value-2', 'Running');

    await user.click(screen.getByTestId('builder-add-condition'));
    await choose(user, 'condition-kind-3', 'Tag');
    await choose(user, 'condition-value-3', 'HVAC');

    expect(last()).toEqual({
      ...BASE,
      filter: {
        all: [
          { type: ['pump'] },
          { property: { key: 'rated_power', op: 'between', value: [10, 50.5] } },
          { property: { key: 'status', op: 'in', value: ['running'] } },
          { tag: { match: 'any', tags: [hvac.id] } },
        ],
      },
    });
    for (const i of [0, 1, 2, 3]) expect(screen.getByTestId(`condition-${i}`)).toHaveAttribute('data-state', 'complete');
    expect(screen.getByTestId('condition-3')).toHaveAttribute('data-path', 'filter.all[3]');
  });

  it('offers the operators of the property’s type, and a value control to fit', async () => {
    const { user } = renderBuilder();
    await user.click(await screen.findByTestId('builder-add-condition'));
    expect(screen.getByTestId('condition-op-0')).toBeDisabled();

    await user.click(screen.getByTestId('condition-key-0'));
    // Sensitive and unsearchable properties show, disabled, with why; the name is not offered.
    const tokenOption = await screen.findByRole('option', { name: /^API token/ });
    expect(tokenOption).toHaveAttribute('data-combobox-disabled', 'true');
    expect(tokenOption).toHaveTextContent(/sensitive/);
    expect(screen.getByRole('option', { name: /^Notes/ })).toHaveTextContent('not searchable');
    expect(screen.queryByRole('option', { name: /^Name/ })).toBeNull();
    await user.click(tokenOption);
    expect(screen.getByTestId('condition-key-0')).toHaveValue('');
    await user.click(screen.getByRole('option', { name: /^Status/ }));

    await user.click(screen.getByTestId('condition-op-0'));
    expect(optionNames()).toEqual(['is one of', 'is none of', 'is empty', 'is not empty']);
    await user.keyboard('{Escape}');

    await choose(user, 'condition-key-0', 'Rated power');
    await user.click(screen.getByTestId('condition-op-0'));
    expect(optionNames()).toEqual(['=', '≠', '<', '≤', '>', '≥', 'between', 'is empty', 'is not empty']);
    await user.click(screen.getByRole('option', { name: '≥' }));
    expect(screen.getByTestId('condition-value-0')).toHaveAttribute('inputmode', 'decimal');

    await choose(user, 'condition-key-0', 'Installed');
    await user.click(screen.getByTestId('condition-op-0'));
    expect(optionNames()).toContain('this quarter');
    expect(optionNames()).not.toContain('is one of');
    await user.click(screen.getByRole('option', { name: 'this quarter' }));
    // No value to give: complete as it is.
    expect(screen.queryByTestId('condition-value-0')).toBeNull();
    expect(screen.getByTestId('condition-0')).toHaveAttribute('data-state', 'complete');

    await choose(user, 'condition-key-0', 'Active');
    await user.click(screen.getByTestId('condition-op-0'));
    expect(optionNames()).toEqual(['is', 'is empty', 'is not empty']);
    await user.keyboard('{Escape}');
    expect(screen.getByTestId('condition-value-0')).toHaveAttribute('type', 'checkbox');
  });

  it('nests groups and negates them, and builds related conditions with a sub-filter', async () => {
    const { user, last } = renderBuilder();
    await user.click(await screen.findByTestId('builder-add-condition'));
    await choose(user, 'condition-kind-0', 'Name contains');
    await user.type(screen.getByTestId('condition-value-0'), 'AHU');

    // A group starts with a condition of its own, on the other kind.
    await user.click(screen.getByTestId('builder-add-group'));
    expect(screen.getByTestId('group-1')).toHaveAttribute('data-kind', 'any');
    await choose(user, 'condition-kind-1.0', 'Updated');
    expect(screen.getByTestId('condition-value-1.0')).toHaveValue('7');
    await user.click(screen.getByTestId('group-add-condition-1'));
    await choose(user, 'condition-kind-1.1', 'Created');
    await choose(user, 'condition-op-1.1', 'before');
    await user.type(screen.getByTestId('condition-value-1.1'), '2026-01-01');
    await user.click(screen.getByTestId('group-not-1'));

    await user.click(screen.getByTestId('builder-add-condition'));
    await choose(user, 'condition-kind-2', 'Related');
    await user.type(screen.getByTestId('condition-reltype-2'), 'feeds');
    await user.click(screen.getByTestId('condition-direction-2-incoming'));
    await user.click(screen.getByTestId('group-add-condition-2'));
    await choose(user, 'condition-kind-2.0', 'Type');
    await choose(user, 'condition-value-2.0', 'Valve');
    await user.click(screen.getByTestId('condition-not-2.0'));

    expect(last().filter).toEqual({
      all: [
        { text: 'AHU' },
        { not: { any: [{ updated: { op: 'inLastDays', value: 7 } }, { created: { op: 'before', value: '2026-01-01' } }] } },
        { related: { type: 'feeds', direction: 'incoming', filter: { all: [{ not: { type: ['valve'] } }] } } },
      ],
    });

    // Root to Any, then move the related condition up and remove the name one.
    await user.click(screen.getByTestId('group-kind-root-any'));
    await user.click(screen.getByTestId('condition-up-2'));
    await user.click(screen.getByTestId('condition-remove-0'));
    expect(last().filter).toEqual({
      any: [
        { related: { type: 'feeds', direction: 'incoming', filter: { all: [{ not: { type: ['valve'] } }] } } },
        { not: { any: [{ updated: { op: 'inLastDays', value: 7 } }, { created: { op: 'before', value: '2026-01-01' } }] } },
      ],
    });
  });

  it('picks the entity of an Under condition by search', async () => {
    const { user, last } = renderBuilder(BASE, {
      handlers: { search_entities: (args) => ({ hits: String(args?.query).startsWith('pu') ? [plant] : [], total: 1, totalCapped: false }) },
    });
    await user.click(await screen.findByTestId('builder-add-condition'));
    await choose(user, 'condition-kind-0', 'Under');
    await user.type(screen.getByTestId('condition-value-0'), 'pump');
    await user.click(await screen.findByTestId(`condition-value-0-option-${plant.id}`));
    expect(last().filter).toEqual({ all: [{ under: plant.id }] });
    expect(screen.getByTestId('condition-value-0-chosen')).toHaveTextContent('Pump house');
    await user.click(screen.getByTestId('condition-value-0-clear'));
    expect(last().filter).toBeNull();
  });

  it('keeps an unfinished condition here, and a loaded document unchanged until an edit', async () => {
    const loaded: ViewDocument = { ...BASE, filter: { property: { key: 'status', op: 'in', value: ['stopped'] } } };
    const { user, changes, last } = renderBuilder(loaded);
    await waitFor(() => expect(screen.getByTestId('condition-key-0')).toHaveValue('Status'));
    expect(screen.getByTestId('condition-value-0')).toBeInTheDocument();
    await user.click(screen.getByTestId('builder-add-condition'));
    expect(changes).toEqual([]);
    await choose(user, 'condition-kind-1', 'Name contains');
    await user.type(screen.getByTestId('condition-value-1'), 'x');
    expect(last().filter).toEqual({ all: [{ property: { key: 'status', op: 'in', value: ['stopped'] } }, { text: 'x' }] });
    await user.clear(screen.getByTestId('condition-value-1'));
    // Back to what was loaded, written as it was.
    expect(last().filter).toEqual({ property: { key: 'status', op: 'in', value: ['stopped'] } });
    expect(screen.getByTestId('condition-1')).toHaveAttribute('data-state', 'incomplete');
  });

  it('marks the row a server error blames', async () => {
    const error = { type: 'Validation', data: { field: 'filter.all[1].property.value[0]', message: '"broken" is not an option of this property', rule: 'choice' } } satisfies AppError;
    const { CommandError } = await import('../../../ipc/errors');
    renderBuilder(
      {
        ...BASE,
        filter: { all: [{ type: ['pump'] }, { property: { key: 'rated_power', op: 'gt', value: 5 } }] },
      },
      { error: new CommandError(error) },
    );
    const row = await screen.findByTestId('condition-1');
    expect(row).toHaveAttribute('data-error', 'true');
    expect(screen.getByTestId('condition-0')).not.toHaveAttribute('data-error');
    expect(screen.getByTestId('condition-error-1')).toHaveTextContent('"broken" is not an option of this property');
    expect(screen.getByTestId('builder-error-path')).toHaveTextContent('filter.all[1].property.value[0]');
  });
});

describe('view builder: errors', { timeout: 30_000 }, () => {
  it('leaves failures other than a refusal of the document to the screen', async () => {
    const { CommandError } = await import('../../../ipc/errors');
    renderBuilder({ ...BASE, filter: { text: 'a' } }, { error: new CommandError({ type: 'Database', data: { message: 'connection lost' } } as AppError) });
    expect(await screen.findByTestId('condition-0')).not.toHaveAttribute('data-error');
    expect(screen.queryByTestId('builder-error')).toBeNull();
  });
});

describe('view builder: columns, sort, layout', { timeout: 30_000 }, () => {
  it('edits the columns: remove, move, add a masked property', async () => {
    const { user, last } = renderBuilder();
    await user.click(await screen.findByTestId('builder-tab-columns'));
    await user.click(screen.getByTestId('column-remove-2'));
    await user.click(screen.getByTestId('column-up-2'));
    expect(last().columns).toEqual([{ field: 'name' }, { field: 'updatedAt', width: 160 }, { field: 'pathLabel' }]);

    await user.click(screen.getByTestId('columns-add'));
    // Fields already shown are not offered again; unsearchable ones say why.
    expect(screen.queryByRole('option', { name: /^Path/ })).toBeNull();
    expect(screen.getByRole('option', { name: /^Notes/ })).toHaveAttribute('data-combobox-disabled', 'true');
    await user.click(screen.getByRole('option', { name: /^API token/ }));
    expect(last().columns).toEqual([{ field: 'name' }, { field: 'updatedAt', width: 160 }, { field: 'pathLabel' }, { field: 'property:api_token' }]);
    expect(screen.getByTestId('column-masked-3')).toHaveTextContent('Masked');
    expect(screen.queryByTestId('column-masked-0')).toBeNull();
    expect(screen.getByTestId('columns-add')).toHaveValue('');
  });

  it('edits the sort keys: add, direction, reorder, remove', async () => {
    const { user, last } = renderBuilder();
    await user.click(await screen.findByTestId('builder-tab-sort'));
    await user.click(screen.getByTestId('sort-add'));
    // A sensitive property cannot order a view; the type is no sort key.
    expect(screen.getByRole('option', { name: /^API token/ })).toHaveAttribute('data-combobox-disabled', 'true');
    expect(screen.queryByRole('option', { name: /^Type/ })).toBeNull();
    await user.click(screen.getByRole('option', { name: /^Rated power/ }));
    await user.click(screen.getByTestId('sort-direction-1-desc'));
    await user.click(screen.getByTestId('sort-up-1'));
    expect(last().sort).toEqual([
      { field: 'property:rated_power', descending: true },
      { field: 'name', descending: false },
    ]);
    await choose(user, 'sort-field-1', 'Updated');
    await user.click(screen.getByTestId('sort-remove-0'));
    expect(last().sort).toEqual([{ field: 'updatedAt', descending: false }]);
  });

  it('sets group by, page size and view type', async () => {
    const { user, last } = renderBuilder();
    await user.click(await screen.findByTestId('builder-tab-layout'));
    await user.click(screen.getByTestId('layout-view-type-board'));
    expect(screen.getByTestId('layout-board-hint')).toBeInTheDocument();
    await user.click(screen.getByTestId('layout-group-by'));
    // Only searchable single-select properties group a view.
    expect(optionNames()).toEqual(['Status']);
    await user.click(screen.getByRole('option', { name: 'Status' }));
    const size = screen.getByTestId('layout-page-size');
    await user.clear(size);
    await user.type(size, '2000');
    expect(screen.getByText('A page holds 1 to 1000 rows')).toBeInTheDocument();
    await user.clear(size);
    await user.type(size, '200');
    expect(last()).toEqual({ ...BASE, groupBy: 'status', pageSize: 200, viewType: 'board' });
    expect(screen.queryByTestId('layout-board-hint')).toBeNull();
  });
});

describe('view builder: JSON', { timeout: 30_000 }, () => {
  const refusal = { type: 'Validation', data: { field: 'filter.all[0].property.op', message: 'a number property has no operator "contains"', rule: 'choice' } } satisfies AppError;

  /** Answers like the server: refuses "contains" on rated_power, upgrades version 1 columns. */
  const checkView: Handler = (args) => {
    const text = String(args?.text);
    if (text.includes('"contains"')) throw refusal;
    const value = JSON.parse(text) as ViewDocument & { columns?: (string | { field: string })[] };
    return {
      ...BASE,
      ...value,
      version: 2,
      columns: (value.columns ?? []).map((c) => (typeof c === 'string' ? { field: c } : c)),
    };
  };

  const paste = (text: string) => fireEvent.change(screen.getByTestId('builder-json'), { target: { value: text } });

  it('shows the document, the server’s error with its path, and applies a valid one', async () => {
    const { user, calls, changes, last } = renderBuilder(BASE, { handlers: { check_view: checkView } });
    await user.click(await screen.findByTestId('builder-tab-json'));
    expect(JSON.parse((screen.getByTestId('builder-json') as HTMLTextAreaElement).value)).toEqual(BASE);

    paste('{"version": 2, "filter": {"all": [{"property": {"key": "rated_power", "op": "contains", "value": "x"}}]}}');
    const path = await screen.findByTestId('builder-json-error-path');
    expect(path).toHaveTextContent('filter.all[0].property.op');
    expect(screen.getByTestId('builder-json-error')).toHaveTextContent('a number property has no operator "contains"');
    expect(changes).toEqual([]);

    // Typing on: only the text after the pause is checked.
    const before = callsOf(calls, 'check_view').length;
    paste('{"version": 1');
    await new Promise((resolve) => setTimeout(resolve, 150));
    paste('{"version": 1, "columns": ["name", "property:status"], "filter": {"type": ["valve"]}, "sort": []}');
    await waitFor(() => expect(changes).toHaveLength(1));
    expect(callsOf(calls, 'check_view').slice(before)).toEqual([{ text: '{"version": 1, "columns": ["name", "property:status"], "filter": {"type": ["valve"]}, "sort": []}' }]);
    expect(last()).toEqual({ ...BASE, columns: [{ field: 'name' }, { field: 'property:status' }], filter: { type: ['valve'] }, sort: [] });
    expect(screen.queryByTestId('builder-json-error')).toBeNull();
    expect(screen.getByTestId('builder-json-status')).toHaveAttribute('data-state', 'valid');

    // The builder's tabs show the applied document.
    await user.click(screen.getByTestId('builder-tab-filter'));
    expect(screen.getByTestId('condition-kind-0')).toHaveValue('Type');
    expect(within(screen.getByTestId('condition-0')).getByText('Valve', { selector: '.mantine-Pill-label' })).toBeInTheDocument();
    await user.click(screen.getByTestId('builder-tab-columns'));
    expect(screen.getByTestId('column-row-1')).toHaveAttribute('data-field', 'property:status');
  });

  it('shows edits made in the other tabs', async () => {
    const { user } = renderBuilder(BASE, { handlers: { check_view: checkView } });
    await user.click(await screen.findByTestId('builder-tab-sort'));
    await user.click(screen.getByTestId('sort-direction-0-desc'));
    await user.click(screen.getByTestId('builder-tab-json'));
    expect(JSON.parse((screen.getByTestId('builder-json') as HTMLTextAreaElement).value).sort).toEqual([{ field: 'name', descending: true }]);
  });

  it('suggests the relationship types in use', async () => {
    renderBuilder(BASE, { handlers: { relationship_types: () => ['backed_up_by', 'feeds'] } });
    const user = userEvent.setup();
    await user.click(screen.getByTestId('builder-add-condition'));
    await choose(user, 'condition-kind-0', 'Related');
    await user.click(screen.getByTestId('condition-reltype-0'));
    await waitFor(() => expect(optionNames()).toEqual(['backed_up_by', 'feeds']));
    await user.click(screen.getByRole('option', { name: 'feeds' }));
    expect(screen.getByTestId('condition-reltype-0')).toHaveValue('feeds');
  });
});
