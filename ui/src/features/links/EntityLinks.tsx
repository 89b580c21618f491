import { Center, Divider, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { entityQuery } from '../details/api';
import { GroupsSection } from './GroupsSection';
import { RelationshipsSection } from './RelationshipsSection';
import { TagsSection } from './TagsSection';

/**
 * What links an entity to others beyond the tree: its tags, groups and
 * relationships. `refused`: why the person may not change the entity (the
 * pane says it); every section is then shown without its edits.
 */
export function EntityLinks({ id, refused = null }: { id: string; refused?: string | null }) {
  const entity = useQuery(entityQuery(id));
  if (entity.isPending) {
    return (
      <Center p="lg">
        <Loader size="sm" />
      </Center>
    );
  }
  if (entity.isError) return <ErrorNotice error={entity.error} />;
  const { node, deletedAt } = entity.data;
  return (
    <Stack gap="lg" data-testid="entity-links">
      {deletedAt !== null && (
        <Text size="sm" c="dimmed">
          This entity is in the trash: restore it to change its links.
        </Text>
      )}
      <Section title="Tags">
        <TagsSection entity={node} refused={refused} />
      </Section>
      <Divider />
      <Section title="Groups">
        <GroupsSection entity={node} refused={refused} />
      </Section>
      <Divider />
      <Section title="Relationships">
        <RelationshipsSection entity={node} refused={refused} />
      </Section>
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="sm" role="region" aria-label={title}>
      <Title order={5}>{title}</Title>
      {children}
    </Stack>
  );
}
