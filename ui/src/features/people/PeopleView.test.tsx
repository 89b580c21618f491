import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, Scope, Session } from '../../bindings';
import { renderApp } from '../../test/app';
import { ADMIN_SESSION, callsOf, makeNode, makePerson, type IpcArgs } from '../../test/fixtures';

const admin = ADMIN_SESSION.person!;
const alice = makePerson({ pgRole: 'alice', displayName: 'Alice Ng', email: 'alice@example.com' });
const owner = makePerson({ pgRole: 'postgres', displayName: 'postgres', maintenance: true });
const gone = makePerson({ pgRole: 'bob', displayName: 'Bob', deletedAt: '2026-11-29T10:00:00Z' });
const northwind = makeNode({ id: 'root-nw', name: 'Northwind Energy', pathLabel: 'northwind_energy' });
const helios = makeNode({ id: 'root-he', name: 'Helios Facilities', pathLabel: 'helios_facilities' });
const aliceOnNorthwind: Scope = { id: 'scope-1', userId: alice.id, rootId: northwind.id, rootName: 'Northwind Energy', rootLabel: 'northwind_energy', capabilities: ['read'], updatedAt: 'v1' };
const input = (args: IpcArgs) => (args as { input: Record<string, unknown> }).input;

function openPeople(session: Session = ADMIN_SESSION, extra: Record<string, (args: IpcArgs) => unknown> = {}) {
  return renderApp({
    roots: [northwind, helios],
    session,
    handlers: {
      list_people: () => [admin, alice, owner, gone],
      list_scopes: () => [aliceOnNorthwind],
      ...extra,
    },
  });
}

async function showPeople(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await within(await screen.findByTestId('view-switch')).findByText('People'));
  return screen.findByTestId('people-table');
}

describe('people view', () => {
  it('shows who the app is signed in as, and lists people with their kind and status', async () => {
    const { user } = openPeople();
    expect(await screen.findByTestId('session-info')).toHaveTextContent('Administratoradministrator');
    const table = await showPeople(user);
    expect(within(table).getByTestId('person-row-eco_admin')).toHaveTextContent('You');
    expect(within(table).getByTestId('person-row-alice')).toHaveTextContent('Alice Ngalice@example.comalicePersonActive');
    expect(within(table).getByTestId('person-row-postgres')).toHaveTextContent('Maintenance');
    expect(within(table).getByTestId('person-row-bob')).toHaveTextContent('Deactivated');
    // Nobody deactivates themselves; an administrator needs no scopes.
    expect(screen.getByTestId('person-deactivate-eco_admin')).toBeDisabled();
    expect(screen.getByTestId('person-scopes-eco_admin')).toBeDisabled();
    expect(screen.getByTestId('person-deactivate-alice')).toBeEnabled();
  });

  it('has no People view for a person who administers nothing', async () => {
    const plain: Session = { role: 'alice', person: alice, bypassesSecurity: false, roots: [{ rootId: northwind.id, capabilities: ['read', 'write'] }] };
    openPeople(plain);
    // Once the session is known (the badge shows it), the views are final.
    expect(await screen.findByTestId('session-info')).toHaveTextContent('Alice Ng');
    const views = screen.getByTestId('view-switch');
    expect(views).toHaveTextContent('RegistryViewsDashboardsWorkflowsDataTrashTypesPropertiesTags');
    expect(within(views).queryByText('People')).toBeNull();
  });

  it('adds a person and shows the generated password once', async () => {
    const { calls, user } = openPeople(ADMIN_SESSION, {
      add_person: (args) => ({ person: makePerson({ pgRole: 'carol', displayName: 'Carol' }), password: 'Xy7pQ2mK9sLr4TbW8vNc3HdZ', ...{ _: input(args) } }),
    });
    await showPeople(user);
    await user.click(screen.getByTestId('people-add'));
    await user.type(screen.getByTestId('person-name'), 'Carol');
    await user.type(screen.getByTestId('person-role'), 'carol');
    await user.click(screen.getByTestId('person-save'));
    await waitFor(() => expect(callsOf(calls, 'add_person')).toHaveLength(1));
    expect(input(callsOf(calls, 'add_person')[0])).toEqual({ role: 'carol', displayName: 'Carol', email: null, login: { kind: 'newRoleWithPassword' }, isAdmin: false });
    expect(await screen.findByTestId('person-password')).toHaveTextContent('Xy7pQ2mK9sLr4TbW8vNc3HdZ');
    await user.click(screen.getByTestId('person-added-done'));
    await waitFor(() => expect(screen.queryByTestId('person-password')).toBeNull());
    // The list is read again.
    await waitFor(() => expect(callsOf(calls, 'list_people').length).toBeGreaterThan(1));
  });

  it('shows a refused role name under its field and keeps the form', async () => {
    const refusal: AppError = { type: 'Validation', data: { field: 'role', rule: 'format', message: 'a role name is 1 to 63 lowercase letters, digits and underscores' } };
    const { user } = openPeople(ADMIN_SESSION, {
      add_person: () => {
        throw refusal;
      },
    });
    await showPeople(user);
    await user.click(screen.getByTestId('people-add'));
    await user.type(screen.getByTestId('person-name'), 'Dan');
    await user.type(screen.getByTestId('person-role'), 'Dan');
    await user.click(screen.getByTestId('person-save'));
    expect(await screen.findByText('a role name is 1 to 63 lowercase letters, digits and underscores')).toBeInTheDocument();
    expect(screen.getByTestId('person-role')).toHaveValue('Dan');
  });

  it("sets a person's capabilities on a root, and removes a scope", async () => {
    const { calls, user } = openPeople(ADMIN_SESSION, {
      grant_scope: (args) => ({ ...aliceOnNorthwind, id: 'scope-2', rootId: helios.id, capabilities: (input(args).capabilities as string[]) }),
      revoke_scope: () => aliceOnNorthwind,
    });
    await showPeople(user);
    await user.click(screen.getByTestId('person-scopes-alice'));
    const helio = await screen.findByTestId('scope-row-helios_facilities');
    expect(helio).toHaveTextContent('No access');
    expect(screen.getByTestId('scope-row-northwind_energy')).toHaveTextContent('Scoped');
    expect(screen.getByTestId('scope-save-helios_facilities')).toBeDisabled();
    await user.click(within(helio).getByText('Read'));
    await user.click(within(helio).getByText('Write'));
    await user.click(screen.getByTestId('scope-save-helios_facilities'));
    await waitFor(() => expect(callsOf(calls, 'grant_scope')).toHaveLength(1));
    expect(input(callsOf(calls, 'grant_scope')[0])).toEqual({ userId: alice.id, rootId: helios.id, capabilities: ['read', 'write'] });
    await user.click(screen.getByTestId('scope-revoke-northwind_energy'));
    await waitFor(() => expect(callsOf(calls, 'revoke_scope')).toEqual([{ id: 'scope-1' }]));
  });

  it('deactivates a person after asking', async () => {
    const { calls, user } = openPeople(ADMIN_SESSION, { deactivate_person: () => ({ ...alice, deletedAt: '2026-11-30T10:00:00Z' }) });
    await showPeople(user);
    await user.click(screen.getByTestId('person-deactivate-alice'));
    await user.click(await screen.findByTestId('person-deactivate-confirm'));
    await waitFor(() => expect(callsOf(calls, 'deactivate_person')).toEqual([{ id: alice.id }]));
  });

  it('views the registry as a person, read-only, and stops', async () => {
    let viewing: typeof alice | null = null;
    const aliceSession: Session = { role: 'alice', person: alice, bypassesSecurity: false, roots: [{ rootId: northwind.id, capabilities: ['read'] }] };
    const { calls, user } = openPeople(ADMIN_SESSION, {
      viewing_as: () => viewing,
      current_session: () => (viewing ? aliceSession : ADMIN_SESSION),
      start_view_as: () => {
        viewing = alice;
        return aliceSession;
      },
      stop_view_as: () => {
        viewing = null;
        return ADMIN_SESSION;
      },
    });
    await showPeople(user);
    expect(screen.getByTestId('person-view-as-eco_admin')).toBeDisabled();
    await user.click(screen.getByTestId('person-view-as-alice'));
    await waitFor(() => expect(callsOf(calls, 'start_view_as')).toEqual([{ id: alice.id }]));
    expect(await screen.findByTestId('viewing-as')).toHaveTextContent('Viewing as Alice Ng: what they see, read-only');
    // Back in the registry; no People view for Alice.
    expect(await screen.findByRole('tree')).toBeInTheDocument();
    await waitFor(() => expect(within(screen.getByTestId('view-switch')).queryByText('People')).toBeNull());
    await user.click(screen.getByTestId('viewing-as-stop'));
    await waitFor(() => expect(callsOf(calls, 'stop_view_as')).toHaveLength(1));
    expect(await screen.findByTestId('session-info')).toHaveTextContent('Administrator');
    expect(await within(screen.getByTestId('view-switch')).findByText('People')).toBeInTheDocument();
  });

  it('offers no changes where the person may only read, and says why', async () => {
    const reader: Session = { role: 'alice', person: alice, bypassesSecurity: false, roots: [{ rootId: northwind.id, capabilities: ['read'] }] };
    const { user } = openPeople(reader);
    const row = await screen.findByTestId('tree-row-northwind_energy');
    await waitFor(() => expect(screen.getByTestId('tree-new-root')).toBeDisabled());
    await user.pointer({ keys: '[MouseRight]', target: row });
    expect(await screen.findByTestId('ctx-read-only')).toHaveTextContent("Read-only: you need the 'write' capability on Northwind Energy");
    for (const action of ['new-child', 'rename', 'move', 'bulk-edit', 'delete']) expect(screen.getByTestId(`ctx-${action}`)).toBeDisabled();
    expect(screen.getByTestId('ctx-copy-id')).toBeEnabled();
    await user.keyboard('{Escape}');
    // The keys say the same instead of opening a form.
    await user.click(row);
    await user.keyboard('{F2}');
    expect(await screen.findByText('Not yours to change')).toBeInTheDocument();
    expect(screen.queryByTestId('rename-input')).toBeNull();
  });
});
