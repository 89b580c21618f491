import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AppError, PropertyPane, SetValues, ViewDocument, ViewPage, ViewRow } from '../../../bindings';
import { LiveUpdatesProvider } from '../../../live/LiveUpdates';
import { callsOf, deferred, installBackend, renderWithProviders, T0, type FakeBackend, type IpcArgs } from '../../../test/fixtures';
import { makeDefinition, makeField, makePane } from '../../../test/propertyFixtures';
import { BoardView } from '.';

const status = makeDefinition({
  key: 'status',
  valueType: 'single_select',
  isSearchable: true,
  rules: {
    options: [
      { key: 'active', label: 'Active', color: '#2f9e44' },
      { key: 'standby', label: 'Standby', color: null },
      { key: 'retired', label: 'Retired', color: null },
    ],
  },
});
const serial = makeDefinition({ key: 'serial', name: 'Serial number', valueType: 'text', isSearchable: true });
const pin = makeDefinition({ key: 'pin', name: 'PIN', valueType: 'text', isSensitive: true });
const note = makeDefinition({ key: 'note', valueType: 'text' });

const document: ViewDocument = {
  version: 2,
  filter: null,
  columns: [{ field: 'name' }, { field: 'property:pin' }, { field: 'property:status' }, { field: 'property:serial' }],
  sort: [{ field: 'name', descending: false }],
  groupBy: 'status',
  pageSize: 50,
  viewType: 'board',
};

const row = (id: string, name: string, properties: Record<string, string>): ViewRow => ({
  id,
  name,
  pathLabel: `site.${name.toLowerCase().replace(/\W+/g, '_')}`,
  entityTypeId: 'type-device',
  parentId: 'site',
  properties,
  updatedAt: T0,
});

// The PIN is sensitive: the core never sends it, but the board must not show it even if it did.
const pump1 = row('pump-1', 'Pump 1', { status: 'active', serial: 'SN-1', pin: '4711' });
const pump2 = row('pump-2', 'Pump 2', { status: 'active' });
const chiller = row('chiller', 'Chiller', { status: 'retired', serial: 'SN-9' });
const fan = row('fan', 'Fan', {});

const paneOf = (entityId: string, value: string | null, updatedAt = 'entity-v1'): PropertyPane =>
  makePane(entityId, [[null, [makeField(status, value === null ? null : { type: 'single_select', value }), makeField(serial)]]], updatedAt);

const input = (args: IpcArgs) => (args as { input: SetValues }).input;

function renderBoard(handlers: FakeBackend['handlers'] = {}, doc: ViewDocument = document) {
  const calls = installBackend({
    handlers: {
      list_property_definitions: () => [status, serial, pin, note],
      view_page: (): ViewPage => ({ rows: [pump1, pump2, chiller, fan], next: null }),
      view_count: () => ({ count: 4, exact: true }),
      // What each entity holds, as the board read it.
      property_pane: (args) => {
        const held = [pump1, pump2, chiller, fan].find((r) => r.id === args?.entityId);
        return paneOf(String(args?.entityId), (held?.properties as Record<string, string>).status ?? null);
      },
      set_property_values: (args) => paneOf(input(args).entityId, 'retired', 'entity-v2'),
      ...handlers,
    },
  });
  const user = userEvent.setup();
  const rendered = renderWithProviders(
    <LiveUpdatesProvider>
      <BoardView document={doc} />
    </LiveUpdatesProvider>,
  );
  return { calls, user, ...rendered };
}

const column = (key: string) => screen.getByTestId(`board-column-${key}`);
const cardsIn = (key: string) => within(column(key)).queryAllByRole('listitem').map((card) => card.getAttribute('data-entity-name'));

/** Drags a card onto a column as a browser would: start, over, drop, end. */
function drag(card: HTMLElement, target: HTMLElement) {
  fireEvent.dragStart(card);
  fireEvent.dragOver(target);
  fireEvent.drop(target);
  fireEvent.dragEnd(card);
}

describe('BoardView', () => {
  it('has a column per option in the option order, then "No value", with the loaded cards and their counts', async () => {
    renderBoard();
    await screen.findByTestId('board-card-pump-1');
    const columns = screen.getAllByTestId(/^board-column-(?!count)/);
    expect(columns.map((c) => c.dataset.testid)).toEqual(['board-column-active', 'board-column-standby', 'board-column-retired', 'board-column-none']);
    expect(columns.map((c) => within(c).getByRole('list').getAttribute('aria-label'))).toEqual(['Active', 'Standby', 'Retired', 'No value']);
    expect(cardsIn('active')).toEqual(['Pump 1', 'Pump 2']);
    expect(cardsIn('standby')).toEqual([]);
    expect(cardsIn('retired')).toEqual(['Chiller']);
    expect(cardsIn('none')).toEqual(['Fan']);
    expect(screen.getByTestId('board-column-count-active')).toHaveTextContent('2');
    expect(screen.getByTestId('board-column-count-none')).toHaveTextContent('1');
    expect(screen.getByTestId('board-loaded')).toHaveTextContent('4 of 4 cards loaded');
  });

  it('shows the name, the path and the first property columns on a card, never a sensitive one', async () => {
    renderBoard();
    const card = await screen.findByTestId('board-card-pump-1');
    expect(card).toHaveTextContent('Pump 1');
    expect(card).toHaveTextContent('site.pump_1');
    expect(within(card).getByTestId('board-card-field-serial')).toHaveTextContent('Serial number: SN-1');
    // The grouping property is the column itself, not a field of the card.
    expect(within(card).queryByTestId('board-card-field-status')).toBeNull();
    expect(within(card).queryByTestId('board-card-field-pin')).toBeNull();
    expect(card).not.toHaveTextContent('4711');
    expect(card).not.toHaveTextContent('PIN');
  });

  it('dragging a card to another column moves it at once and writes the option against the version the pane reports', async () => {
    const write = deferred<PropertyPane>();
    const { calls } = renderBoard({ set_property_values: () => write.promise });
    const card = await screen.findByTestId('board-card-pump-1');
    drag(card, column('retired'));

    // Moved before the write answers.
    expect(cardsIn('retired')).toEqual(['Pump 1', 'Chiller']);
    expect(cardsIn('active')).toEqual(['Pump 2']);
    await waitFor(() => expect(callsOf(calls, 'set_property_values')).toHaveLength(1));
    expect(callsOf(calls, 'property_pane')).toEqual([{ entityId: 'pump-1' }]);
    expect(input(callsOf(calls, 'set_property_values')[0])).toEqual({
      entityId: 'pump-1',
      edits: [{ definitionId: 'def-status', expectedUpdatedAt: 'v-status', value: { type: 'single_select', value: 'retired' } }],
    });
    await act(async () => write.resolve(paneOf('pump-1', 'retired', 'entity-v2')));
    await waitFor(() => expect(screen.getByTestId('board-card-pump-1')).not.toHaveAttribute('data-pending'));
    expect(cardsIn('retired')).toEqual(['Pump 1', 'Chiller']);
    expect(screen.getByTestId('board-column-count-retired')).toHaveTextContent('2');
    expect(screen.getByTestId('board-column-count-active')).toHaveTextContent('1');
  });

  it('reads the pane fresh for every move, even when one is cached', async () => {
    const { calls, client } = renderBoard();
    client.setQueryData(['propertyPane', 'pump-1'], paneOf('pump-1', 'active', 'entity-old'));
    const card = await screen.findByTestId('board-card-pump-1');
    drag(card, column('standby'));
    await waitFor(() => expect(callsOf(calls, 'set_property_values')).toHaveLength(1));
    expect(callsOf(calls, 'property_pane')).toEqual([{ entityId: 'pump-1' }]);
  });

  it('refuses a move when someone else changed the value since the board was read: no write, the card goes back, the board is read again', async () => {
    let changed = false;
    const { calls } = renderBoard({
      property_pane: (args) => {
        changed = true;
        return paneOf(String(args?.entityId), 'standby', 'entity-v7');
      },
      view_page: (): ViewPage => ({ rows: [changed ? { ...pump1, properties: { status: 'standby' } } : pump1, pump2], next: null }),
    });
    const card = await screen.findByTestId('board-card-pump-1');
    drag(card, column('retired'));

    expect(await screen.findByText('Pump 1 was changed by someone else to Standby; the board has been refreshed')).toBeInTheDocument();
    expect(callsOf(calls, 'set_property_values')).toEqual([]);
    await waitFor(() => expect(callsOf(calls, 'view_page')).toHaveLength(2));
    await waitFor(() => expect(cardsIn('standby')).toEqual(['Pump 1']));
    expect(cardsIn('retired')).toEqual([]);
  });

  it('puts the card back and names the error when the write is refused', async () => {
    renderBoard({
      set_property_values: () => {
        throw { type: 'Forbidden', data: { message: 'you may not change entities under Site' } } satisfies AppError;
      },
    });
    const card = await screen.findByTestId('board-card-chiller');
    drag(card, column('active'));
    expect(cardsIn('active')).toEqual(['Pump 1', 'Pump 2', 'Chiller']);
    expect(await screen.findByText('you may not change entities under Site')).toBeInTheDocument();
    expect(screen.getByText('Chiller was not moved: Not allowed')).toBeInTheDocument();
    await waitFor(() => expect(cardsIn('retired')).toEqual(['Chiller']));
    expect(cardsIn('active')).toEqual(['Pump 1', 'Pump 2']);
  });

  it('moves a card from the keyboard: M opens "Move to…", and choosing "No value" clears the property', async () => {
    const { calls, user } = renderBoard({ set_property_values: (args) => paneOf(input(args).entityId, null, 'entity-v2') });
    const card = await screen.findByTestId('board-card-pump-2');
    act(() => card.focus());
    await user.keyboard('m');
    const menu = await screen.findByTestId('board-move-menu');
    expect(within(menu).getByTestId('board-move-to-active')).toBeDisabled();
    await user.click(within(menu).getByTestId('board-move-to-none'));

    await waitFor(() => expect(callsOf(calls, 'set_property_values')).toHaveLength(1));
    expect(input(callsOf(calls, 'set_property_values')[0]).edits).toEqual([{ definitionId: 'def-status', expectedUpdatedAt: 'v-status', value: null }]);
    await waitFor(() => expect(cardsIn('none')).toEqual(['Pump 2', 'Fan']));
    // The focus follows the card to its new column.
    await waitFor(() => expect(screen.getByTestId('board-card-pump-2')).toHaveFocus());
  });

  it('moves a card with the keyboard alone: M, then the arrows and Enter in the menu', async () => {
    const { calls, user } = renderBoard({ set_property_values: (args) => paneOf(input(args).entityId, 'standby', 'entity-v2') });
    const card = await screen.findByTestId('board-card-pump-1');
    act(() => card.focus());
    await user.keyboard('M');
    await screen.findByTestId('board-move-menu');
    // The first choice that is not where the card is already.
    await user.keyboard('{ArrowDown}');
    expect(screen.getByTestId('board-move-to-standby')).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(callsOf(calls, 'set_property_values')).toHaveLength(1));
    expect(input(callsOf(calls, 'set_property_values')[0]).edits[0].value).toEqual({ type: 'single_select', value: 'standby' });
    await waitFor(() => expect(cardsIn('standby')).toEqual(['Pump 1']));
  });

  it('a card moved from the keyboard and put back keeps the focus', async () => {
    const { user } = renderBoard({
      set_property_values: () => {
        throw { type: 'Database', data: { message: 'connection lost' } } satisfies AppError;
      },
    });
    const card = await screen.findByTestId('board-card-fan');
    act(() => card.focus());
    await user.keyboard('m');
    await user.click(within(await screen.findByTestId('board-move-menu')).getByTestId('board-move-to-active'));
    expect(await screen.findByText('connection lost')).toBeInTheDocument();
    await waitFor(() => expect(cardsIn('none')).toEqual(['Fan']));
    await waitFor(() => expect(screen.getByTestId('board-card-fan')).toHaveFocus());
  });

  it('arrow keys go from card to card', async () => {
    const { user } = renderBoard();
    const card = await screen.findByTestId('board-card-pump-1');
    act(() => card.focus());
    await user.keyboard('{ArrowDown}');
    expect(screen.getByTestId('board-card-pump-2')).toHaveFocus();
    // Right skips the empty Standby column.
    await user.keyboard('{ArrowRight}');
    expect(screen.getByTestId('board-card-chiller')).toHaveFocus();
    await user.keyboard('{ArrowLeft}{ArrowUp}');
    expect(screen.getByTestId('board-card-pump-1')).toHaveFocus();
  });

  it('loads further pages with "Load more"', async () => {
    const { calls, user } = renderBoard({
      view_page: (args): ViewPage =>
        args?.after === null ? { rows: [pump1, pump2], next: { values: ['Pump 2'], id: 'pump-2' } } : { rows: [chiller, fan], next: null },
    });
    await screen.findByTestId('board-card-pump-1');
    expect(screen.getByTestId('board-loaded')).toHaveTextContent('2 of 4 cards loaded');
    expect(cardsIn('retired')).toEqual([]);
    await user.click(screen.getByTestId('board-load-more'));
    await waitFor(() => expect(cardsIn('retired')).toEqual(['Chiller']));
    expect(callsOf(calls, 'view_page').map((a) => a?.after)).toEqual([null, { values: ['Pump 2'], id: 'pump-2' }]);
    expect(screen.queryByTestId('board-load-more')).toBeNull();
  });

  it('asks for "Group by" when the view is not grouped, or grouped by a property that is no single-select', async () => {
    const { calls } = renderBoard({}, { ...document, groupBy: null });
    expect(screen.getByTestId('board-no-group')).toHaveTextContent('Choose "Group by" in the builder');
    expect(callsOf(calls, 'view_page')).toEqual([]);
  });

  it('asks for "Group by" when the grouping property is not a single-select', async () => {
    const { calls } = renderBoard({}, { ...document, groupBy: 'serial' });
    expect(await screen.findByTestId('board-no-group')).toHaveTextContent('"Serial number" is not a single-select property. Choose "Group by" in the builder');
    expect(callsOf(calls, 'view_page')).toEqual([]);
  });
});
