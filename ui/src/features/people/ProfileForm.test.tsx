import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppError, ConnectionProblem, ConnectionProfile, ConnectionReport, Session } from '../../bindings';
import { renderApp } from '../../test/app';
import { ADMIN_SESSION, ALICE, callsOf, makeNode, type IpcArgs } from '../../test/fixtures';
import { defaultTls, isLoopback } from './ProfileForm';

const northwind = makeNode({ id: 'root-nw', name: 'Northwind Energy', pathLabel: 'northwind_energy' });
const aliceSession: Session = { role: 'alice', person: ALICE, bypassesSecurity: false, roots: [{ rootId: northwind.id, capabilities: ['read'] }] };
const input = (args: IpcArgs) => (args as { input: Record<string, unknown> }).input;
const production: ConnectionProfile = { name: 'Production', host: 'db.example.org', port: 5432, database: 'eco', user: 'alice', tls: 'verify-full', allowPlaintext: false, transactionPooler: false, replica: null };
const goodReport: ConnectionReport = { serverVersion: '16.2', role: 'alice', tls: true, isPerson: true, bypassesSecurity: false, schema: 'current' };

/** The app on a fake backend that keeps profiles and kept passwords. */
function open(extra: Record<string, (args: IpcArgs) => unknown> = {}, profiles: ConnectionProfile[] = [], keptNames: string[] = []) {
  const saved = [...profiles];
  const kept = new Set(keptNames);
  const app = renderApp({
    roots: [northwind],
    session: ADMIN_SESSION,
    handlers: {
      list_profiles: () => saved,
      // As the core: `replacing` names the profile replaced, whose kept password moves to the new name.
      save_profile: (args) => {
        const { profile, replacing } = args as { profile: ConnectionProfile; replacing: string | null };
        const at = replacing === null ? -1 : saved.findIndex((p) => p.name === replacing);
        if (at === -1) saved.push(profile);
        else saved.splice(at, 1, profile);
        if (replacing !== null && replacing !== profile.name && kept.delete(replacing)) kept.add(profile.name);
        return null;
      },
      profile_passwords: () => [...kept],
      remember_profile_password: (args) => {
        kept.add((args as { name: string }).name);
        return null;
      },
      forget_profile_password: (args) => {
        kept.delete((args as { name: string }).name);
        return null;
      },
      test_connection: () => goodReport,
      sign_in: () => aliceSession,
      ...extra,
    },
  });
  return app;
}

async function openSignIn(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByTestId('session-info'));
  await user.click(await screen.findByTestId('session-switch'));
  return screen.findByRole('dialog');
}

async function openNewProfile(user: ReturnType<typeof renderApp>['user']) {
  await openSignIn(user);
  await user.click(screen.getByTestId('sign-in-new-profile'));
  return screen.findByTestId('profile-name');
}

async function pickTls(user: ReturnType<typeof renderApp>['user'], label: string) {
  await user.click(screen.getByTestId('profile-tls'));
  await user.click(await screen.findByRole('option', { name: label }));
}

async function fillProfile(user: ReturnType<typeof renderApp>['user'], host = 'db.field.example') {
  await user.type(await screen.findByTestId('profile-name'), 'Field office');
  await user.type(screen.getByTestId('profile-host'), host);
  await user.type(screen.getByTestId('profile-user'), 'alice');
}

describe('loopback hosts', () => {
  it('knows this computer as the core does', () => {
    expect(['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '/var/run/postgresql'].every(isLoopback)).toBe(true);
    expect(['db.example.org', '10.0.0.5', '128.0.0.1', 'localhost.example.org', ''].some(isLoopback)).toBe(false);
    expect(defaultTls('localhost')).toBe('prefer');
    expect(defaultTls('db.example.org')).toBe('verify-full');
  });
});

describe('the connection profile form', () => {
  it('defaults the TLS mode by host until the person picks one', async () => {
    const { user } = open();
    await openNewProfile(user);
    const tls = screen.getByTestId('profile-tls');
    expect(tls).toHaveValue('Require TLS, check the certificate');
    await user.type(screen.getByTestId('profile-host'), 'localhost');
    expect(tls).toHaveValue('Prefer TLS');
    // Plain text to this computer needs no leave.
    expect(screen.queryByTestId('profile-allow-plaintext')).toBeNull();
    await user.clear(screen.getByTestId('profile-host'));
    await user.type(screen.getByTestId('profile-host'), '127.0.0.1');
    expect(tls).toHaveValue('Prefer TLS');
    await user.clear(screen.getByTestId('profile-host'));
    await user.type(screen.getByTestId('profile-host'), 'db.example.org');
    expect(tls).toHaveValue('Require TLS, check the certificate');
    // Once chosen, the host no longer changes it.
    await pickTls(user, 'Require TLS');
    await user.clear(screen.getByTestId('profile-host'));
    await user.type(screen.getByTestId('profile-host'), 'localhost');
    expect(tls).toHaveValue('Require TLS');
  });

  it('asks leave for plain text to another computer, and shows the refusal under the TLS control', async () => {
    const refusal: AppError = { type: 'Validation', data: { message: 'plain text to db.field.example needs your leave', field: 'tls', rule: 'format' } };
    const saved: ConnectionProfile[] = [];
    const { calls, user } = open({
      list_profiles: () => saved,
      save_profile: (args) => {
        const profile = (args as { profile: ConnectionProfile }).profile;
        if (!profile.allowPlaintext) throw refusal;
        saved.push(profile);
        return null;
      },
    });
    await openNewProfile(user);
    await fillProfile(user);
    expect(screen.queryByTestId('profile-allow-plaintext')).toBeNull();
    await pickTls(user, 'No TLS');
    expect(screen.getByTestId('profile-allow-plaintext')).not.toBeChecked();
    expect(screen.getByRole('dialog')).toHaveTextContent(/readable by anyone/);
    await pickTls(user, 'Require TLS');
    expect(screen.queryByTestId('profile-allow-plaintext')).toBeNull();
    await pickTls(user, 'Prefer TLS');
    // Without the leave the core refuses; its message shows under the control.
    await user.click(screen.getByTestId('profile-save'));
    expect(await screen.findByText('plain text to db.field.example needs your leave')).toBeInTheDocument();
    expect(screen.queryByTestId('error-notice')).toBeNull();
    await user.click(screen.getByTestId('profile-allow-plaintext'));
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(callsOf(calls, 'save_profile')).toHaveLength(2));
    expect((callsOf(calls, 'save_profile')[1] as { profile: ConnectionProfile }).profile).toMatchObject({ tls: 'prefer', allowPlaintext: true, transactionPooler: false, replica: null });
    expect(await screen.findByTestId('sign-in-profile-summary')).toHaveTextContent('TLS prefer');
  });

  it('tests the connection with the typed password and says what it found', async () => {
    const { calls, user } = open();
    await openNewProfile(user);
    expect(screen.getByTestId('profile-test')).toBeDisabled();
    await fillProfile(user);
    await user.type(screen.getByTestId('profile-password'), 'pw');
    await user.click(screen.getByTestId('profile-test'));
    const result = await screen.findByTestId('profile-test-result');
    expect(callsOf(calls, 'test_connection')).toEqual([
      { profile: { name: 'Field office', host: 'db.field.example', port: 5432, database: 'eco_studio', user: 'alice', tls: 'verify-full', allowPlaintext: false, transactionPooler: false, replica: null }, password: 'pw' },
    ]);
    expect(result).toHaveTextContent('Connected');
    expect(result).toHaveTextContent('PostgreSQL 16.2, as alice, TLS on.');
    expect(result).toHaveTextContent('alice is a person here.');
    expect(result).toHaveTextContent('The Eco Studio schema is current.');
    expect(within(result).queryAllByTestId('profile-test-warning')).toHaveLength(0);
    // Nothing is saved by a test; a change to the form clears its result.
    expect(callsOf(calls, 'save_profile')).toHaveLength(0);
    await user.type(screen.getByTestId('profile-database'), '2');
    expect(screen.queryByTestId('profile-test-result')).toBeNull();
    // Without the box the typed password is not kept.
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(callsOf(calls, 'save_profile')).toHaveLength(1));
    expect(await screen.findByTestId('sign-in-profile-summary')).toBeInTheDocument();
    expect(callsOf(calls, 'remember_profile_password')).toHaveLength(0);
  });

  it('warns about a role that bypasses security, is no person, or a schema that is not current', async () => {
    const { user } = open({ test_connection: () => ({ serverVersion: '17.0', role: 'postgres', tls: false, isPerson: false, bypassesSecurity: true, schema: 'older' }) });
    await openNewProfile(user);
    await fillProfile(user);
    await user.click(screen.getByTestId('profile-test'));
    const result = await screen.findByTestId('profile-test-result');
    expect(result).toHaveTextContent('PostgreSQL 17.0, as postgres, TLS off.');
    const warnings = within(result).getAllByTestId('profile-test-warning').map((w) => w.textContent);
    expect(warnings).toEqual([
      'postgres bypasses row-level security (a superuser or maintenance role); signing in refuses it.',
      'postgres is not a person in this database; signing in needs one.',
      'The Eco Studio schema there is older than this app.',
    ]);
  });

  it.each<[ConnectionProblem, string]>([
    ['wrongPassword', 'The server refused the role or its password.'],
    ['unreachable', 'Cannot reach db.field.example:5432.'],
    ['tlsMismatch', 'The TLS mode does not match the server.'],
    ['missingExtensions', 'The database lacks extensions Eco Studio needs.'],
  ])('says plainly what a failed test (%s) means', async (problem, sentence) => {
    const failure: AppError = { type: 'Connection', data: { problem, message: `details of ${problem}` } };
    const { calls, user } = open({
      test_connection: () => {
        throw failure;
      },
    });
    await openNewProfile(user);
    await fillProfile(user);
    await user.click(screen.getByTestId('profile-test'));
    const result = await screen.findByTestId('profile-test-result');
    expect(result).toHaveTextContent(sentence);
    expect(result).toHaveTextContent(`details of ${problem}`);
    // No password typed: the kept one, if any, is used.
    expect((callsOf(calls, 'test_connection')[0] as { password: unknown }).password).toBeNull();
  });

  it('keeps the password in the keychain after saving, then signs in with it', async () => {
    const { calls, user } = open();
    await openNewProfile(user);
    await fillProfile(user);
    await user.type(screen.getByTestId('profile-password'), 'pw');
    await user.click(screen.getByTestId('profile-remember-password'));
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(callsOf(calls, 'remember_profile_password')).toHaveLength(1));
    const order = calls.map((c) => c.cmd).filter((cmd) => cmd === 'save_profile' || cmd === 'remember_profile_password');
    expect(order).toEqual(['save_profile', 'remember_profile_password']);
    expect(callsOf(calls, 'remember_profile_password')[0]).toEqual({ name: 'Field office', password: 'pw' });
    // Back in the sign-in: the password is kept, so none need be typed.
    expect(await screen.findByTestId('profile-password-kept-Field office')).toBeInTheDocument();
    expect(screen.getByTestId('sign-in-password')).toHaveValue('');
    expect(screen.getByTestId('sign-in-password')).toHaveAttribute('placeholder', 'The kept password will be used');
    await user.click(screen.getByTestId('sign-in-submit'));
    await waitFor(() => expect(callsOf(calls, 'sign_in')).toHaveLength(1));
    expect(input(callsOf(calls, 'sign_in')[0])).toEqual({ profile: 'Field office', user: null, password: null });
  });

  it('keeps the saved profile and says so when the keychain refuses the password', async () => {
    const keychain: AppError = { type: 'Database', data: { message: 'no keychain service' } };
    const { calls, user } = open({
      remember_profile_password: () => {
        throw keychain;
      },
    });
    await openNewProfile(user);
    await fillProfile(user);
    await user.type(screen.getByTestId('profile-password'), 'pw');
    await user.click(screen.getByTestId('profile-remember-password'));
    await user.click(screen.getByTestId('profile-save'));
    expect(await screen.findByText(/"Field office" is saved, but its password could not be kept/)).toBeInTheDocument();
    expect(screen.getByText('no keychain service')).toBeInTheDocument();
    expect(callsOf(calls, 'save_profile')).toHaveLength(1);
    expect(await screen.findByTestId('sign-in-profile-summary')).toHaveTextContent('db.field.example:5432');
    expect(screen.queryByTestId('profile-password-kept-Field office')).toBeNull();
    // Without a kept password one must be typed.
    expect(screen.getByTestId('sign-in-submit')).toBeDisabled();
  });

  it('shows which profile has a kept password and forgets it', async () => {
    const { calls, user } = open({}, [production], ['Production']);
    await openSignIn(user);
    await user.click(screen.getByTestId('sign-in-place'));
    await user.click(await screen.findByRole('option', { name: /^Production/ }));
    expect(await screen.findByTestId('profile-password-kept-Production')).toHaveTextContent('password kept');
    expect(screen.getByTestId('sign-in-submit')).toBeEnabled();
    // Another role needs its own password.
    await user.type(screen.getByTestId('sign-in-user'), 'bob');
    expect(screen.getByTestId('sign-in-submit')).toBeDisabled();
    await user.clear(screen.getByTestId('sign-in-user'));
    expect(screen.getByTestId('sign-in-submit')).toBeEnabled();
    await user.click(screen.getByTestId('profile-forget-password'));
    await waitFor(() => expect(screen.queryByTestId('profile-password-kept-Production')).toBeNull());
    expect(callsOf(calls, 'forget_profile_password')).toEqual([{ name: 'Production' }]);
    expect(screen.getByTestId('sign-in-submit')).toBeDisabled();
    expect(screen.queryByTestId('profile-forget-password')).toBeNull();
  });
});

async function chooseProfile(user: ReturnType<typeof renderApp>['user'], name: string) {
  await user.click(screen.getByTestId('sign-in-place'));
  await user.click(await screen.findByRole('option', { name: new RegExp(`^${name}`) }));
  return screen.findByTestId('sign-in-profile-summary');
}

async function openEdit(user: ReturnType<typeof renderApp>['user'], name: string) {
  await openSignIn(user);
  await chooseProfile(user, name);
  await user.click(screen.getByTestId('profile-edit'));
  return screen.findByTestId('profile-name');
}

describe('editing a saved profile', () => {
  const lab: ConnectionProfile = { name: 'Lab', host: 'lab.example.org', port: 6543, database: 'eco_lab', user: 'bob', tls: 'prefer', allowPlaintext: true, transactionPooler: false, replica: null };

  it('offers editing only for a chosen profile and opens the form filled with it', async () => {
    const { calls, user } = open({}, [production, lab]);
    await openSignIn(user);
    expect(screen.queryByTestId('profile-edit')).toBeNull();
    await chooseProfile(user, 'Lab');
    expect(screen.getByTestId('profile-edit')).toHaveAccessibleName('Edit the profile Lab');
    await user.click(screen.getByTestId('profile-edit'));
    expect(await screen.findByRole('dialog', { name: 'Edit the connection profile' })).toBeInTheDocument();
    expect(screen.getByTestId('profile-name')).toHaveValue('Lab');
    expect(screen.getByTestId('profile-host')).toHaveValue('lab.example.org');
    expect(screen.getByTestId('profile-port')).toHaveValue('6543');
    expect(screen.getByTestId('profile-database')).toHaveValue('eco_lab');
    expect(screen.getByTestId('profile-user')).toHaveValue('bob');
    expect(screen.getByTestId('profile-tls')).toHaveValue('Prefer TLS');
    expect(screen.getByTestId('profile-allow-plaintext')).toBeChecked();
    expect(screen.getByTestId('profile-password')).toHaveValue('');
    // No password is kept for it: nothing says one will be used.
    expect(screen.getByTestId('profile-password')).not.toHaveAttribute('placeholder');
    // Cancel changes nothing and goes back to the same profile.
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByTestId('sign-in-profile-summary')).toHaveTextContent('lab.example.org:6543, database eco_lab, TLS prefer');
    expect(screen.getByTestId('sign-in-place')).toHaveValue('Lab');
    expect(callsOf(calls, 'save_profile')).toHaveLength(0);
  });

  it('saves the changes in place of the old profile and keeps it chosen', async () => {
    const { calls, user } = open({}, [production, lab]);
    await openEdit(user, 'Production');
    await user.type(screen.getByTestId('profile-port'), '{Backspace}3');
    await user.clear(screen.getByTestId('profile-database'));
    await user.type(screen.getByTestId('profile-database'), 'eco_prod');
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(callsOf(calls, 'save_profile')).toHaveLength(1));
    expect(callsOf(calls, 'save_profile')[0]).toEqual({
      profile: { ...production, port: 5433, database: 'eco_prod' },
      replacing: 'Production',
    });
    expect(await screen.findByTestId('sign-in-profile-summary')).toHaveTextContent('db.example.org:5433, database eco_prod, TLS verify-full');
    expect(screen.getByTestId('sign-in-place')).toHaveValue('Production');
    await user.click(screen.getByTestId('sign-in-place'));
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(["This computer's database", 'Production', 'Lab']);
  });

  it('keeps a renamed profile chosen under its new name, with its kept password', async () => {
    const { calls, user } = open({}, [production, lab], ['Production']);
    await openEdit(user, 'Production');
    await user.clear(screen.getByTestId('profile-name'));
    await user.type(screen.getByTestId('profile-name'), 'Production EU');
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(callsOf(calls, 'save_profile')).toHaveLength(1));
    expect(callsOf(calls, 'save_profile')[0]).toEqual({ profile: { ...production, name: 'Production EU' }, replacing: 'Production' });
    // No password typed: none is sent to the keychain (the core moves the kept one).
    expect(callsOf(calls, 'remember_profile_password')).toHaveLength(0);
    await waitFor(() => expect(screen.getByTestId('sign-in-place')).toHaveValue('Production EU'));
    expect(await screen.findByTestId('profile-password-kept-Production EU')).toBeInTheDocument();
    expect(screen.getByTestId('sign-in-profile-summary')).toHaveTextContent('db.example.org:5432, database eco, TLS verify-full');
    await user.click(screen.getByTestId('sign-in-place'));
    expect((await screen.findAllByRole('option')).map((o) => o.textContent)).toEqual(["This computer's database", 'Production EU', 'Lab']);
    await user.keyboard('{Escape}');
    // Signing in goes through the new name, with the kept password.
    await user.click(screen.getByTestId('sign-in-submit'));
    await waitFor(() => expect(callsOf(calls, 'sign_in')).toHaveLength(1));
    expect(input(callsOf(calls, 'sign_in')[0])).toEqual({ profile: 'Production EU', user: null, password: null });
  });

  it('keeps the TLS mode as saved whatever the host', async () => {
    const pinned: ConnectionProfile = { name: 'Pinned', host: 'db.example.org', port: 5432, database: 'eco', user: 'alice', tls: 'require', allowPlaintext: false, transactionPooler: false, replica: null };
    const local: ConnectionProfile = { name: 'Local', host: 'localhost', port: 5432, database: 'eco', user: 'alice', tls: 'verify-full', allowPlaintext: false, transactionPooler: false, replica: null };
    const { calls, user } = open({}, [pinned, local]);
    await openEdit(user, 'Local');
    // A new profile for localhost would start with "prefer"; this one keeps its mode.
    const tls = screen.getByTestId('profile-tls');
    expect(tls).toHaveValue('Require TLS, check the certificate');
    await user.clear(screen.getByTestId('profile-host'));
    await user.type(screen.getByTestId('profile-host'), '127.0.0.1');
    expect(tls).toHaveValue('Require TLS, check the certificate');
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(callsOf(calls, 'save_profile')).toHaveLength(1));
    expect(callsOf(calls, 'save_profile')[0]).toEqual({ profile: { ...local, host: '127.0.0.1' }, replacing: 'Local' });

    await user.click(await screen.findByTestId('profile-edit'));
    await user.clear(await screen.findByTestId('profile-host'));
    await user.type(screen.getByTestId('profile-host'), 'localhost');
    expect(screen.getByTestId('profile-tls')).toHaveValue('Require TLS, check the certificate');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));

    await chooseProfile(user, 'Pinned');
    await user.click(screen.getByTestId('profile-edit'));
    expect(await screen.findByTestId('profile-tls')).toHaveValue('Require TLS');
    await user.clear(screen.getByTestId('profile-host'));
    await user.type(screen.getByTestId('profile-host'), 'localhost');
    expect(screen.getByTestId('profile-tls')).toHaveValue('Require TLS');
  });

  it('takes a profile saved without a TLS mode as the core does', async () => {
    const bare = { name: 'Bare', host: 'localhost', port: 5432, database: 'eco', user: 'alice' } as ConnectionProfile;
    const { calls, user } = open({}, [bare]);
    await openEdit(user, 'Bare');
    expect(screen.getByTestId('profile-tls')).toHaveValue('Require TLS, check the certificate');
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(callsOf(calls, 'save_profile')).toHaveLength(1));
    expect(callsOf(calls, 'save_profile')[0]).toEqual({ profile: { ...bare, tls: 'verify-full', allowPlaintext: false, transactionPooler: false, replica: null }, replacing: 'Bare' });
  });

  it('tests the connection with the kept password when none is typed, even before a rename is saved', async () => {
    const { calls, user } = open({}, [production], ['Production']);
    await openEdit(user, 'Production');
    const password = screen.getByTestId('profile-password');
    expect(password).toHaveAttribute('placeholder', 'The kept password will be used');
    await user.click(screen.getByTestId('profile-test'));
    expect(await screen.findByTestId('profile-test-result')).toHaveTextContent('Connected');
    expect(callsOf(calls, 'test_connection')).toEqual([{ profile: production, password: null }]);
    // Renamed but not saved: the keychain still keeps the password under the old name.
    await user.type(screen.getByTestId('profile-name'), ' EU');
    await user.click(screen.getByTestId('profile-test'));
    await waitFor(() => expect(callsOf(calls, 'test_connection')).toHaveLength(2));
    expect(callsOf(calls, 'test_connection')[1]).toEqual({ profile: production, password: null });
    // A typed password is tested as typed, on the profile as it stands.
    await user.type(password, 'pw');
    await user.click(screen.getByTestId('profile-test'));
    await waitFor(() => expect(callsOf(calls, 'test_connection')).toHaveLength(3));
    expect(callsOf(calls, 'test_connection')[2]).toEqual({ profile: { ...production, name: 'Production EU' }, password: 'pw' });
    expect(callsOf(calls, 'save_profile')).toHaveLength(0);
  });

  it('keeps a newly typed password under the new name when asked', async () => {
    const { calls, user } = open({}, [production], ['Production']);
    await openEdit(user, 'Production');
    await user.clear(screen.getByTestId('profile-name'));
    await user.type(screen.getByTestId('profile-name'), 'Prod');
    await user.type(screen.getByTestId('profile-password'), 'new-pw');
    await user.click(screen.getByTestId('profile-remember-password'));
    await user.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(callsOf(calls, 'remember_profile_password')).toHaveLength(1));
    const order = calls.map((c) => c.cmd).filter((cmd) => cmd === 'save_profile' || cmd === 'remember_profile_password');
    expect(order).toEqual(['save_profile', 'remember_profile_password']);
    expect(callsOf(calls, 'save_profile')[0]).toEqual({ profile: { ...production, name: 'Prod' }, replacing: 'Production' });
    expect(callsOf(calls, 'remember_profile_password')[0]).toEqual({ name: 'Prod', password: 'new-pw' });
    expect(await screen.findByTestId('profile-password-kept-Prod')).toBeInTheDocument();
    expect(screen.getByTestId('sign-in-place')).toHaveValue('Prod');
  });
});
