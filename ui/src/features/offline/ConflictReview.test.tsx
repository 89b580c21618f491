import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, Mutation, OutboxEntry, OutboxStatus, Resolution } from '../../bindings';
import { focusedTree, renderApp } from '../../test/app';
import { callsOf, makeNode, type Handler, type IpcArgs } from '../../test/fixtures';
import { overviewWith, refusedDelete, renameConflict, valuesConflict } from '../../test/offlineFixtures';

const plant = makeNode({ id: 'plant', name: 'Plant North', pathLabel: 'plant_north' });
const deleteConflict: OutboxEntry = { ...refusedDelete, seq: 9, status: 'conflict', entityName: 'Valve 2', reason: 'Changed on the server meanwhile', fields: [{ key: 'entity', label: 'Entity', theirs: 'Valve 2 (edited)', mine: null }] };

type Resolve = { seq: number; resolution: Resolution };

/** The app online with these entries in conflict; a resolved entry leaves the conflicts. */
function conflictApp(entries: OutboxEntry[], handlers: Record<string, Handler> = {}) {
  let conflicts = entries;
  return renderApp({
    roots: [plant],
    handlers: {
      offline_overview: () => overviewWith({ status: { conflicts: conflicts.length } }),
      offline_outbox: (args: IpcArgs) => {
        const statuses = (args as { statuses: OutboxStatus[] }).statuses;
        return statuses.includes('conflict') ? conflicts : [];
      },
      offline_resolve: (args: IpcArgs) => {
        const { seq } = args as Resolve;
        const entry = conflicts.find((e) => e.seq === seq);
        conflicts = conflicts.filter((e) => e.seq !== seq);
        return { ...entry, status: 'pending' };
      },
      ...handlers,
    },
  });
}

async function openReview(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByTestId('offline-review-open'));
  return screen.findByRole('dialog', { name: 'Edits that need your decision' });
}

const cardOf = async (review: HTMLElement, name: string) => within(review).findByRole('group', { name });

describe('conflict review', { timeout: 30_000 }, () => {
  it('shows each conflict with its reason and its fields side by side', async () => {
    const { user } = conflictApp([valuesConflict, renameConflict]);
    const review = await openReview(user);
    const card = await cardOf(review, 'Boiler 1');
    expect(card).toHaveAttribute('data-testid', 'conflict-card');
    expect(within(card).getByTestId('conflict-reason')).toHaveTextContent('Power was changed on the server since you read it');
    const fields = within(card).getByTestId('conflict-fields');
    expect(within(fields).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Field', 'Theirs (on the server)', 'Mine']);
    expect(within(fields).getByTestId('conflict-field-def-power')).toHaveTextContent('Power (kW)1412.5');
    expect(within(fields).getByTestId('conflict-field-def-note')).toHaveTextContent('NoteNo valuechecked');
    expect(await cardOf(review, 'Hall A')).toBeInTheDocument();
  });

  it('"Keep theirs" sends keepTheirs for that entry, and the card goes', async () => {
    const { calls, user } = conflictApp([valuesConflict, renameConflict]);
    const review = await openReview(user);
    await user.click(within(await cardOf(review, 'Hall A')).getByTestId('conflict-keep-theirs'));
    await waitFor(() => expect(callsOf(calls, 'offline_resolve')).toEqual([{ seq: 8, resolution: { kind: 'keepTheirs' } }]));
    await waitFor(() => expect(within(review).getAllByTestId('conflict-card')).toHaveLength(1));
    expect(within(review).getByTestId('conflict-card')).toHaveAttribute('data-seq', '7');
  });

  it('"Keep mine" sends keepMine for that entry; the last one settled leaves none', async () => {
    const { calls, user } = conflictApp([valuesConflict]);
    const review = await openReview(user);
    await user.click(within(await cardOf(review, 'Boiler 1')).getByTestId('conflict-keep-mine'));
    await waitFor(() => expect(callsOf(calls, 'offline_resolve')).toEqual([{ seq: 7, resolution: { kind: 'keepMine' } }]));
    expect(await within(review).findByTestId('conflicts-none')).toHaveTextContent('No edit waits for your decision.');
  });

  it('"Edit…" edits my values, each read by its type, and sends the edited edit', async () => {
    const { calls, user } = conflictApp([valuesConflict]);
    const review = await openReview(user);
    const card = await cardOf(review, 'Boiler 1');
    await user.click(within(card).getByTestId('conflict-edit'));
    const power = within(card).getByTestId('conflict-edit-value-def-power');
    expect(power).toHaveValue('12.5');
    expect(power).toHaveFocus();
    expect(within(card).getByTestId('conflict-edit-value-def-note')).toHaveValue('checked');
    expect(within(card).getByTestId('conflict-edit-value-def-active')).toBeChecked();

    await user.clear(power);
    await user.type(power, 'about 13');
    expect(within(card).getByText('Type a number, like 12 or -0.5')).toBeInTheDocument();
    expect(within(card).getByTestId('conflict-edit-save')).toBeDisabled();

    await user.clear(power);
    await user.type(power, '13.75');
    await user.clear(within(card).getByTestId('conflict-edit-value-def-note'));
    await user.type(within(card).getByTestId('conflict-edit-value-def-note'), 'checked twice');
    await user.click(within(card).getByTestId('conflict-edit-value-def-active'));
    await user.click(within(card).getByTestId('conflict-edit-save'));

    const edited: Mutation = {
      kind: 'setValues',
      input: {
        entityId: 'boiler',
        edits: [
          { definitionId: 'def-power', expectedUpdatedAt: '2026-03-01T00:00:00Z', value: { type: 'number', value: '13.75' } },
          { definitionId: 'def-note', expectedUpdatedAt: null, value: { type: 'text', value: 'checked twice' } },
          { definitionId: 'def-active', expectedUpdatedAt: null, value: { type: 'boolean', value: false } },
        ],
      },
    };
    await waitFor(() => expect(callsOf(calls, 'offline_resolve')).toEqual([{ seq: 7, resolution: { kind: 'edit', mutation: edited } }]));
  });

  it('"Edit…" of a rename edits the name; Cancel goes back to the three choices without sending', async () => {
    const { calls, user } = conflictApp([renameConflict]);
    const review = await openReview(user);
    const card = await cardOf(review, 'Hall A');
    await user.click(within(card).getByTestId('conflict-edit'));
    await user.click(within(card).getByRole('button', { name: 'Cancel' }));
    expect(within(card).queryByTestId('conflict-edit-name')).toBeNull();
    expect(callsOf(calls, 'offline_resolve')).toEqual([]);

    await user.click(within(card).getByTestId('conflict-edit'));
    const name = within(card).getByTestId('conflict-edit-name');
    expect(name).toHaveValue('Hall Alpha');
    await user.clear(name);
    expect(within(card).getByTestId('conflict-edit-save')).toBeDisabled();
    await user.type(name, 'Hall One (A){Enter}');
    await waitFor(() =>
      expect(callsOf(calls, 'offline_resolve')).toEqual([
        { seq: 8, resolution: { kind: 'edit', mutation: { kind: 'rename', input: { id: 'hall', expectedUpdatedAt: '2026-03-01T00:00:00Z', name: 'Hall One (A)' } } } },
      ]),
    );
  });

  it('other kinds offer only keep theirs or keep mine', async () => {
    const { user } = conflictApp([deleteConflict]);
    const review = await openReview(user);
    const card = await cardOf(review, 'Valve 2');
    expect(within(card).getByTestId('conflict-keep-theirs')).toBeInTheDocument();
    expect(within(card).getByTestId('conflict-keep-mine')).toBeInTheDocument();
    expect(within(card).queryByTestId('conflict-edit')).toBeNull();
    expect(within(card).getByTestId('conflict-field-entity')).toHaveTextContent('EntityValve 2 (edited)Cleared');
  });

  it('a refused choice stays on its card, and the entry stays', async () => {
    const { user } = conflictApp([valuesConflict], {
      offline_resolve: () => {
        throw { type: 'Offline', data: { message: 'the server cannot be reached' } } satisfies AppError;
      },
    });
    const review = await openReview(user);
    const card = await cardOf(review, 'Boiler 1');
    await user.click(within(card).getByTestId('conflict-keep-mine'));
    expect(await within(card).findByTestId('error-notice')).toHaveTextContent('the server cannot be reached');
    expect(within(card).getByTestId('conflict-keep-mine')).toBeEnabled();
  });

  it('the palette opens the review ("Review offline conflicts")', async () => {
    const { user } = conflictApp([valuesConflict, renameConflict]);
    await focusedTree();
    await user.keyboard('{Control>}k{/Control}');
    await user.type(await screen.findByTestId('palette-input'), 'conflicts');
    const option = await screen.findByTestId('palette-action-offline-review');
    expect(option).toHaveTextContent('2 edits need your decision');
    await user.click(option);
    const review = await screen.findByRole('dialog', { name: 'Edits that need your decision' });
    expect(await within(review).findAllByTestId('conflict-card')).toHaveLength(2);
  });
});
