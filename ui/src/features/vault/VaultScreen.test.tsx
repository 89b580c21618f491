import { emit } from '@tauri-apps/api/event';
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppError, CreateSecret, JobProgress, RootVault, SecretSummary, SecretVersionInfo, TenantKey, TenantKeyVersion, VaultStatus, WriteSecret } from '../../bindings';
import { renderApp, settle } from '../../test/app';
import { callsOf, makeNode, sendRegistryChanged, T0, type Handler, type IpcArgs } from '../../test/fixtures';

const north = makeNode({ id: 'north', name: 'North Campus', pathLabel: 'north_campus', hasChildren: true });
const rack = makeNode({ id: 'rack-1', parentId: 'north', name: 'Rack 1', pathLabel: 'north_campus.rack_1', typeKey: 'rack', typeName: 'Rack' });

const keyVersion = (version: number, secretVersions: number, fields: Partial<TenantKeyVersion> = {}): TenantKeyVersion => ({
  id: `kv-${version}`,
  version,
  createdAt: T0,
  activatedAt: T0,
  retiredAt: null,
  secretVersions,
  ...fields,
});

const northKey: TenantKey = {
  id: 'key-north',
  rootId: 'north',
  provider: 'os-keychain',
  status: 'active',
  createdAt: T0,
  minimumVersion: 1,
  newestVersion: 2,
  versions: [keyVersion(2, 3), keyVersion(1, 4)],
  secretVersionsBehind: 4,
};

const rootVault = (rootId: string, rootName: string, key: TenantKey | null, fields: Partial<RootVault> = {}): RootVault => ({
  rootId,
  rootName,
  canAdmin: true,
  canReadSecrets: true,
  canWriteSecrets: true,
  key,
  ...fields,
});

const wifi: SecretSummary = {
  id: 'sec-wifi',
  name: 'Wi-Fi password',
  rootId: 'north',
  parentId: 'rack-1',
  pathLabel: 'north_campus.rack_1.wi_fi_password',
  latestVersion: 2,
  latestKeyVersion: 2,
  updatedAt: T0,
};
const sealed: SecretSummary = { ...wifi, id: 'sec-bmc', name: 'BMC password', pathLabel: 'north_campus.rack_1.bmc_password', latestVersion: null, latestKeyVersion: null };

const secretVersion = (version: number, keyVersion: number, fields: Partial<SecretVersionInfo> = {}): SecretVersionInfo => ({
  id: `sv-${version}`,
  secretId: wifi.id,
  version,
  keyVersion,
  createdAt: T0,
  createdByUserId: 'person-eco_admin',
  createdByName: 'Administrator',
  reason: null,
  ...fields,
});

const vaultError = (kind: Extract<AppError, { type: 'Vault' }>['data']['kind'], message: string): AppError => ({ type: 'Vault', data: { kind, message } });

type VaultState = { status: VaultStatus; secrets: SecretSummary[] };

/** A backend with a vault: the status changes as the commands do; `handlers` replace single commands. */
function vaultBackend(initial: Partial<VaultStatus> = {}, handlers: Record<string, Handler> = {}) {
  const state: VaultState = {
    status: {
      locked: false,
      hasPassphrase: false,
      idleLockSeconds: 900,
      keychainProblem: null,
      roots: [rootVault('north', 'North Campus', northKey), rootVault('south', 'South Campus', null), rootVault('east', 'East Campus', null, { canAdmin: false })],
      ...initial,
    },
    secrets: [wifi, sealed],
  };
  const setKey = (rootId: string, key: TenantKey) => {
    state.status = { ...state.status, roots: state.status.roots.map((r) => (r.rootId === rootId ? { ...r, key } : r)) };
    return key;
  };
  const keyOf = (args: IpcArgs) => state.status.roots.find((r) => r.rootId === (args as { rootId: string }).rootId)!.key!;
  const rendered = renderApp({
    roots: [north],
    children: { north: [rack], 'rack-1': [] },
    handlers: {
      vault_status: () => state.status,
      vault_unlock: (args) => {
        const { passphrase } = args as { passphrase: string | null };
        if (passphrase === 'wrong') throw vaultError('wrongPassphrase', 'the passphrase does not open the keys');
        state.status = { ...state.status, locked: false, hasPassphrase: passphrase !== null };
        return state.status;
      },
      vault_lock: () => {
        state.status = { ...state.status, locked: true, hasPassphrase: false };
        return state.status;
      },
      vault_create_key: (args) => {
        const { rootId, provider } = args as { rootId: string; provider: string };
        return setKey(rootId, { ...northKey, id: `key-${rootId}`, rootId, provider, newestVersion: 1, versions: [keyVersion(1, 0)], secretVersionsBehind: 0 });
      },
      vault_rotate: (args) => {
        const key = keyOf(args);
        const next = key.newestVersion + 1;
        return setKey(key.rootId, { ...key, newestVersion: next, versions: [keyVersion(next, 0), ...key.versions], secretVersionsBehind: 7 });
      },
      vault_set_minimum: (args) => {
        const key = keyOf(args);
        return setKey(key.rootId, { ...key, minimumVersion: (args as { minimum: number }).minimum });
      },
      vault_rewrap: () => ({ jobId: 'rw-1', total: 4 }),
      vault_set_idle: (args) => {
        state.status = { ...state.status, idleLockSeconds: (args as { seconds: number }).seconds };
        return null;
      },
      list_secrets: (args) => {
        const { rootId } = args as { rootId: string | null };
        return state.secrets.filter((s) => rootId === null || s.rootId === rootId);
      },
      secret_versions: () => [secretVersion(2, 2, { reason: 'new router' }), secretVersion(1, 1, { createdByName: null })],
      reveal_secret: (args) => {
        const { secretId, version } = args as { secretId: string; version: number | null };
        return { secretId, version: version ?? 2, value: version === 1 ? 'old-horse-battery' : 'correct-horse-battery' };
      },
      create_secret: (args) => {
        const input = (args as { input: CreateSecret }).input;
        const created: SecretSummary = { ...wifi, id: 'sec-new', name: input.name, parentId: input.parentId, pathLabel: `north_campus.rack_1.${input.name}`, latestVersion: 1, latestKeyVersion: 2 };
        state.secrets = [...state.secrets, created];
        return created;
      },
      write_secret: (args) => {
        const input = (args as { input: WriteSecret }).input;
        return secretVersion(3, 2, { secretId: input.secretId, reason: input.reason });
      },
      search_entities: () => ({ hits: [rack], total: 1, totalCapped: false }),
      ...handlers,
    },
  });
  return { ...rendered, state };
}

async function openVault(initial: Partial<VaultStatus> = {}, handlers: Record<string, Handler> = {}) {
  const rendered = vaultBackend(initial, handlers);
  await rendered.user.click(await within(await screen.findByTestId('view-switch')).findByText('Vault'));
  await screen.findByTestId('vault-screen');
  return rendered;
}

type User = ReturnType<typeof renderApp>['user'];

async function selectSecret(user: User, id = wifi.id) {
  await user.click(await screen.findByTestId(`vault-secret-row-${id}`));
  return screen.findByTestId('secret-detail');
}

/** Reveals with a reason through the dialog (Enter submits). */
async function revealWithReason(user: User, button: string, reason = 'checking the router') {
  await user.click(screen.getByTestId(button));
  const input = await screen.findByTestId('secret-reveal-reason');
  expect(screen.getByTestId('secret-reveal-submit')).toBeDisabled();
  await user.type(input, `${reason}{Enter}`);
}

afterEach(() => {
  vi.useRealTimers();
});

// Whole-app flows through several dialogs: slower than the default limit under load.
describe('VaultScreen', { timeout: 20_000 }, () => {
  it('locked: shows the banner and the keychain notice; a wrong passphrase stays in the dialog, the right one unlocks', async () => {
    const { user, calls } = await openVault({ locked: true, keychainProblem: 'no Secret Service on this desktop' });
    expect(await screen.findByTestId('vault-locked')).toHaveTextContent('The vault is locked');
    expect(screen.getByTestId('vault-keychain-problem')).toHaveTextContent('no Secret Service on this desktop');
    expect(screen.getByTestId('vault-lock-button')).toHaveAttribute('aria-label', 'Unlock the vault');

    await user.click(screen.getByTestId('vault-unlock'));
    const dialog = await screen.findByTestId('vault-unlock-dialog');
    await user.type(within(dialog).getByTestId('vault-passphrase'), 'wrong{Enter}');
    expect(await within(dialog).findByText('the passphrase does not open the keys')).toBeInTheDocument();
    expect(screen.getByTestId('vault-unlock-dialog')).toBeInTheDocument();
    expect(callsOf(calls, 'vault_unlock')).toEqual([{ passphrase: 'wrong' }]);

    await user.clear(screen.getByTestId('vault-passphrase'));
    await user.type(screen.getByTestId('vault-passphrase'), 'open sesame');
    await user.click(screen.getByTestId('vault-unlock-submit'));
    await waitFor(() => expect(screen.queryByTestId('vault-unlock-dialog')).toBeNull());
    expect(callsOf(calls, 'vault_unlock')[1]).toEqual({ passphrase: 'open sesame' });
    expect(screen.queryByTestId('vault-locked')).toBeNull();
    expect(screen.getByTestId('vault-unlocked')).toHaveTextContent('With the passphrase');
    expect(screen.getByTestId('vault-lock-button')).toHaveAttribute('aria-label', 'Lock the vault');
  });

  it('an empty passphrase unlocks with the keychain only; Escape closes the dialog', async () => {
    const { user, calls } = await openVault({ locked: true });
    await user.click(await screen.findByTestId('vault-unlock'));
    await screen.findByTestId('vault-unlock-dialog');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('vault-unlock-dialog')).toBeNull());
    await user.click(screen.getByTestId('vault-unlock'));
    await user.click(await screen.findByTestId('vault-unlock-submit'));
    await waitFor(() => expect(screen.queryByTestId('vault-locked')).toBeNull());
    expect(callsOf(calls, 'vault_unlock')).toEqual([{ passphrase: null }]);
  });

  it('the toolbar button locks an open vault and opens the unlock dialog for a locked one', async () => {
    const { user, calls } = await openVault();
    const button = await screen.findByTestId('vault-lock-button');
    expect(button).toHaveAttribute('aria-label', 'Lock the vault');
    await user.click(button);
    await waitFor(() => expect(callsOf(calls, 'vault_lock')).toHaveLength(1));
    expect(await screen.findByTestId('vault-locked')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('vault-lock-button')).toHaveAttribute('aria-label', 'Unlock the vault'));
    await user.click(screen.getByTestId('vault-lock-button'));
    expect(await screen.findByTestId('vault-unlock-dialog')).toBeInTheDocument();
  });

  it('sets how long the vault stays open without use', async () => {
    const { user, calls } = await openVault();
    const idle = await screen.findByTestId('vault-idle');
    expect(idle).toHaveValue('15 minutes');
    await user.click(idle);
    await user.click(await screen.findByRole('option', { name: '1 hour' }));
    await waitFor(() => expect(callsOf(calls, 'vault_set_idle')).toEqual([{ seconds: 3600 }]));
    await waitFor(() => expect(screen.getByTestId('vault-idle')).toHaveValue('1 hour'));
  });

  it('shows each root with its key and versions; without a key, Create key for its administrators only', async () => {
    await openVault();
    const card = await screen.findByTestId('vault-root-north');
    expect(card).toHaveTextContent('North Campus');
    expect(card).toHaveTextContent('OS keychain');
    expect(within(card).getByTestId('vault-key-summary-north')).toHaveTextContent('Newest version 2 · decrypts from version 1');
    expect(within(card).getByTestId('vault-behind-north')).toHaveTextContent('4 secret versions on older key versions');
    const versions = within(card).getByTestId('vault-key-versions-north');
    expect(within(versions).getAllByRole('row')).toHaveLength(3);
    expect(within(versions).getByTestId('vault-key-version-north-2')).toHaveTextContent('newest');
    expect(within(versions).getByTestId('vault-key-version-north-1')).toHaveTextContent(/^1.*4$/);
    expect(screen.getByTestId('vault-create-key-south')).toBeInTheDocument();
    expect(screen.queryByTestId('vault-create-key-north')).toBeNull();
    // Not an administrator of East: no key to create, and it says who can.
    expect(screen.queryByTestId('vault-create-key-east')).toBeNull();
    expect(screen.getByTestId('vault-root-east')).toHaveTextContent('until an administrator creates one');
  });

  it('creates a key with the chosen provider; the keychain is not offered while it is unavailable', async () => {
    const { user, calls } = await openVault({ keychainProblem: 'no keychain' });
    await user.click(await screen.findByTestId('vault-create-key-south'));
    const provider = await screen.findByTestId('vault-provider');
    expect(within(provider).getByLabelText('OS keychain')).toBeDisabled();
    expect(within(provider).getByLabelText('Passphrase')).toBeChecked();
    await user.click(screen.getByTestId('vault-create-key-submit'));
    await waitFor(() => expect(callsOf(calls, 'vault_create_key')).toEqual([{ rootId: 'south', provider: 'passphrase' }]));
    await waitFor(() => expect(screen.queryByTestId('vault-create-key-submit')).toBeNull());
    expect(await screen.findByTestId('vault-key-versions-south')).toBeInTheDocument();
    expect(screen.getByTestId('vault-provider-south')).toHaveTextContent('Passphrase');
  });

  it('creates a keychain key by default when the keychain works', async () => {
    const { user, calls } = await openVault();
    await user.click(await screen.findByTestId('vault-create-key-south'));
    expect(within(await screen.findByTestId('vault-provider')).getByLabelText('OS keychain')).toBeChecked();
    await user.click(screen.getByTestId('vault-create-key-submit'));
    await waitFor(() => expect(callsOf(calls, 'vault_create_key')).toEqual([{ rootId: 'south', provider: 'os-keychain' }]));
  });

  it('rotates after asking', async () => {
    const { user, calls } = await openVault();
    await user.click(await screen.findByTestId('vault-rotate-north'));
    expect(await screen.findByText(/sealed with key version 3/)).toBeInTheDocument();
    expect(callsOf(calls, 'vault_rotate')).toEqual([]);
    await user.click(screen.getByTestId('vault-rotate-confirm'));
    await waitFor(() => expect(callsOf(calls, 'vault_rotate')).toEqual([{ rootId: 'north' }]));
    await waitFor(() => expect(screen.getByTestId('vault-key-summary-north')).toHaveTextContent('Newest version 3'));
    expect(within(screen.getByTestId('vault-key-versions-north')).getAllByRole('row')).toHaveLength(4);
  });

  it('starts a rewrap as a background job, and the jobs panel says what it moved', async () => {
    const { user, calls } = await openVault({
      roots: [rootVault('north', 'North Campus', northKey), rootVault('south', 'South Campus', { ...northKey, id: 'key-south', rootId: 'south', secretVersionsBehind: 0 })],
    });
    expect(await screen.findByTestId('vault-rewrap-south')).toBeDisabled();
    await user.click(screen.getByTestId('vault-rewrap-north'));
    await waitFor(() => expect(callsOf(calls, 'vault_rewrap')).toEqual([{ rootId: 'north' }]));
    const job = await screen.findByTestId('job-rw-1');
    expect(job).toHaveTextContent('Rewrapping secrets of "North Campus"');
    expect(job).toHaveAttribute('data-status', 'running');

    const progress: JobProgress = { jobId: 'rw-1', done: 3, total: 4, state: { state: 'rewrapped', rewrapped: 3, keyVersion: 2, remaining: 1 } };
    await act(async () => void (await emit('job-progress', progress)));
    await waitFor(() => expect(screen.getByTestId('job-rw-1')).toHaveAttribute('data-status', 'committed'));
    expect(screen.getByTestId('job-rewrap-rw-1')).toHaveTextContent('Rewrapped 3 secret versions to key version 2 · 1 left');
  });

  it('warns how many secret versions a higher minimum would refuse, then applies it', async () => {
    const { user, calls } = await openVault();
    const minimum = await screen.findByTestId('vault-minimum-north');
    expect(screen.getByTestId('vault-minimum-apply-north')).toBeDisabled();
    expect(screen.queryByTestId('vault-minimum-warning-north')).toBeNull();
    await user.clear(minimum);
    await user.type(minimum, '2');
    expect(screen.getByTestId('vault-minimum-warning-north')).toHaveTextContent('4 secret versions would refuse to decrypt');
    await user.click(screen.getByTestId('vault-minimum-apply-north'));
    await waitFor(() => expect(callsOf(calls, 'vault_set_minimum')).toEqual([{ rootId: 'north', minimum: 2 }]));
    await waitFor(() => expect(screen.getByTestId('vault-key-summary-north')).toHaveTextContent('decrypts from version 2'));
    expect(screen.getByTestId('vault-key-version-north-1')).toHaveTextContent('below minimum');
  });

  it('hides the key actions from a person who does not administer the root', async () => {
    await openVault({ roots: [rootVault('north', 'North Campus', northKey, { canAdmin: false })] });
    expect(await screen.findByTestId('vault-key-versions-north')).toBeInTheDocument();
    expect(screen.queryByTestId('vault-rotate-north')).toBeNull();
    expect(screen.queryByTestId('vault-rewrap-north')).toBeNull();
    expect(screen.queryByTestId('vault-minimum-north')).toBeNull();
  });

  it('lists the secrets with their versions, "hidden" where they cannot be read, and filters by root', async () => {
    const { user, calls } = await openVault();
    const list = await screen.findByTestId('vault-secrets');
    const row = within(list).getByTestId('vault-secret-row-sec-wifi');
    expect(row).toHaveTextContent('Wi-Fi password');
    expect(row).toHaveTextContent('north_campus.rack_1.wi_fi_password');
    expect(row).toHaveTextContent('v2');
    expect(within(list).getByTestId('vault-secret-row-sec-bmc')).toHaveTextContent('hidden');
    expect(callsOf(calls, 'list_secrets')).toEqual([{ rootId: null }]);

    await user.click(screen.getByTestId('vault-secrets-root'));
    await user.click(await screen.findByRole('option', { name: 'South Campus' }));
    await waitFor(() => expect(callsOf(calls, 'list_secrets')).toContainEqual({ rootId: 'south' }));
    expect(await screen.findByTestId('vault-secrets-empty')).toBeInTheDocument();
  });

  it('reveals with a reason, shows the value until Hide, and keeps it out of the query cache', async () => {
    const { user, calls, client } = await openVault();
    const detail = await selectSecret(user);
    const versions = await within(detail).findByTestId('secret-versions');
    expect(within(versions).getByTestId('secret-version-2')).toHaveTextContent('new router');
    expect(within(versions).getByTestId('secret-version-2')).toHaveTextContent('Administrator');
    expect(within(versions).getByTestId('secret-version-1')).toHaveTextContent('person-eco_admin');

    await revealWithReason(user, 'secret-reveal');
    expect(await screen.findByTestId('secret-revealed-value')).toHaveTextContent('correct-horse-battery');
    expect(callsOf(calls, 'reveal_secret')).toEqual([{ secretId: 'sec-wifi', version: null, reason: 'checking the router' }]);
    expect(screen.queryByTestId('secret-reveal-reason')).toBeNull();
    const cached = JSON.stringify([...client.getQueryCache().getAll().map((q) => q.state.data), ...client.getMutationCache().getAll().map((m) => m.state.data)]);
    expect(cached).not.toContain('correct-horse-battery');

    await user.click(screen.getByTestId('secret-hide'));
    expect(screen.queryByTestId('secret-revealed-value')).toBeNull();

    // An older version, from its row.
    await revealWithReason(user, 'secret-reveal-1', 'audit');
    expect(await screen.findByTestId('secret-revealed-value')).toHaveTextContent('old-horse-battery');
    expect(callsOf(calls, 'reveal_secret')[1]).toEqual({ secretId: 'sec-wifi', version: 1, reason: 'audit' });
  });

  it('the revealed value hides itself after 30 seconds; Copy clears the clipboard after 20', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ['setTimeout', 'clearTimeout'] });
    const { user } = await openVault();
    await selectSecret(user);
    await revealWithReason(user, 'secret-reveal');
    await screen.findByTestId('secret-revealed-value');
    const write = vi.spyOn(navigator.clipboard, 'writeText');
    await user.click(screen.getByTestId('secret-copy'));
    await waitFor(() => expect(write).toHaveBeenCalledWith('correct-horse-battery'));
    expect(await screen.findByText('The clipboard is cleared in 20 seconds.')).toBeInTheDocument();
    await act(async () => void vi.advanceTimersByTime(20_000));
    expect(write).toHaveBeenLastCalledWith('');
    expect(screen.getByTestId('secret-revealed-value')).toBeInTheDocument();
    await act(async () => void vi.advanceTimersByTime(10_000));
    expect(screen.queryByTestId('secret-revealed-value')).toBeNull();
  });

  it('the vault locking elsewhere hides a revealed value', async () => {
    const { user, state } = await openVault();
    await selectSecret(user);
    await revealWithReason(user, 'secret-reveal');
    await screen.findByTestId('secret-revealed-value');
    state.status = { ...state.status, locked: true };
    await sendRegistryChanged({ kind: 'vaultChanged', rootId: null, secretId: null });
    await waitFor(() => expect(screen.queryByTestId('secret-revealed-value')).toBeNull());
    expect(await screen.findByTestId('vault-locked')).toBeInTheDocument();
  });

  it('a reveal refused as locked opens the unlock dialog; other refusals show as a notice', async () => {
    let refusal = vaultError('locked', 'the vault is locked');
    const { user } = await openVault({}, {
      reveal_secret: () => {
        throw refusal;
      },
    });
    await selectSecret(user);
    await revealWithReason(user, 'secret-reveal');
    const dialog = await screen.findByTestId('vault-unlock-dialog');
    expect(within(dialog).getByTestId('vault-unlock-reason')).toHaveTextContent('The vault is locked');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByTestId('vault-unlock-dialog')).toBeNull());

    refusal = vaultError('retired', 'key version 1 is retired');
    await user.click(screen.getByTestId('secret-reveal-submit'));
    expect(await screen.findByText('key version 1 is retired')).toBeInTheDocument();
    expect(screen.getByText('Key version retired')).toBeInTheDocument();
    expect(screen.queryByTestId('vault-unlock-dialog')).toBeNull();
  });

  it('creates a secret under an entity picked by name', async () => {
    const { user, calls } = await openVault();
    await user.click(await screen.findByTestId('vault-new-secret'));
    expect(screen.getByTestId('secret-create-submit')).toBeDisabled();
    await user.type(screen.getByTestId('secret-parent'), 'Rack');
    await user.click(await screen.findByTestId('secret-parent-option-rack-1'));
    expect(screen.getByTestId('secret-parent-chosen')).toHaveTextContent('Rack 1');
    await user.type(screen.getByTestId('secret-name'), 'snmp');
    await user.type(screen.getByTestId('secret-value'), 'public-not');
    await user.type(screen.getByTestId('secret-reason'), 'new switch{Enter}');
    await waitFor(() =>
      expect(callsOf(calls, 'create_secret')).toEqual([{ input: { parentId: 'rack-1', name: 'snmp', value: 'public-not', reason: 'new switch' } }]),
    );
    // The new secret is open, and the list has it.
    expect(await screen.findByTestId('secret-detail')).toHaveTextContent('snmp');
    expect(await screen.findByTestId('vault-secret-row-sec-new')).toBeInTheDocument();
  });

  it('writes a new version', async () => {
    const { user, calls } = await openVault();
    await selectSecret(user);
    await user.click(screen.getByTestId('secret-new-version'));
    await user.type(await screen.findByTestId('secret-new-value'), 'even-better');
    await user.type(screen.getByTestId('secret-new-reason'), 'yearly change');
    await user.click(screen.getByTestId('secret-write-submit'));
    await waitFor(() => expect(callsOf(calls, 'write_secret')).toEqual([{ input: { secretId: 'sec-wifi', value: 'even-better', reason: 'yearly change' } }]));
    await waitFor(() => expect(screen.queryByTestId('secret-write-submit')).toBeNull());
    // The versions are read again.
    await waitFor(() => expect(callsOf(calls, 'secret_versions').length).toBeGreaterThan(1));
    await settle();
  });
});
