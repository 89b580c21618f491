import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, EntityType, Session } from '../../bindings';
import { renderApp } from '../../test/app';
import { ALICE, callsOf, makeType, sessionOn } from '../../test/fixtures';

const building = makeType({ key: 'building', name: 'Building', icon: 'building', liveEntities: 12, updatedAt: 'v-bld' });
const site = makeType({ key: 'site', name: 'Site', icon: 'map-pin', isSystem: true, liveEntities: 3 });
const legacy = makeType({ key: 'legacy', name: 'Legacy', deletedAt: '2025-02-01T00:00:00Z' });

async function openTypes(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByText('Types'));
  return screen.findByTestId('types-table');
}

const input = (args: Record<string, unknown> | undefined) => (args as { input: Record<string, unknown> }).input;

describe('types view', () => {
  it('lists types with icon, key, live entities and a system badge; system types are read-only', async () => {
    const { calls, user } = renderApp({ roots: [], handlers: { list_entity_types: () => [building, site] } });
    const table = await openTypes(user);
    expect(callsOf(calls, 'list_entity_types')).toEqual([{ includeDeleted: false }]);
    const row = within(table).getByTestId('type-row-building');
    expect(row).toHaveTextContent('Building');
    expect(row).toHaveTextContent('building');
    expect(row).toHaveTextContent('12');
    expect(row.querySelector('[data-icon="building"]')).not.toBeNull();
    expect(within(table).getByTestId('type-row-site')).toHaveTextContent('System');
    expect(screen.getByTestId('type-edit-site')).toBeDisabled();
    expect(screen.getByTestId('type-delete-site')).toBeDisabled();
    expect(screen.getByTestId('type-edit-building')).toBeEnabled();
  });

  it('creates a type', async () => {
    const { calls, user } = renderApp({
      roots: [],
      handlers: { list_entity_types: () => [building], create_entity_type: (args) => makeType(input(args) as Pick<EntityType, 'key' | 'name'>) },
    });
    await openTypes(user);
    await user.click(screen.getByTestId('types-new'));
    await user.type(screen.getByTestId('type-key'), 'meter');
    await user.type(screen.getByTestId('type-name'), 'Meter');
    await user.type(screen.getByTestId('type-description'), 'An energy meter');
    await user.click(screen.getByTestId('type-save'));
    await waitFor(() => expect(callsOf(calls, 'create_entity_type')).toHaveLength(1));
    expect(input(callsOf(calls, 'create_entity_type')[0])).toEqual({ key: 'meter', name: 'Meter', description: 'An energy meter', icon: null });
    await waitFor(() => expect(screen.queryByTestId('type-save')).toBeNull());
    await waitFor(() => expect(callsOf(calls, 'list_entity_types')).toHaveLength(2));
  });

  it('edits name with the version as expectedUpdatedAt', async () => {
    const { calls, user } = renderApp({ roots: [], handlers: { list_entity_types: () => [building], update_entity_type: () => building } });
    await openTypes(user);
    await user.click(screen.getByTestId('type-edit-building'));
    const name = screen.getByTestId('type-name');
    await user.clear(name);
    await user.type(name, 'Buildings');
    await user.click(screen.getByTestId('type-save'));
    await waitFor(() => expect(callsOf(calls, 'update_entity_type')).toHaveLength(1));
    expect(input(callsOf(calls, 'update_entity_type')[0])).toEqual({ id: 'type-building', expectedUpdatedAt: 'v-bld', name: 'Buildings', description: null, icon: 'building' });
  });

  it('a refused key is shown under the Key input, not as a notice, and the dialog stays open', async () => {
    const taken: AppError = { type: 'Validation', data: { message: 'a type with the key "meter" exists', field: 'key', rule: 'unique' } };
    const { user } = renderApp({
      roots: [],
      handlers: {
        list_entity_types: () => [building],
        create_entity_type: () => {
          throw taken;
        },
      },
    });
    await openTypes(user);
    await user.click(screen.getByTestId('types-new'));
    await user.type(screen.getByTestId('type-key'), 'meter');
    await user.type(screen.getByTestId('type-name'), 'Meter');
    await user.click(screen.getByTestId('type-save'));
    await waitFor(() => expect(screen.getByTestId('type-key')).toHaveAttribute('aria-invalid', 'true'));
    expect(screen.getByText('a type with the key "meter" exists')).toBeInTheDocument();
    expect(screen.getByTestId('type-name')).not.toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByTestId('error-notice')).toBeNull();
    expect(screen.getByTestId('type-save')).toBeInTheDocument();
  });

  it('delete shows the InUse error with the number of live entities', async () => {
    const inUse: AppError = { type: 'InUse', data: { message: 'type building has live entities' } };
    const { calls, user } = renderApp({
      roots: [],
      handlers: {
        list_entity_types: () => [building],
        delete_entity_type: () => {
          throw inUse;
        },
      },
    });
    await openTypes(user);
    await user.click(screen.getByTestId('type-delete-building'));
    await user.click(screen.getByTestId('type-delete-confirm'));
    expect(await screen.findByTestId('type-in-use')).toHaveTextContent(/Still in use.*still has 12 entities live/);
    expect(input(callsOf(calls, 'delete_entity_type')[0])).toEqual({ id: 'type-building', expectedUpdatedAt: 'v-bld' });
  });

  it('"Show deleted" lists deleted types, which can be restored', async () => {
    const { calls, user } = renderApp({
      roots: [],
      handlers: {
        list_entity_types: (args) => (args?.includeDeleted ? [building, legacy] : [building]),
        restore_entity_type: () => ({ ...legacy, deletedAt: null }),
      },
    });
    await openTypes(user);
    expect(screen.queryByTestId('type-row-legacy')).toBeNull();
    await user.click(screen.getByTestId('types-show-deleted'));
    expect(await screen.findByTestId('type-row-legacy')).toHaveTextContent('Deleted');
    await user.click(screen.getByTestId('type-restore-legacy'));
    await waitFor(() => expect(callsOf(calls, 'restore_entity_type')).toEqual([{ id: 'type-legacy' }]));
  });
});

describe('who may change the types', () => {
  const reason = 'Read-only: only a global administrator changes types, properties and tags';
  const list = { list_entity_types: (args: Record<string, unknown> | undefined) => (args?.includeDeleted ? [building, site, legacy] : [building, site]) };
  /** Every control that changes a type, once deleted types are shown. */
  const changes = ['types-new', 'type-edit-building', 'type-delete-building', 'type-restore-legacy'];

  async function showAll(user: ReturnType<typeof renderApp>['user']) {
    await openTypes(user);
    await user.click(screen.getByTestId('types-show-deleted'));
    await screen.findByTestId('type-restore-legacy');
  }

  it('a person who is no global administrator reads every type, told once why nothing can be changed', async () => {
    // Even write and admin on a root change no global definition.
    const { calls, user } = renderApp({ roots: [], session: sessionOn('site', ['read', 'write', 'admin']), handlers: list });
    await showAll(user);
    const notice = await screen.findByTestId('types-read-only');
    expect(notice).toHaveAttribute('role', 'status');
    expect(notice).toHaveTextContent(reason);
    expect(screen.getAllByTestId('types-read-only')).toHaveLength(1);
    // Reading and browsing go on.
    expect(screen.getByTestId('type-row-building')).toHaveTextContent('12');
    expect(screen.getByTestId('types-show-deleted')).toBeEnabled();
    for (const id of changes) {
      expect(screen.getByTestId(id)).toBeDisabled();
      expect(screen.getByTestId(id)).toHaveAttribute('title', reason);
    }
    await user.click(screen.getByTestId('types-new'));
    expect(screen.queryByTestId('type-save')).toBeNull();
    expect(callsOf(calls, 'restore_entity_type')).toEqual([]);
  });

  it('an administrator, or a maintenance role, may change them', async () => {
    const maintenance: Session = { role: 'postgres', person: null, bypassesSecurity: true, roots: [] };
    for (const [session, shown] of [
      [undefined, 'Administrator'],
      [maintenance, 'maintenance role'],
    ] as const) {
      const { user, unmount } = renderApp({ roots: [], session, handlers: list });
      await showAll(user);
      // Once the session is known (the badge shows it), the view is final.
      expect(await screen.findByTestId('session-info')).toHaveTextContent(shown);
      expect(screen.queryByTestId('types-read-only')).toBeNull();
      for (const id of changes) {
        expect(screen.getByTestId(id)).toBeEnabled();
        expect(screen.getByTestId(id)).not.toHaveAttribute('title');
      }
      unmount();
    }
  });

  it('nothing can be changed while an administrator views as someone', async () => {
    const { user } = renderApp({ roots: [], handlers: { ...list, viewing_as: () => ALICE } });
    await showAll(user);
    expect(await screen.findByTestId('types-read-only')).toHaveTextContent('Viewing as Alice Ng: nothing can be changed');
    expect(screen.getByTestId('type-edit-building')).toBeDisabled();
    expect(screen.getByTestId('types-new')).toHaveAttribute('title', 'Viewing as Alice Ng: nothing can be changed');
  });

  it("opens a type's chosen view, else a view made from its layout", async () => {
    const generated = { version: 2, filter: { type: ['building'] }, columns: [{ field: 'name' }, { field: 'property:floors' }], sort: [], pageSize: 50, viewType: 'table' as const };
    let defaults: { entityTypeId: string; savedViewId: string; updatedAt: string }[] = [];
    const chosen = {
      id: 'view-1', key: null, name: 'Buildings by floors', description: null, viewType: 'table', ownerUserId: null, rootEntityId: null,
      config: generated, createdAt: 'v', updatedAt: 'v', deletedAt: null,
    };
    const { calls, user } = renderApp({
      roots: [],
      handlers: {
        list_entity_types: () => [building, legacy],
        type_default_views: () => defaults,
        generated_type_view: () => generated,
        list_views: () => [chosen],
        view_page: () => ({ rows: [], next: null }),
        view_count: () => ({ count: 0, exact: true }),
      },
    });
    await openTypes(user);
    // A deleted type has no view to open.
    expect(screen.queryByTestId('type-open-view-legacy')).toBeNull();
    await user.click(screen.getByTestId('type-open-view-building'));
    await waitFor(() => expect(screen.getByTestId('view-title')).toHaveTextContent(/^Building$/));
    expect(callsOf(calls, 'generated_type_view')).toEqual([{ entityTypeId: building.id }]);
    await waitFor(() => expect(callsOf(calls, 'view_count').at(-1)).toMatchObject({ document: { filter: { type: ['building'] } } }));

    defaults = [{ entityTypeId: building.id, savedViewId: 'view-1', updatedAt: 'v' }];
    await openTypes(user);
    await user.click(screen.getByTestId('type-open-view-building'));
    await waitFor(() => expect(screen.getByTestId('view-title')).toHaveTextContent('Buildings by floors'));
    expect(callsOf(calls, 'generated_type_view')).toHaveLength(1);
  });
});
