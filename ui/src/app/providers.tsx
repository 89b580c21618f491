import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { theme } from './theme';

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

export function AppProviders({ client, children, env = 'default' }: Props) {
  return (
    <MantineProvider theme={theme} forceColorScheme="light" env={env}>
      <QueryClientProvider client={client}>
        <Notifications position="bottom-right" limit={4} />
        {children}
      </QueryClientProvider>
    </MantineProvider>
  );
}
