import { AppShell } from '@mantine/core';
import { SignInRequestsProvider, WelcomeDialog } from '../features/people';
import { AppHeader } from './AppHeader';
import { FocusReturn } from './FocusReturn';
import { StartupFailed, StartupLoading } from './startup/StartupScreens';
import { useStartupStatus } from './startup/useStartupStatus';
import { Workspace } from './workspace/Workspace';

export function App() {
  const status = useStartupStatus();

  return (
    <AppShell header={{ height: 52 }} padding={0}>
      <FocusReturn />
      <AppShell.Header>
        <AppHeader status={status} />
      </AppShell.Header>
      <AppShell.Main h="100dvh">
        {status.state === 'ready' ? (
          <SignInRequestsProvider>
            <div style={{ height: 'calc(100dvh - 52px)' }}>
              <Workspace database={status.database} />
            </div>
            <WelcomeDialog />
          </SignInRequestsProvider>
        ) : status.state === 'starting' ? (
          <StartupLoading message={status.message} />
        ) : (
          <StartupFailed error={status.error} />
        )}
      </AppShell.Main>
    </AppShell>
  );
}
