import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, ConnectionProfile, Session } from '../../bindings';
import { renderApp } from '../../test/app';
import { ADMIN_SESSION, ALICE, callsOf, makeNode, type IpcArgs } from '../../test/fixtures';

const northwind = makeNode({ id: 'root-nw', name: 'Northwind Energy', pathLabel: 'northwind_energy' });
const aliceSession: Session = { role: 'alice', person: ALICE, bypassesSecurity: false, roots: [{ rootId: northwind.id, capabilities: ['read'] }] };
const input = (args: IpcArgs) => (args as { input: Record<string, unknown> }).input;

function open(extra: Record<string, (args: IpcArgs) => unknown> = {}, profiles: ConnectionProfile[] = []) {
  let session = ADMIN_SESSION;
  const saved = [...profiles];
  const app = renderApp({
    roots: [northwind],
    session,
    handlers: {
      current_session: () => session,
      list_profiles: () => saved,
      save_profile: (args) => {
        const { profile, replacing } = args as { profile: ConnectionProfile; replacing: string | null };
        const at = replacing === null ? -1 : saved.findIndex((p) => p.name === replacing);
        if (at === -1) saved.push(profile);
        else saved.splice(at, 1, profile);
        return null;
      },
      sign_in: () => {
        session = aliceSession;
        return aliceSession;
      },
      ...extra,
    },
  });
  return app;
}

async function openDialog(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByTestId('session-info'));
  await user.click(await screen.findByTestId('session-switch'));
  return screen.findByRole('dialog');
}

describe('switching person', () => {
  it("signs in as a person on this computer's database with their password, then shows them", async () => {
    const { calls, user } = open();
    const dialog = await openDialog(user);
    // The administrator needs no password here; a person does.
    expect(within(dialog).queryByTestId('sign-in-password')).toBeNull();
    await user.click(within(dialog).getByText('A person, with their password'));
    expect(screen.getByTestId('sign-in-submit')).toBeDisabled();
    await user.type(screen.getByTestId('sign-in-user'), 'alice');
    await user.type(screen.getByTestId('sign-in-password'), 's3cret-Pw');
    await user.click(screen.getByTestId('sign-in-submit'));
    await waitFor(() => expect(callsOf(calls, 'sign_in')).toHaveLength(1));
    expect(input(callsOf(calls, 'sign_in')[0])).toEqual({ profile: null, user: 'alice', password: 's3cret-Pw' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // Everything is read again as Alice: the badge names her.
    await waitFor(() => expect(screen.getByTestId('session-info')).toHaveTextContent('Alice Ng'));
  });

  it('keeps the dialog on a refusal, says why and clears the password', async () => {
    const refusal: AppError = { type: 'Forbidden', data: { message: 'the server refused the sign-in (wrong role or password?): password authentication failed for user "alice"' } };
    const { calls, user } = open({
      sign_in: () => {
        throw refusal;
      },
    });
    const dialog = await openDialog(user);
    await user.click(within(dialog).getByText('A person, with their password'));
    await user.type(screen.getByTestId('sign-in-user'), 'alice');
    await user.type(screen.getByTestId('sign-in-password'), 'wrong');
    await user.click(screen.getByTestId('sign-in-submit'));
    expect(await within(dialog).findByText(/password authentication failed/)).toBeInTheDocument();
    expect(screen.getByTestId('sign-in-password')).toHaveValue('');
    expect(screen.getByTestId('sign-in-user')).toHaveValue('alice');
    expect(screen.getByTestId('sign-in-submit')).toBeDisabled();
    expect(callsOf(calls, 'sign_in')).toHaveLength(1);
    expect(screen.getByTestId('session-info')).toHaveTextContent('Administrator');
  });

  it('saves a server profile without a password and signs in through it as its role', async () => {
    const { calls, user } = open();
    await openDialog(user);
    await user.click(screen.getByTestId('sign-in-new-profile'));
    await user.type(await screen.findByTestId('profile-name'), 'Field office');
    await user.type(screen.getByTestId('profile-host'), 'db.field.example');
    await user.type(screen.getByTestId('profile-user'), 'alice');
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(callsOf(calls, 'save_profile')).toHaveLength(1));
    expect(callsOf(calls, 'save_profile')[0]).toEqual({
      // A host that is not this computer gets a checked certificate by default.
      profile: { name: 'Field office', host: 'db.field.example', port: 5432, database: 'eco_studio', user: 'alice', tls: 'verify-full', allowPlaintext: false, transactionPooler: false, replica: null },
      replacing: null,
    });
    // Back in the sign-in, on the new profile, its role assumed.
    expect(await screen.findByTestId('sign-in-profile-summary')).toHaveTextContent('db.field.example:5432, database eco_studio, TLS verify-full');
    await user.type(screen.getByTestId('sign-in-password'), 'pw');
    await user.click(screen.getByTestId('sign-in-submit'));
    await waitFor(() => expect(callsOf(calls, 'sign_in')).toHaveLength(1));
    expect(input(callsOf(calls, 'sign_in')[0])).toEqual({ profile: 'Field office', user: 'alice', password: 'pw' });
  });

  it('edits a chosen server profile, then signs in through it under its new name', async () => {
    const field: ConnectionProfile = { name: 'Field office', host: 'db.field.example', port: 5432, database: 'eco_studio', user: 'alice', tls: 'require', allowPlaintext: false, transactionPooler: false, replica: null };
    const { calls, user } = open({}, [field]);
    await openDialog(user);
    await user.click(screen.getByTestId('sign-in-place'));
    await user.click(await screen.findByRole('option', { name: 'Field office' }));
    await user.click(await screen.findByTestId('profile-edit'));
    expect(await screen.findByRole('dialog', { name: 'Edit the connection profile' })).toBeInTheDocument();
    expect(screen.getByTestId('profile-name')).toHaveValue('Field office');
    await user.type(screen.getByTestId('profile-name'), ' 2');
    await user.clear(screen.getByTestId('profile-user'));
    await user.type(screen.getByTestId('profile-user'), 'carol');
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(callsOf(calls, 'save_profile')).toHaveLength(1));
    expect(callsOf(calls, 'save_profile')[0]).toEqual({ profile: { ...field, name: 'Field office 2', user: 'carol' }, replacing: 'Field office' });
    await waitFor(() => expect(screen.getByTestId('sign-in-place')).toHaveValue('Field office 2'));
    expect(screen.getByTestId('sign-in-profile-summary')).toHaveTextContent('db.field.example:5432, database eco_studio, TLS require');
    expect(screen.getByTestId('sign-in-user')).toHaveAttribute('placeholder', 'carol');
    await user.type(screen.getByTestId('sign-in-password'), 'pw');
    await user.click(screen.getByTestId('sign-in-submit'));
    await waitFor(() => expect(callsOf(calls, 'sign_in')).toHaveLength(1));
    expect(input(callsOf(calls, 'sign_in')[0])).toEqual({ profile: 'Field office 2', user: 'carol', password: 'pw' });
  });

  it('leaves the People view for the registry when the new person manages no people', async () => {
    const { user } = open();
    await user.click(await within(await screen.findByTestId('view-switch')).findByText('People'));
    await openDialog(user);
    await user.click(screen.getByText('A person, with their password'));
    await user.type(screen.getByTestId('sign-in-user'), 'alice');
    await user.type(screen.getByTestId('sign-in-password'), 'pw');
    await user.click(screen.getByTestId('sign-in-submit'));
    await waitFor(() => expect(screen.getByTestId('session-info')).toHaveTextContent('Alice Ng'));
    expect(await screen.findByRole('tree')).toBeInTheDocument();
    expect(within(screen.getByTestId('view-switch')).queryByText('People')).toBeNull();
  });

  it("goes back to this computer's administrator without a password", async () => {
    const { calls, user } = open();
    await openDialog(user);
    await user.click(screen.getByTestId('sign-in-submit'));
    await waitFor(() => expect(callsOf(calls, 'sign_in')).toHaveLength(1));
    expect(input(callsOf(calls, 'sign_in')[0])).toEqual({ profile: null, user: null, password: null });
  });
});
