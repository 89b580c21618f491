import { SegmentedControl, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useRef, useState } from 'react';
import type { AddedPerson, Login } from '../../bindings';
import { fieldError } from '../../ipc/errors';
import { FormDialog } from '../../shared/FormDialog';
import { useAddPerson } from './api';

/** The inputs of this form, as the core names them in a Validation error. */
const FIELDS = ['role', 'displayName', 'email'] as const;

const LOGINS: { value: Login['kind']; label: string; help: string }[] = [
  { value: 'newRoleWithPassword', label: 'New, password', help: 'Creates their role with a generated password, shown once.' },
  { value: 'newRoleWithoutPassword', label: 'New, no password', help: 'Creates their role; the server authenticates it (peer, certificates).' },
  { value: 'existingRole', label: 'Existing role', help: 'Links a role that exists already (not a superuser).' },
];

/** Adds a person; on success hands the result (and a generated password) to `onAdded`. */
export function AddPersonDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (added: AddedPerson) => void }) {
  const addPerson = useAddPerson();
  const [role, setRole] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [login, setLogin] = useState<Login['kind']>('newRoleWithPassword');
  const [isAdmin, setIsAdmin] = useState(false);
  const added = useRef<AddedPerson | null>(null);
  const canSubmit = role.trim() !== '' && name.trim() !== '';

  const save = async () => {
    added.current = await addPerson({
      role: role.trim(),
      displayName: name.trim(),
      email: email.trim() || null,
      login: { kind: login },
      isAdmin,
    });
  };

  return (
    <FormDialog
      title="Add a person"
      fields={FIELDS}
      canSubmit={canSubmit}
      onSubmit={save}
      onClose={() => (added.current ? onAdded(added.current) : onClose())}
      submitLabel="Add"
      submitTestId="person-save"
    >
      {(error) => (
        <>
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, 'displayName')}
            required
            data-autofocus
            data-testid="person-name"
          />
          <TextInput
            label="Database role"
            description="What they sign in as: lowercase letters, digits and underscores."
            value={role}
            onChange={(e) => setRole(e.currentTarget.value)}
            error={fieldError(error, 'role')}
            required
            data-testid="person-role"
          />
          <TextInput label="Email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={fieldError(error, 'email')} data-testid="person-email" />
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Sign-in
            </Text>
            <SegmentedControl fullWidth size="xs" value={login} onChange={(v) => setLogin(v as Login['kind'])} data={LOGINS.map(({ value, label }) => ({ value, label }))} data-testid="person-login" />
            <Text size="xs" c="dimmed">
              {LOGINS.find((l) => l.value === login)?.help}
            </Text>
          </Stack>
          <Switch
            label="Global administrator"
            description="Every capability on every root; manages types, properties, tags and people."
            checked={isAdmin}
            onChange={(e) => setIsAdmin(e.currentTarget.checked)}
            data-testid="person-admin"
          />
        </>
      )}
    </FormDialog>
  );
}
