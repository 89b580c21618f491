import { Badge, Button, Group, PasswordInput, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconKey, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ConnectionProfile } from '../../bindings';
import { describeError, fieldError } from '../../ipc/errors';
import { FormDialog } from '../../shared/FormDialog';
import { forgetProfilePassword, profilePasswordsQuery, profilesQuery, removeProfile, useSignIn } from './api';
import { ProfileDialog } from './ProfileForm';

/** The value of "this computer's database" in the list of places. */
const LOCAL = '';

const SIGN_IN_FIELDS = ['user', 'password', 'profile'] as const;

/**
 * Switches the window to another person: on this computer's database (its
 * administrator, or a person with their password) or on a server through a
 * connection profile. A typed password goes to the database once and is
 * kept nowhere; a profile's own role may use the password the OS keychain
 * keeps for it. On a refusal the password is cleared and nothing else changes.
 * `startWithNewProfile` opens it on the form of a new server profile.
 * A chosen profile can be changed (renamed too) or removed.
 */
export function SignInDialog({ onClose, startWithNewProfile = false }: { onClose: () => void; startWithNewProfile?: boolean }) {
  const profiles = useQuery(profilesQuery);
  const passwords = useQuery(profilePasswordsQuery);
  const queryClient = useQueryClient();
  const signIn = useSignIn();
  const [place, setPlace] = useState(LOCAL);
  const [asAdministrator, setAsAdministrator] = useState(true);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  // The profile form, if open: on a new profile (null) or on a saved one.
  const [form, setForm] = useState<{ editing: ConnectionProfile | null } | null>(startWithNewProfile ? { editing: null } : null);
  const profile = profiles.data?.find((p) => p.name === place) ?? null;
  // Without the keychain's answer no password counts as kept.
  const kept = new Set(passwords.data ?? []);
  const needsPassword = place !== LOCAL || !asAdministrator;
  const role = user.trim() || profile?.user || '';
  // The keychain's password serves the profile's own role only.
  const keptServes = !!profile && kept.has(profile.name) && role === profile.user;
  const useKept = keptServes && password === '';
  const canSubmit = !needsPassword || (role !== '' && (password !== '' || useKept));

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

  const forget = async (name: string) => {
    try {
      await forgetProfilePassword(name);
    } catch (e) {
      const { title, message } = describeError(e);
      notifications.show({ color: 'red', title: `Could not forget the password of "${name}": ${title}`, message });
    }
    await queryClient.invalidateQueries(profilePasswordsQuery);
  };

  const submit = async () => {
    try {
      await signIn(
        useKept
          ? { profile: place, user: null, password: null }
          : {
              profile: place === LOCAL ? null : place,
              user: needsPassword ? role : null,
              password: needsPassword ? password : null,
            },
      );
    } catch (e) {
      setPassword('');
      throw e;
    }
  };

  if (form) {
    return (
      <ProfileDialog
        key={form.editing?.name ?? ''}
        editing={form.editing}
        passwordKept={!!form.editing && kept.has(form.editing.name)}
        onClose={() => setForm(null)}
        onSaved={(name) => {
          // The kept passwords are read again with the profiles (a rename moves one).
          void queryClient.invalidateQueries(profilesQuery).then(() => choose(name));
          setForm(null);
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
              renderOption={({ option }) => (
                <Group gap={6} wrap="nowrap">
                  <span>{option.label}</span>
                  {kept.has(option.value) && option.value !== LOCAL && <IconKey size={12} aria-label="password kept" />}
                </Group>
              )}
              error={fieldError(error, 'profile')}
              data-testid="sign-in-place"
            />
            <Button variant="default" leftSection={<IconPlus size={14} />} onClick={() => setForm({ editing: null })} data-testid="sign-in-new-profile">
              Server…
            </Button>
            {profile && (
              <Button
                variant="subtle"
                color="gray"
                aria-label={`Edit the profile ${profile.name}`}
                title={`Edit the profile ${profile.name}`}
                onClick={() => setForm({ editing: profile })}
                data-testid="profile-edit"
              >
                <IconPencil size={16} />
              </Button>
            )}
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
            <Group gap="xs" justify="space-between" wrap="nowrap">
              <Text size="xs" c="dimmed" data-testid="sign-in-profile-summary">
                {profile.host}:{profile.port}, database {profile.database}, TLS {profile.tls ?? 'verify-full'}
              </Text>
              {kept.has(profile.name) && (
                <Group gap={4} wrap="nowrap">
                  <Badge size="sm" variant="light" color="teal" leftSection={<IconKey size={10} />} data-testid={`profile-password-kept-${profile.name}`}>
                    password kept
                  </Badge>
                  <Button size="compact-xs" variant="subtle" color="gray" onClick={() => void forget(profile.name)} data-testid="profile-forget-password">
                    Forget password
                  </Button>
                </Group>
              )}
            </Group>
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
                description={keptServes ? 'Leave empty to use the password the OS keychain keeps.' : 'Sent to the database once; never stored.'}
                placeholder={keptServes ? 'The kept password will be used' : undefined}
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={fieldError(error, 'password')}
                required={!keptServes}
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
