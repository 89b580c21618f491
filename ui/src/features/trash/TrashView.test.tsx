import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, TrashItem } from '../../bindings';
import { renderApp } from '../../test/app';
import { callsOf, makeNode } from '../../test/fixtures';

const DAY = 24 * 3600 * 1000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

function trashItem(fields: Partial<TrashItem> & Pick<TrashItem, 'id' | 'name'>): TrashItem {
  return {
    parentId: 'site',
    typeKey: 'building',
    typeName: 'Building',
    icon: 'building',
    pathLabel: `site.${fields.id}`,
    deletedAt: iso(-2 * DAY),
    deletedCount: 12,
    parentDeleted: false,
    purgeableFrom: iso(-DAY),
    ...fields,
  };
}

const ready = trashItem({ id: 'old', name: 'Old Wing' });
const orphan = trashItem({ id: 'orphan', name: 'Annex Room', parentDeleted: true, deletedCount: 1 });
const recent = trashItem({ id: 'recent', name: 'New Hall', deletedAt: iso(-60_000), purgeableFrom: '2099-06-30T12:00:00Z' });

async function openTrash(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByText('Trash'));
  return screen.findByTestId('trash-table');
}

describe('trash view', () => {
  it('lists deletions with type, when and size; Restore is disabled while the parent is deleted', async () => {
    const restoredNode = makeNode({ id: 'old', parentId: 'site', name: 'Old Wing' });
    const { calls, user } = renderApp({
      roots: [],
      handlers: { list_trash: () => [recent, ready, orphan], restore_entity: () => ({ node: restoredNode, restored: 12 }) },
    });
    const table = await openTrash(user);
    expect(callsOf(calls, 'list_trash')).toEqual([{ limit: 1000 }]);
    const row = within(table).getByTestId('trash-row-old');
    expect(row).toHaveTextContent('Old Wing');
    expect(row).toHaveTextContent('Building');
    expect(row).toHaveTextContent('2 days ago');
    expect(row).toHaveTextContent('12 entities');
    expect(within(table).getByTestId('trash-row-orphan')).toHaveTextContent('1 entity');

    expect(screen.getByTestId('trash-restore-orphan')).toBeDisabled();
    expect(screen.getByTestId('trash-row-orphan')).toHaveTextContent('Restore its parent first');
    await user.hover(screen.getByTestId('trash-restore-orphan').parentElement!);
    expect(await screen.findByText(/restore its parent first/)).toBeInTheDocument();

    await user.click(screen.getByTestId('trash-restore-old'));
    await waitFor(() => expect(callsOf(calls, 'restore_entity')).toEqual([{ id: 'old' }]));
    expect(await screen.findByText('Restored')).toBeInTheDocument();
    // The trash list is refreshed.
    await waitFor(() => expect(callsOf(calls, 'list_trash')).toHaveLength(2));
  });

  it('Purge is disabled until purgeableFrom (the date is shown)', async () => {
    const { user } = renderApp({ roots: [], handlers: { list_trash: () => [recent, ready] } });
    await openTrash(user);
    expect(screen.getByTestId('trash-purge-recent')).toBeDisabled();
    expect(screen.getByTestId('trash-purgeable-recent')).toHaveTextContent(/Purgeable from .*2099/);
    expect(screen.getByTestId('trash-purge-old')).toBeEnabled();
    expect(screen.queryByTestId('trash-purgeable-old')).toBeNull();
  });

  it('Purge… asks to type the name, then purges; a Forbidden error is shown clearly', async () => {
    let refuse = true;
    const forbidden: AppError = { type: 'Forbidden', data: { message: 'you lack the purge capability' } };
    const { calls, user } = renderApp({
      roots: [],
      handlers: {
        list_trash: () => [ready],
        purge_entity: (args) => {
          if (refuse) throw forbidden;
          return { id: args?.id, purged: 12 };
        },
      },
    });
    await openTrash(user);
    await user.click(screen.getByTestId('trash-purge-old'));
    const confirm = screen.getByTestId('purge-confirm');
    expect(confirm).toBeDisabled();
    await user.type(screen.getByTestId('purge-confirm-input'), 'Old Win');
    expect(confirm).toBeDisabled();
    await user.type(screen.getByTestId('purge-confirm-input'), 'g');
    expect(confirm).toBeEnabled();
    await user.click(confirm);
    const error = await screen.findByTestId('error-notice');
    expect(error).toHaveTextContent('Not allowed');
    expect(error).toHaveTextContent('you lack the purge capability');

    refuse = false;
    await user.click(screen.getByTestId('purge-confirm'));
    await waitFor(() => expect(screen.queryByTestId('purge-confirm')).toBeNull());
    expect(callsOf(calls, 'purge_entity')).toEqual([{ id: 'old' }, { id: 'old' }]);
    expect(await screen.findByText('12 entities removed for good.')).toBeInTheDocument();
  });

  it('shows InUse errors from purge', async () => {
    const { user } = renderApp({
      roots: [],
      handlers: {
        list_trash: () => [ready],
        purge_entity: () => {
          throw { type: 'InUse', data: { message: 'referenced by 3 meters' } };
        },
      },
    });
    await openTrash(user);
    await user.click(screen.getByTestId('trash-purge-old'));
    await user.type(screen.getByTestId('purge-confirm-input'), 'Old Wing');
    await user.click(screen.getByTestId('purge-confirm'));
    const error = await screen.findByTestId('error-notice');
    expect(error).toHaveTextContent('Still in use');
    expect(error).toHaveTextContent('referenced by 3 meters');
  });
});
