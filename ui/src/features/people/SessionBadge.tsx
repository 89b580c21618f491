import { Alert, Badge, Button, Group, Menu, Text, UnstyledButton } from '@mantine/core';
import { IconEye, IconSwitchHorizontal, IconUser } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { showActionUnavailable } from '../../shared/actionNotice';
import { useActionRequests } from '../../shared/WorkspaceContext';
import { sessionQuery, useStopViewAs, viewingAsQuery } from './api';
import { SignInDialog } from './SignInDialog';
import { useSignInRequests } from './signInRequests';

/**
 * Who the app is signed in as (the database role and the person), or whom
 * an administrator is viewing as. Its menu switches to another person.
 */
export function SessionBadge() {
  const session = useQuery(sessionQuery);
  const viewing = useQuery(viewingAsQuery);
  const [signingIn, setSigningIn] = useState(false);
  // The first-run choice may ask for the dialog on a new server profile.
  const requests = useSignInRequests();
  const requested = requests?.pending ?? null;
  useActionRequests('toolbar', {
    'switch-person': () => (viewing.data ? showActionUnavailable(`Stop viewing as ${viewing.data.displayName} first.`) : setSigningIn(true)),
    'stop-view-as': viewing.data ? undefined : () => showActionUnavailable('You are not viewing the registry as someone else.'),
  });
  if (viewing.data) return <ViewingAsBanner name={viewing.data.displayName} />;
  if (!session.data) return null;
  const { person, role } = session.data;
  const rights = session.data.bypassesSecurity ? 'maintenance role' : person?.isAdmin ? 'administrator' : null;
  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <UnstyledButton aria-label={`Signed in as ${person?.displayName ?? role}: switch person`} data-testid="session-info">
            <Group gap={6} wrap="nowrap">
              <IconUser size={16} />
              <Text size="sm" fw={500}>
                {person?.displayName ?? role}
              </Text>
              {rights && (
                <Badge size="xs" variant="light" color="grape">
                  {rights}
                </Badge>
              )}
            </Group>
          </UnstyledButton>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Database role {role}</Menu.Label>
          <Menu.Item leftSection={<IconSwitchHorizontal size={14} />} onClick={() => setSigningIn(true)} data-testid="session-switch">
            Switch person…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      {(signingIn || requested) && (
        <SignInDialog
          startWithNewProfile={!signingIn && !!requested?.newProfile}
          onClose={() => {
            setSigningIn(false);
            requests?.clear();
          }}
        />
      )}
    </>
  );
}

/** Shown while viewing as someone: whom, that nothing can be changed, and the way back. */
function ViewingAsBanner({ name }: { name: string }) {
  const stop = useStopViewAs();
  const [busy, setBusy] = useState(false);
  const stopViewing = () => {
    setBusy(true);
    void stop().finally(() => setBusy(false));
  };
  useActionRequests('toolbar', { 'stop-view-as': stopViewing });
  return (
    <Alert variant="light" color="orange" py={4} px="sm" icon={<IconEye size={16} />} data-testid="viewing-as">
      <Group gap="sm" wrap="nowrap">
        <Text size="sm">
          Viewing as <b>{name}</b>: what they see, read-only
        </Text>
        <Button
          size="compact-xs"
          variant="white"
          color="orange"
          loading={busy}
          onClick={stopViewing}
          data-testid="viewing-as-stop"
        >
          Stop
        </Button>
      </Group>
    </Alert>
  );
}
