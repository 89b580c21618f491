import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { colorSchemeManager, cssVariablesResolver, theme } from './theme';
import './theme.css';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: false,
        refetchOnWindowFocus: false,
      },
    },
  });
}

type Props = {
  client: QueryClient;
  children: ReactNode;
  /** 'test' renders overlays inline and without transitions. */
  env?: 'default' | 'test';
};

/** Light or dark as the system prefers, unless the person chose one (kept in localStorage). */
export function AppProviders({ client, children, env = 'default' }: Props) {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager} cssVariablesResolver={cssVariablesResolver} env={env}>
      <QueryClientProvider client={client}>
        <Notifications position="bottom-right" limit={4} />
        {children}
      </QueryClientProvider>
    </MantineProvider>
  );
}
