import { Center, Group, Loader, SegmentedControl, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { neighbourhoodQuery, type Hops } from './api';
import classes from './Links.module.css';

const GraphCanvas = lazy(() => import('./GraphCanvas'));

/** The entities within one or two relationships of this one, drawn around it; a click selects one in the tree. */
export function NeighbourhoodGraph({ entityId }: { entityId: string }) {
  const [hops, setHops] = useState<Hops>(1);
  const hood = useQuery(neighbourhoodQuery(entityId, hops));
  // The previous answer stays while the next loads, but never another entity's.
  const data = hood.data?.center === entityId ? hood.data : undefined;

  return (
    <Stack gap="xs" data-testid="neighbourhood">
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={600}>
          Neighbourhood
        </Text>
        <Group gap="sm">
          {data?.truncated && (
            <Text size="xs" c="var(--eco-warning-text)" data-testid="neighbourhood-truncated">
              More not shown
            </Text>
          )}
          {hood.isFetching && <Loader size={12} />}
          <SegmentedControl
            size="xs"
            value={String(hops)}
            onChange={(value) => setHops(value === '2' ? 2 : 1)}
            data={[
              { value: '1', label: '1 hop' },
              { value: '2', label: '2 hops' },
            ]}
            aria-label="Hops"
            data-testid="neighbourhood-hops"
          />
        </Group>
      </Group>
      {hood.isError ? (
        <ErrorNotice error={hood.error} compact />
      ) : data === undefined ? (
        <Center className={classes.graph}>
          <Loader size="sm" />
        </Center>
      ) : data.edges.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="neighbourhood-empty">
          Nothing is related to this entity yet.
        </Text>
      ) : (
        <Suspense
          fallback={
            <Center className={classes.graph}>
              <Loader size="sm" />
            </Center>
          }
        >
          <GraphCanvas hood={data} hops={hops} />
        </Suspense>
      )}
    </Stack>
  );
}

