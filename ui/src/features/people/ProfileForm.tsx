import { Alert, Button, Checkbox, Group, NumberInput, PasswordInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconCircleCheck, IconPlugConnected } from '@tabler/icons-react';
import { useRef, useState } from 'react';
import type { ConnectionProblem, ConnectionProfile, ConnectionReport, TlsMode } from '../../bindings';
import { appErrorOf, describeError, fieldError, isFieldError } from '../../ipc/errors';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { FormDialog } from '../../shared/FormDialog';
import { rememberProfilePassword, saveProfile, testConnection } from './api';

/** The inputs the core may blame in a Validation error about a profile. */
const PROFILE_FIELDS = ['name', 'host', 'port', 'database', 'user', 'tls', 'password'] as const;

const TLS_MODES: { value: TlsMode; label: string }[] = [
  { value: 'prefer', label: 'Prefer TLS' },
  { value: 'require', label: 'Require TLS' },
  { value: 'verify-full', label: 'Require TLS, check the certificate' },
  { value: 'disable', label: 'No TLS' },
];

/** Whether `host` is this computer (as the core decides it). */
export function isLoopback(host: string): boolean {
  const h = host.trim().replace(/^\[/, '').replace(/\]$/, '').toLowerCase();
  return h === 'localhost' || h.startsWith('/') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::1' || h === '0:0:0:0:0:0:0:1';
}

/** The mode a new profile for `host` starts with: verified TLS unless the host is this computer. */
export const defaultTls = (host: string): TlsMode => (isLoopback(host) ? 'prefer' : 'verify-full');

/** Whether the mode may send plain text to a host that is not this computer. */
const mayBePlainText = (host: string, tls: TlsMode) => host.trim() !== '' && !isLoopback(host) && (tls === 'disable' || tls === 'prefer');

type Draft = Required<ConnectionProfile>;

type TestState =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'passed'; report: ConnectionReport }
  | { state: 'failed'; error: unknown; profile: ConnectionProfile };

/** The form's inputs for a new profile, or for the saved `profile`. */
function draftOf(profile: ConnectionProfile | null): Draft {
  if (!profile) return { name: '', host: '', port: 5432, database: 'eco_studio', user: '', tls: 'verify-full', allowPlaintext: false, transactionPooler: false, replica: null };
  const { name, host, port, database, user } = profile;
  // What the core assumes for a profile saved without them.
  return { name, host, port, database, user, tls: profile.tls ?? 'verify-full', allowPlaintext: profile.allowPlaintext ?? false, transactionPooler: profile.transactionPooler ?? false, replica: profile.replica ?? null };
}

type Props = {
  onClose: () => void;
  /** Called with the saved profile's (new) name. */
  onSaved: (name: string) => void;
  /** The saved profile to change (it is replaced under its old name); none: a new one. */
  editing?: ConnectionProfile | null;
  /** Whether the OS keychain keeps a password for `editing`. */
  passwordKept?: boolean;
};

/**
 * A new connection profile, or changes to a saved one: where a server is,
 * as whom and how securely. The password typed here is only used to test
 * the connection and, when asked, kept in the OS keychain; it never goes to
 * a file. A saved profile keeps its kept password (under its new name when
 * renamed); its TLS mode stays as chosen whatever the host.
 */
export function ProfileDialog({ onClose, onSaved, editing = null, passwordKept = false }: Props) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(editing));
  // A saved profile's mode was chosen before: the host no longer sets it.
  const [tlsChosen, setTlsChosen] = useState(editing !== null);
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [test, setTest] = useState<TestState>({ state: 'idle' });
  // Only the latest test may show its result.
  const testRun = useRef(0);

  const edit = (patch: Partial<Draft>) => {
    testRun.current += 1;
    setTest({ state: 'idle' });
    setDraft((d) => ({ ...d, ...patch }));
  };
  const plainTextPossible = mayBePlainText(draft.host, draft.tls);
  const profile = (): ConnectionProfile => ({ ...draft, allowPlaintext: plainTextPossible && draft.allowPlaintext });
  const canTest = draft.host.trim() !== '' && draft.database.trim() !== '' && draft.user.trim() !== '' && test.state !== 'running';
  const canSubmit = draft.name.trim() !== '' && draft.host.trim() !== '' && draft.database.trim() !== '' && draft.user.trim() !== '';
  const testError = test.state === 'failed' ? test.error : null;

  // The kept password stays under the old name until the profile is saved.
  const usesKept = editing !== null && passwordKept && password === '';

  const runTest = async () => {
    const run = ++testRun.current;
    const tested = profile();
    setTest({ state: 'running' });
    try {
      // No password: the backend uses the one kept for the name it is given.
      const report = await testConnection(editing && password === '' ? { ...tested, name: editing.name } : tested, password === '' ? null : password);
      if (run === testRun.current) setTest({ state: 'passed', report });
    } catch (error) {
      if (run === testRun.current) setTest({ state: 'failed', error, profile: tested });
    }
  };

  const save = async () => {
    const saved = profile();
    await saveProfile(saved, editing?.name ?? null);
    const name = saved.name.trim();
    if (remember && password !== '') {
      try {
        await rememberProfilePassword(name, password);
      } catch (e) {
        const { title, message } = describeError(e);
        notifications.show({ color: 'red', title: `"${name}" is saved, but its password could not be kept: ${title}`, message });
      }
    }
    onSaved(name);
  };

  return (
    <FormDialog title={editing ? 'Edit the connection profile' : 'A server to sign in to'} fields={PROFILE_FIELDS} canSubmit={canSubmit} onSubmit={save} onClose={onClose} submitLabel="Save profile" submitTestId="profile-save">
      {(error) => {
        const errorOf = (field: string) => fieldError(error, field) ?? fieldError(testError, field);
        return (
          <>
            <TextInput label="Name" value={draft.name} onChange={(e) => edit({ name: e.currentTarget.value })} error={errorOf('name')} required data-autofocus data-testid="profile-name" />
            <Group grow align="flex-start">
              <TextInput
                label="Host"
                value={draft.host}
                onChange={(e) => {
                  const host = e.currentTarget.value;
                  edit(tlsChosen ? { host } : { host, tls: defaultTls(host) });
                }}
                error={errorOf('host')}
                required
                data-testid="profile-host"
              />
              <NumberInput
                label="Port"
                value={draft.port}
                min={1}
                max={65535}
                allowDecimal={false}
                onChange={(v) => edit({ port: typeof v === 'number' ? v : 0 })}
                error={errorOf('port')}
                required
                data-testid="profile-port"
              />
            </Group>
            <TextInput label="Database" value={draft.database} onChange={(e) => edit({ database: e.currentTarget.value })} error={errorOf('database')} required data-testid="profile-database" />
            <TextInput label="Your database role" value={draft.user} onChange={(e) => edit({ user: e.currentTarget.value })} error={errorOf('user')} required data-testid="profile-user" />
            <Select
              label="Connection security"
              allowDeselect={false}
              value={draft.tls}
              onChange={(v) => {
                setTlsChosen(true);
                edit({ tls: (v as TlsMode | null) ?? defaultTls(draft.host) });
              }}
              data={TLS_MODES}
              error={errorOf('tls')}
              data-testid="profile-tls"
            />
            {plainTextPossible && (
              <Stack gap={4}>
                <Checkbox
                  label="Allow plain text to this server"
                  checked={draft.allowPlaintext}
                  onChange={(e) => edit({ allowPlaintext: e.currentTarget.checked })}
                  data-testid="profile-allow-plaintext"
                />
                <Text size="xs" c="var(--eco-warning-text)">
                  Without TLS the password and the data cross the network readable by anyone on the way.
                </Text>
              </Stack>
            )}
            <Checkbox
              label="Through PgBouncer in transaction mode"
              description="Tick when this address is a pooler with pool_mode = transaction: each transaction may then reach another server connection, and the studio keeps its work inside transactions."
              checked={draft.transactionPooler}
              onChange={(e) => edit({ transactionPooler: e.currentTarget.checked })}
              data-testid="profile-transaction-pooler"
            />
            <TextInput
              label="Read replica (optional)"
              description="A hot standby of this server for browsing, search, views and dashboards: host or host:port. Your own changes are read back from the server until the replica has them."
              value={draft.replica ?? ''}
              onChange={(e) => edit({ replica: e.currentTarget.value.trim() === '' ? null : e.currentTarget.value })}
              error={errorOf('replica')}
              data-testid="profile-replica"
            />
            <PasswordInput
              label="Password"
              description={
                usesKept
                  ? 'Leave empty to test with the password the OS keychain keeps; a typed one is used to test and, if you ask, kept instead.'
                  : 'Used to test the connection and, if you ask, kept in the OS keychain; never written to a file.'
              }
              placeholder={editing && passwordKept ? 'The kept password will be used' : undefined}
              value={password}
              onChange={(e) => {
                testRun.current += 1;
                setTest({ state: 'idle' });
                setPassword(e.currentTarget.value);
              }}
              error={errorOf('password')}
              data-testid="profile-password"
            />
            <Checkbox
              label="Remember the password in the OS keychain"
              checked={remember}
              onChange={(e) => setRemember(e.currentTarget.checked)}
              data-testid="profile-remember-password"
            />
            <Group gap="sm" align="flex-start" wrap="nowrap">
              <Button
                variant="default"
                leftSection={<IconPlugConnected size={14} />}
                loading={test.state === 'running'}
                disabled={!canTest}
                onClick={() => void runTest()}
                data-testid="profile-test"
              >
                Test connection
              </Button>
            </Group>
            <TestResult test={test} />
          </>
        );
      }}
    </FormDialog>
  );
}

/** The plain sentence for a connection problem. */
function problemSentence(problem: ConnectionProblem, profile: ConnectionProfile): string {
  switch (problem) {
    case 'wrongPassword':
      return 'The server refused the role or its password.';
    case 'unreachable':
      return `Cannot reach ${profile.host.trim()}:${profile.port}.`;
    case 'tlsMismatch':
      return 'The TLS mode does not match the server.';
    case 'missingExtensions':
      return 'The database lacks extensions Eco Studio needs.';
    case 'poolerSetting':
      return 'The pooler in transaction mode keeps prepared statements after a transaction.';
  }
}

const SCHEMA_STATES: Record<string, string> = {
  current: 'The Eco Studio schema is current.',
  missing: 'The database has no Eco Studio schema yet.',
  older: 'The Eco Studio schema there is older than this app.',
  newer: 'The Eco Studio schema there is newer than this app.',
};

/** What the last connection test found, or why it failed. */
function TestResult({ test }: { test: TestState }) {
  if (test.state === 'idle' || test.state === 'running') return null;
  if (test.state === 'failed') {
    const appError = appErrorOf(test.error);
    if (appError?.type === 'Connection') {
      return (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={problemSentence(appError.data.problem, test.profile)} data-testid="profile-test-result">
          <Text size="sm">{appError.data.message}</Text>
        </Alert>
      );
    }
    // A refused input shows under its field.
    if (isFieldError(test.error, PROFILE_FIELDS)) return null;
    return (
      <div data-testid="profile-test-result">
        <ErrorNotice error={test.error} compact />
      </div>
    );
  }
  const { report } = test;
  const warnings = [
    report.bypassesSecurity && `${report.role} bypasses row-level security (a superuser or maintenance role); signing in refuses it.`,
    !report.isPerson && `${report.role} is not a person in this database; signing in needs one.`,
    report.schema !== 'current' && (SCHEMA_STATES[report.schema] ?? `The schema state is "${report.schema}".`),
  ].filter((w): w is string => typeof w === 'string');
  return (
    <Alert
      color={warnings.length > 0 ? 'yellow' : 'green'}
      variant="light"
      icon={warnings.length > 0 ? <IconAlertTriangle size={18} /> : <IconCircleCheck size={18} />}
      title="Connected"
      data-testid="profile-test-result"
    >
      <Stack gap={4}>
        <Text size="sm">
          PostgreSQL {report.serverVersion}, as {report.role}, TLS {report.tls ? 'on' : 'off'}.
        </Text>
        {(report.isPerson || report.schema === 'current') && (
          <Text size="sm">{[report.isPerson && `${report.role} is a person here.`, report.schema === 'current' && SCHEMA_STATES.current].filter(Boolean).join(' ')}</Text>
        )}
        {warnings.map((warning) => (
          <Text key={warning} size="sm" c="orange.9" data-testid="profile-test-warning">
            {warning}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}
