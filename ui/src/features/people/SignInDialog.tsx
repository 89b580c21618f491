import { Button, Group, NumberInput, PasswordInput, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ConnectionProfile, TlsMode } from '../../bindings';
import { describeError, fieldError } from '../../ipc/errors';
import { FormDialog } from '../../shared/FormDialog';
import { profilesQuery, removeProfile, saveProfile, useSignIn } from './api';

/** The value of "this computer's database" in the list of places. */
const LOCAL = '';

const SIGN_IN_FIELDS = ['user', 'password', 'profile'] as const;

/**
 * Switches the window to another person: on this computer's database (its
 * administrator, or a person with their password) or on a server through a
 * connection profile. The password goes to the database once and is kept
 * nowhere; on a refusal it is cleared and nothing else changes.
 */
export function SignInDialog({ onClose }: { onClose: () => void }) {
  const profiles = useQuery(profilesQuery);
  const queryClient = useQueryClient();
  const signIn = useSignIn();
  const [place, setPlace] = useState(LOCAL);
  const [asAdministrator, setAsAdministrator] = useState(true);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [editing, setEditing] = useState(false);
  const profile = profiles.data?.find((p) => p.name === place) ?? null;
  const needsPassword = place !== LOCAL || !asAdministrator;
  const role = user.trim() || profile?.user || '';
  const canSubmit = !needsPassword || (role !== '' && password !== '');

  const choose = (name: string) => {
    setPlace(name);
    setUser('');
    setPassword('');
  };

  const remove = async (name: string) => {
    try {
      await removeProfile(name);
      await queryClient.invalidateQueries(profilesQuery);
      choose(LOCAL);
    } catch (e) {
      const { title, message } = describeError(e);
      notifications.show({ color: 'red', title: `Could not remove "${name}": ${title}`, message });
    }
  };

  const submit = async () => {
    try {
      await signIn({
        profile: place === LOCAL ? null : place,
        user: needsPassword ? role : null,
        password: needsPassword ? password : null,
      });
    } catch (e) {
      setPassword('');
      throw e;
    }
  };

  if (editing) {
    return (
      <ProfileDialog
        onClose={() => setEditing(false)}
        onSaved={(name) => {
          void queryClient.invalidateQueries(profilesQuery).then(() => choose(name));
          setEditing(false);
        }}
      />
    );
  }

  return (
    <FormDialog title="Sign in as someone else" fields={SIGN_IN_FIELDS} canSubmit={canSubmit} onSubmit={submit} onClose={onClose} submitLabel="Sign in" submitTestId="sign-in-submit">
      {(error) => (
        <>
          <Group align="flex-end" gap="xs" wrap="nowrap">
            <Select
              label="Database"
              style={{ flex: 1 }}
              allowDeselect={false}
              value={place}
              onChange={(v) => choose(v ?? LOCAL)}
              data={[{ value: LOCAL, label: "This computer's database" }, ...(profiles.data ?? []).map((p) => ({ value: p.name, label: p.name }))]}
              error={fieldError(error, 'profile')}
              data-testid="sign-in-place"
            />
            <Button variant="default" leftSection={<IconPlus size={14} />} onClick={() => setEditing(true)} data-testid="sign-in-new-profile">
              Server…
            </Button>
            {profile && (
              <Button
                variant="subtle"
                color="red"
                aria-label={`Remove the profile ${profile.name}`}
                title={`Remove the profile ${profile.name}`}
                onClick={() => void remove(profile.name)}
              >
                <IconTrash size={16} />
              </Button>
            )}
          </Group>
          {profile ? (
            <Text size="xs" c="dimmed" data-testid="sign-in-profile-summary">
              {profile.host}:{profile.port}, database {profile.database}, TLS {profile.tls}
            </Text>
          ) : (
            <SegmentedControl
              fullWidth
              size="xs"
              value={asAdministrator ? 'admin' : 'person'}
              onChange={(v) => setAsAdministrator(v === 'admin')}
              data={[
                { value: 'admin', label: 'Its administrator' },
                { value: 'person', label: 'A person, with their password' },
              ]}
              data-testid="sign-in-local-who"
            />
          )}
          {needsPassword && (
            <Stack gap="sm">
              <TextInput
                label="Database role"
                placeholder={profile?.user}
                value={user}
                onChange={(e) => setUser(e.currentTarget.value)}
                error={fieldError(error, 'user')}
                required={!profile}
                data-testid="sign-in-user"
              />
              <PasswordInput
                label="Password"
                description="Sent to the database once; never stored."
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={fieldError(error, 'password')}
                required
                data-autofocus
                data-testid="sign-in-password"
              />
            </Stack>
          )}
          {!needsPassword && (
            <Text size="xs" c="dimmed">
              The administrator this computer&apos;s database made on its first start; the database admits it here without a password.
            </Text>
          )}
        </>
      )}
    </FormDialog>
  );
}

const PROFILE_FIELDS = ['name', 'host', 'port', 'database', 'user'] as const;

const TLS_MODES: { value: TlsMode; label: string }[] = [
  { value: 'prefer', label: 'Prefer TLS' },
  { value: 'require', label: 'Require TLS' },
  { value: 'verify-full', label: 'Require TLS, check the certificate' },
  { value: 'disable', label: 'No TLS' },
];

/** A new connection profile: where a server is and as whom (no password). */
function ProfileDialog({ onClose, onSaved }: { onClose: () => void; onSaved: (name: string) => void }) {
  const [draft, setDraft] = useState<ConnectionProfile>({ name: '', host: '', port: 5432, database: 'eco_studio', user: '', tls: 'prefer' });
  const set = <K extends keyof ConnectionProfile>(key: K, value: ConnectionProfile[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const canSubmit = draft.name.trim() !== '' && draft.host.trim() !== '' && draft.database.trim() !== '' && draft.user.trim() !== '';
  return (
    <FormDialog
      title="A server to sign in to"
      fields={PROFILE_FIELDS}
      canSubmit={canSubmit}
      onSubmit={async () => {
        await saveProfile(draft);
        onSaved(draft.name.trim());
      }}
      onClose={onClose}
      submitLabel="Save profile"
      submitTestId="profile-save"
    >
      {(error) => (
        <>
          <TextInput label="Name" value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} error={fieldError(error, 'name')} required data-autofocus data-testid="profile-name" />
          <Group grow align="flex-start">
            <TextInput label="Host" value={draft.host} onChange={(e) => set('host', e.currentTarget.value)} error={fieldError(error, 'host')} required data-testid="profile-host" />
            <NumberInput label="Port" value={draft.port} min={1} max={65535} allowDecimal={false} onChange={(v) => set('port', typeof v === 'number' ? v : 0)} error={fieldError(error, 'port')} required data-testid="profile-port" />
          </Group>
          <TextInput label="Database" value={draft.database} onChange={(e) => set('database', e.currentTarget.value)} error={fieldError(error, 'database')} required data-testid="profile-database" />
          <TextInput label="Your database role" value={draft.user} onChange={(e) => set('user', e.currentTarget.value)} error={fieldError(error, 'user')} required data-testid="profile-user" />
          <Select label="Connection security" allowDeselect={false} value={draft.tls} onChange={(v) => set('tls', (v as TlsMode | null) ?? 'prefer')} data={TLS_MODES} data-testid="profile-tls" />
          <Text size="xs" c="dimmed">
            The password is asked at each sign-in and never written to disk.
          </Text>
        </>
      )}
    </FormDialog>
  );
}
