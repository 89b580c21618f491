import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, Session, TrashItem } from '../../bindings';
import { renderApp } from '../../test/app';
import { ALICE, callsOf, makeNode } from '../../test/fixtures';

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

describe('who may restore and purge what', () => {
  const north = makeNode({ id: 'north', name: 'North Campus', pathLabel: 'north' });
  const south = makeNode({ id: 'south', name: 'South Campus', pathLabel: 'south' });
  const west = makeNode({ id: 'west', name: 'West Campus', pathLabel: 'west' });
  // Under a root the person may only read, one they may write, one they may also purge.
  const readOnly = trashItem({ id: 'n1', name: 'North Wing', parentId: 'north', pathLabel: 'north.n1' });
  const writable = trashItem({ id: 's1', name: 'South Wing', parentId: 'south', pathLabel: 'south.b.s1' });
  const purgeable = trashItem({ id: 'w1', name: 'West Wing', parentId: 'west', pathLabel: 'west.w1' });
  // A whole root in the trash: no longer among the roots, it is its own.
  const deletedRoot = trashItem({ id: 'east', name: 'East Campus', parentId: null, pathLabel: 'east' });
  const items = [readOnly, writable, purgeable, deletedRoot];
  const alice: Session = {
    role: 'alice',
    person: ALICE,
    bypassesSecurity: false,
    roots: [
      { rootId: 'north', capabilities: ['read'] },
      { rootId: 'south', capabilities: ['read', 'write'] },
      { rootId: 'west', capabilities: ['read', 'write', 'purge'] },
      { rootId: 'east', capabilities: ['read', 'write'] },
    ],
  };
  const need = (cap: string, root: string) => `Read-only: you need the '${cap}' capability on ${root}`;

  function open(session: Session | undefined, handlers: Record<string, (args: Record<string, unknown> | undefined) => unknown> = {}) {
    return renderApp({ roots: [north, south, west], session, handlers: { list_trash: () => items, ...handlers } });
  }

  it('Restore needs write and Purge needs purge on the row\'s root; a refused button says why', async () => {
    const restoredNode = makeNode({ id: 's1', parentId: 'south', name: 'South Wing', pathLabel: 'south.b.s1' });
    const { calls, user } = open(alice, { restore_entity: () => ({ node: restoredNode, restored: 12 }) });
    await openTrash(user);
    // Once the session and the roots are known, the rows are final.
    expect(await screen.findByTestId('session-info')).toHaveTextContent('Alice Ng');
    await waitFor(() => expect(screen.getByTestId('trash-restore-n1')).toBeDisabled());
    const refused = (id: string, reason: string) => {
      expect(screen.getByTestId(id)).toBeDisabled();
      expect(screen.getByTestId(id)).toHaveAttribute('title', reason);
    };
    const allowed = (id: string) => {
      expect(screen.getByTestId(id)).toBeEnabled();
      expect(screen.getByTestId(id)).not.toHaveAttribute('title');
    };
    refused('trash-restore-n1', need('write', 'North Campus'));
    refused('trash-purge-n1', need('purge', 'North Campus'));
    allowed('trash-restore-s1');
    refused('trash-purge-s1', need('purge', 'South Campus'));
    allowed('trash-restore-w1');
    allowed('trash-purge-w1');
    allowed('trash-restore-east');
    refused('trash-purge-east', need('purge', 'East Campus'));

    await user.click(screen.getByTestId('trash-purge-s1'));
    expect(screen.queryByTestId('purge-confirm')).toBeNull();
    await user.click(screen.getByTestId('trash-restore-n1'));
    await user.click(screen.getByTestId('trash-restore-s1'));
    await waitFor(() => expect(callsOf(calls, 'restore_entity')).toEqual([{ id: 's1' }]));
    await user.click(screen.getByTestId('trash-purge-w1'));
    expect(await screen.findByTestId('purge-confirm')).toBeInTheDocument();
  });

  it('an administrator may restore and purge every row', async () => {
    const { user } = open(undefined);
    await openTrash(user);
    expect(await screen.findByTestId('session-info')).toHaveTextContent('Administrator');
    for (const item of items) {
      expect(screen.getByTestId(`trash-restore-${item.id}`)).toBeEnabled();
      expect(screen.getByTestId(`trash-purge-${item.id}`)).toBeEnabled();
    }
  });

  it('nothing is restored or purged while an administrator views as someone', async () => {
    const { user } = open(alice, { viewing_as: () => ALICE });
    await openTrash(user);
    const reason = 'Viewing as Alice Ng: nothing can be changed';
    await waitFor(() => expect(screen.getByTestId('trash-restore-w1')).toHaveAttribute('title', reason));
    for (const item of items) {
      for (const action of ['restore', 'purge']) {
        expect(screen.getByTestId(`trash-${action}-${item.id}`)).toBeDisabled();
        expect(screen.getByTestId(`trash-${action}-${item.id}`)).toHaveAttribute('title', reason);
      }
    }
  });
});
