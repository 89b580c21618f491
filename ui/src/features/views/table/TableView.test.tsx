import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppError, Cursor, PropertyPane, SetValues, ViewDocument, ViewPage, ViewRow } from '../../../bindings';
import { LiveUpdatesProvider } from '../../../live/LiveUpdates';
import { callsOf, installBackend, makeType, renderWithProviders, T0, type Handler, type IpcArgs } from '../../../test/fixtures';
import { makeDefinition, makeField, makePane } from '../../../test/propertyFixtures';
import { EMPTY_ROW_SELECTION, type RowSelection } from './rowSelection';
import { TableView } from './TableView';

// jsdom does no layout: give the grid a viewport so the virtualizer draws rows.
const GRID_HEIGHT = 400;
const restore: (() => void)[] = [];
beforeAll(() => {
  for (const prop of ['offsetHeight', 'clientHeight', 'offsetWidth', 'clientWidth'] as const) {
    const original = Object.getOwnPropertyDescriptor(HTMLElement.prototype, prop)!;
    Object.defineProperty(HTMLElement.prototype, prop, {
      configurable: true,
      get(this: HTMLElement) {
        if (this.getAttribute('role') === 'grid') return prop.endsWith('Height') ? GRID_HEIGHT : 1200;
        return original.get!.call(this);
      },
    });
    restore.push(() => Object.defineProperty(HTMLElement.prototype, prop, original));
  }
});
afterAll(() => restore.forEach((undo) => undo()));

const pressure = makeDefinition({ key: 'pressure', valueType: 'number' });
const status = makeDefinition({
  key: 'status',
  valueType: 'single_select',
  rules: { options: [{ key: 'ok', label: 'Running', color: null }, { key: 'fault', label: 'Fault', color: null }] },
});
const token = makeDefinition({ key: 'token', valueType: 'text', isSensitive: true });
const pump = makeType({ key: 'pump', name: 'Pump', icon: 'gauge' });

const makeRow = (n: number, properties: Record<string, unknown> = {}): ViewRow => ({
  id: `e${n}`,
  name: `Pump ${String(n).padStart(3, '0')}`,
  pathLabel: `site.pump_${n}`,
  entityTypeId: pump.id,
  parentId: 'site',
  properties: { pressure: n, status: n % 2 === 0 ? 'fault' : 'ok', ...properties } as ViewRow['properties'],
  updatedAt: T0,
});

const document: ViewDocument = {
  version: 2,
  filter: null,
  columns: [{ field: 'name' }, { field: 'property:pressure' }, { field: 'property:status' }, { field: 'property:token' }, { field: 'type' }],
  sort: [{ field: 'name', descending: false }],
  groupBy: null,
  pageSize: 50,
  viewType: 'table',
};

/** Keyset pages of `rows`, `size` at a time; the cursor is the last row's id. */
function pages(rows: ViewRow[], size = 50): Handler {
  return (args) => {
    const after = (args as { after: Cursor | null }).after;
    const start = after === null ? 0 : rows.findIndex((r) => r.id === after.id) + 1;
    const slice = rows.slice(start, start + size);
    const more = start + size < rows.length;
    return { rows: slice, next: more ? { values: [slice[slice.length - 1].name], id: slice[slice.length - 1].id } : null } satisfies ViewPage;
  };
}

const paneWith = (entityId: string, value: string | null, version = `v-${entityId}`): PropertyPane =>
  makePane(entityId, [[null, [makeField(pressure, value === null ? null : { type: 'number', value }, { valueUpdatedAt: value === null ? null : version }), makeField(status)]]]);

function Harness({ onDocument, onBulkEdit }: { onDocument: (d: ViewDocument) => void; onBulkEdit: (ids: string[]) => void }) {
  const [doc, setDoc] = useState(document);
  const [selection, setSelection] = useState<RowSelection>(EMPTY_ROW_SELECTION);
  return (
    <LiveUpdatesProvider>
      <TableView
        document={doc}
        onChange={(next) => {
          onDocument(next);
          setDoc(next);
        }}
        selection={selection}
        onSelectionChange={setSelection}
        onBulkEdit={onBulkEdit}
      />
    </LiveUpdatesProvider>
  );
}

function renderTable(handlers: Record<string, Handler> = {}, rows: ViewRow[] = Array.from({ length: 120 }, (_, i) => makeRow(i + 1))) {
  const calls = installBackend({
    handlers: {
      view_page: pages(rows),
      list_property_definitions: () => [pressure, status, token],
      list_entity_types: () => [pump],
      ...handlers,
    },
  });
  const onDocument = vi.fn<(d: ViewDocument) => void>();
  const onBulkEdit = vi.fn<(ids: string[]) => void>();
  const user = userEvent.setup();
  const rendered = renderWithProviders(<Harness onDocument={onDocument} onBulkEdit={onBulkEdit} />);
  return { calls, user, onDocument, onBulkEdit, ...rendered };
}

const pageCalls = (calls: { cmd: string; args: IpcArgs }[]) => callsOf(calls, 'view_page') as { document: ViewDocument; after: Cursor | null }[];
const row = (id: string) => screen.getByTestId(`view-row-${id}`);
const cell = (id: string, field: string) => screen.getByTestId(`view-cell-${id}-${field}`);
const selectedRows = () =>
  screen
    .queryAllByRole('row')
    .filter((r) => r.getAttribute('aria-selected') === 'true')
    .map((r) => r.getAttribute('data-row-id'));

describe('TableView', { timeout: 20_000 }, () => {
  it('draws only the rows in sight, with property labels, option labels, types and sensitive values masked', async () => {
    renderTable();
    await screen.findByTestId('view-row-e1');
    const drawn = screen.getAllByRole('row').length - 1;
    expect(drawn).toBeGreaterThan(5);
    expect(drawn).toBeLessThan(50);
    expect(screen.getByTestId('view-table')).toHaveAttribute('data-row-count', '50');

    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers.slice(1)).toEqual(['Name', 'Pressure', 'Status', 'Token', 'Type']);
    expect(cell('e1', 'name')).toHaveTextContent('Pump 001');
    expect(cell('e2', 'property:status')).toHaveTextContent('Fault');
    expect(cell('e1', 'property:status')).toHaveTextContent('Running');
    expect(cell('e3', 'property:pressure')).toHaveTextContent('3');
    expect(cell('e1', 'property:token')).toHaveTextContent('••••••');
    expect(cell('e1', 'type')).toHaveTextContent('Pump');
  });

  it('reads the next page when scrolled near the end of the loaded rows', async () => {
    const { calls } = renderTable();
    const grid = await screen.findByTestId('view-table');
    await screen.findByTestId('view-row-e1');
    expect(pageCalls(calls)).toHaveLength(1);
    act(() => {
      grid.scrollTop = 50 * 34 - GRID_HEIGHT;
      grid.dispatchEvent(new Event('scroll'));
    });
    await waitFor(() => expect(pageCalls(calls)).toHaveLength(2));
    expect(pageCalls(calls)[1].after).toEqual({ values: ['Pump 050'], id: 'e50' });
    await waitFor(() => expect(grid).toHaveAttribute('data-row-count', '100'));
  });

  it('a header click sorts by its field, a second turns it round; the type cannot be sorted by', async () => {
    const { calls, user, onDocument } = renderTable();
    await screen.findByTestId('view-row-e1');
    await user.click(screen.getByTestId('view-sort-property:pressure'));
    expect(onDocument).toHaveBeenLastCalledWith(expect.objectContaining({ sort: [{ field: 'property:pressure', descending: false }] }));
    await waitFor(() => expect(pageCalls(calls).at(-1)?.document.sort).toEqual([{ field: 'property:pressure', descending: false }]));
    expect(screen.getByTestId('view-header-property:pressure')).toHaveAttribute('aria-sort', 'ascending');

    await user.click(screen.getByTestId('view-sort-property:pressure'));
    expect(onDocument).toHaveBeenLastCalledWith(expect.objectContaining({ sort: [{ field: 'property:pressure', descending: true }] }));
    expect(screen.getByTestId('view-header-property:pressure')).toHaveAttribute('aria-sort', 'descending');
    expect(screen.getByTestId('view-sort-type')).toBeDisabled();
  });

  it('dragging a header edge writes the width into the document without reading the rows again', async () => {
    const { calls, onDocument } = renderTable();
    await screen.findByTestId('view-row-e1');
    const handle = screen.getByTestId('view-resize-property:pressure');
    fireEvent.mouseDown(handle, { button: 0, clientX: 300 });
    fireEvent.mouseMove(window, { clientX: 340 });
    // The column follows the pointer before anything is written.
    expect(screen.getByTestId('view-header-property:pressure')).toHaveStyle({ width: '220px' });
    expect(onDocument).not.toHaveBeenCalled();
    fireEvent.mouseMove(window, { clientX: 360 });
    fireEvent.mouseUp(window);
    expect(onDocument).toHaveBeenCalledTimes(1);
    expect(onDocument.mock.calls[0][0].columns?.[1]).toEqual({ field: 'property:pressure', width: 240 });
    expect(cell('e1', 'property:pressure')).toHaveStyle({ width: '240px' });

    // From the keyboard: the edge is a separator the arrow keys move.
    act(() => handle.focus());
    fireEvent.keyDown(handle, { key: 'ArrowLeft' });
    expect(onDocument.mock.calls[1][0].columns?.[1]).toEqual({ field: 'property:pressure', width: 224 });
    expect(pageCalls(calls)).toHaveLength(1);
  });

  it('moves and removes columns from the header menu', async () => {
    const { user, onDocument } = renderTable();
    await screen.findByTestId('view-row-e1');
    await user.click(screen.getByTestId('view-column-menu-name'));
    await user.click(await screen.findByTestId('view-column-right'));
    expect(onDocument.mock.calls[0][0].columns?.map((c) => c.field)).toEqual(['property:pressure', 'name', 'property:status', 'property:token', 'type']);
    await waitFor(() => expect(screen.getAllByRole('columnheader')[1]).toHaveTextContent('Pressure'));

    await user.click(screen.getByTestId('view-column-menu-name'));
    await user.click(await screen.findByTestId('view-column-remove'));
    const last = onDocument.mock.calls.at(-1)![0];
    expect(last.columns?.map((c) => c.field)).toEqual(['property:pressure', 'property:status', 'property:token', 'type']);
    // What is not shown is not sorted by.
    expect(last.sort).toEqual([]);
  });

  it('reorders by dragging a header onto another', async () => {
    const { onDocument } = renderTable();
    await screen.findByTestId('view-row-e1');
    const data = new Map<string, string>();
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), getData: (k: string) => data.get(k) ?? '', effectAllowed: 'move' };
    fireEvent.dragStart(screen.getByTestId('view-header-type'), { dataTransfer });
    // jsdom gives every box a zero size: the drop lands after the target.
    fireEvent.dragOver(screen.getByTestId('view-header-name'), { dataTransfer, clientX: 5 });
    fireEvent.drop(screen.getByTestId('view-header-name'), { dataTransfer, clientX: 5 });
    expect(onDocument.mock.calls[0][0].columns?.map((c) => c.field)).toEqual(['name', 'type', 'property:pressure', 'property:status', 'property:token']);
  });

  it('selects with click, Shift+click, Ctrl+click, the arrow keys and Ctrl+A, and bulk edits the selected rows', async () => {
    const { user, onBulkEdit } = renderTable();
    await screen.findByTestId('view-row-e1');
    await user.click(cell('e2', 'name'));
    expect(selectedRows()).toEqual(['e2']);
    await user.keyboard('{Shift>}');
    await user.click(cell('e5', 'name'));
    await user.keyboard('{/Shift}');
    expect(selectedRows()).toEqual(['e2', 'e3', 'e4', 'e5']);
    await user.keyboard('{Control>}');
    await user.click(cell('e3', 'name'));
    await user.keyboard('{/Control}');
    expect(selectedRows()).toEqual(['e2', 'e4', 'e5']);
    expect(screen.getByTestId('view-selection-count')).toHaveTextContent('3 selected');

    // The checkbox adds a row, Shift on it a range.
    await user.click(screen.getByTestId('view-row-check-e8'));
    expect(selectedRows()).toEqual(['e2', 'e4', 'e5', 'e8']);

    await user.click(screen.getByTestId('view-bulk-selected-bar'));
    expect(onBulkEdit).toHaveBeenCalledWith(['e2', 'e4', 'e5', 'e8']);

    const grid = screen.getByTestId('view-table');
    act(() => grid.focus());
    await user.keyboard('{ArrowDown}');
    expect(row('e9')).toHaveAttribute('data-focused', 'true');
    await user.keyboard('{Shift>}{ArrowDown}{ArrowDown}{/Shift}');
    expect(selectedRows()).toEqual(['e9', 'e10', 'e11']);
    await user.keyboard('{Control>}a{/Control}');
    expect(screen.getByTestId('view-selection-count')).toHaveTextContent('50 selected');
    expect(screen.getByTestId('view-select-all')).toBeChecked();
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('view-selection-bar')).toBeNull();
  });

  it('edits a property in place: Enter saves against the version of the value the row showed', async () => {
    const { calls, user } = renderTable({
      property_pane: (args) => paneWith(String((args as { entityId: string }).entityId), '3', 'v-p3'),
      set_property_values: (args) => {
        const input = (args as { input: SetValues }).input;
        return paneWith(input.entityId, '9.5', 'v-p3b');
      },
    });
    await screen.findByTestId('view-row-e3');
    await user.dblClick(cell('e3', 'property:pressure'));
    const input = await screen.findByTestId('prop-input-pressure');
    expect(input).toHaveFocus();
    expect(input).toHaveValue('3');
    await user.clear(input);
    await user.type(input, '9.5{Enter}');

    await waitFor(() => expect(callsOf(calls, 'set_property_values')).toHaveLength(1));
    expect(callsOf(calls, 'property_pane')).toEqual([{ entityId: 'e3' }]);
    expect(callsOf(calls, 'set_property_values')[0]).toEqual({
      input: { entityId: 'e3', edits: [{ definitionId: pressure.id, expectedUpdatedAt: 'v-p3', value: { type: 'number', value: '9.5' } }] },
    });
    await waitFor(() => expect(screen.queryByTestId('view-cell-editor')).toBeNull());
    expect(cell('e3', 'property:pressure')).toHaveTextContent('9.5');
    expect(screen.getByTestId('view-table')).toHaveFocus();
  });

  it('opens the editor from the keyboard, and Escape leaves the value as it was', async () => {
    const { calls, user } = renderTable();
    await screen.findByTestId('view-row-e1');
    await user.click(cell('e1', 'name'));
    await user.keyboard('{ArrowRight}');
    expect(cell('e1', 'property:pressure')).toHaveAttribute('data-focused', 'true');
    await user.keyboard('{Enter}');
    const input = await screen.findByTestId('prop-input-pressure');
    await user.type(input, '77');
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('view-cell-editor')).toBeNull();
    expect(cell('e1', 'property:pressure')).toHaveTextContent('1');
    expect(callsOf(calls, 'property_pane')).toHaveLength(0);
    expect(callsOf(calls, 'set_property_values')).toHaveLength(0);
    // Names, types and sensitive values are not edited here.
    await user.dblClick(cell('e1', 'name'));
    await user.dblClick(cell('e1', 'property:token'));
    expect(screen.queryByTestId('view-cell-editor')).toBeNull();
  });

  it('refuses to save over a value someone else changed, says to what, and reads the rows again', async () => {
    const { calls, user } = renderTable({
      property_pane: () => paneWith('e3', '8', 'v-theirs'),
      set_property_values: () => paneWith('e3', '10', 'v-mine'),
    });
    await screen.findByTestId('view-row-e3');
    await user.dblClick(cell('e3', 'property:pressure'));
    const input = await screen.findByTestId('prop-input-pressure');
    await user.clear(input);
    await user.type(input, '10{Enter}');

    expect(await screen.findByTestId('view-cell-conflict')).toHaveTextContent('Pressure was changed by someone else to 8');
    expect(callsOf(calls, 'set_property_values')).toHaveLength(0);
    await waitFor(() => expect(pageCalls(calls).length).toBeGreaterThan(1));

    // Enter again saves over theirs, knowingly, against their version.
    await user.type(screen.getByTestId('prop-input-pressure'), '{Enter}');
    await waitFor(() => expect(callsOf(calls, 'set_property_values')).toHaveLength(1));
    expect((callsOf(calls, 'set_property_values')[0] as { input: SetValues }).input.edits[0].expectedUpdatedAt).toBe('v-theirs');
  });

  it('a Conflict from the save itself is shown the same way; a Validation keeps the editor open with its message', async () => {
    let answer: AppError = {
      type: 'Conflict',
      data: { message: 'changed', current: { kind: 'propertyValue', row: { entityId: 'e3', definitionId: pressure.id, key: 'pressure', value: { type: 'number', value: '4' }, updatedAt: 'v4' } } },
    };
    const { user } = renderTable({
      property_pane: () => paneWith('e3', '3'),
      set_property_values: () => {
        throw answer;
      },
    });
    await screen.findByTestId('view-row-e3');
    await user.dblClick(cell('e3', 'property:pressure'));
    const input = await screen.findByTestId('prop-input-pressure');
    await user.clear(input);
    await user.type(input, '5{Enter}');
    expect(await screen.findByTestId('view-cell-conflict')).toHaveTextContent('changed by someone else to 4');

    await user.keyboard('{Escape}');
    answer = { type: 'Validation', data: { message: 'Must be at most 4', field: 'pressure', rule: 'range' } };
    await user.dblClick(cell('e3', 'property:pressure'));
    await user.type(await screen.findByTestId('prop-input-pressure'), '1{Enter}');
    expect(await screen.findByTestId('view-cell-error')).toHaveTextContent('Must be at most 4');
    expect(within(screen.getByTestId('view-cell-editor')).getByTestId('prop-input-pressure')).toBeInTheDocument();
  });

  it('a text the editor cannot read is refused before anything is sent', async () => {
    const { calls, user } = renderTable();
    await screen.findByTestId('view-row-e1');
    await user.dblClick(cell('e1', 'property:pressure'));
    await user.type(await screen.findByTestId('prop-input-pressure'), 'abc{Enter}');
    expect(await screen.findByTestId('view-cell-error')).toHaveTextContent('Not a number');
    expect(callsOf(calls, 'property_pane')).toHaveLength(0);
  });

  it('says when nothing matches', async () => {
    renderTable({}, []);
    expect(await screen.findByTestId('view-table-empty')).toHaveTextContent('No rows match this view.');
  });
});
