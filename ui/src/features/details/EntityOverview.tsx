import { ActionIcon, Anchor, Badge, Breadcrumbs, Center, Code, CopyButton, Group, Loader, Stack, Table, Text, ThemeIcon, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { Crumb, EntityDetail } from '../../bindings';
import { ErrorNotice } from '../../shared/ErrorNotice';
import { entitiesLabel, formatDateTime } from '../../shared/format';
import { NodeIcon } from '../../shared/nodeIcons';
import { EntityAlerts } from '../alerts';
import { useTreeController } from '../tree';
import { entityQuery, subtreeCountQuery } from './api';

/** Everything about one entity: breadcrumb, name, type, path, ids, dates, subtree size, its open alerts. */
export function EntityOverview({ id }: { id: string }) {
  const entity = useQuery(entityQuery(id));
  if (entity.isPending) {
    return (
      <Center p="lg" data-testid="details-loading">
        <Loader size="sm" />
      </Center>
    );
  }
  if (entity.isError) return <ErrorNotice error={entity.error} />;
  return <OverviewContent detail={entity.data} />;
}

function OverviewContent({ detail }: { detail: EntityDetail }) {
  const { node } = detail;
  return (
    <Stack gap="lg" data-testid="node-details">
      <EntityBreadcrumb crumbs={detail.breadcrumb} current={node.name} />
      <Group gap="md" wrap="nowrap">
        <ThemeIcon size={44} radius="md" variant="light">
          <NodeIcon icon={node.icon} size={26} stroke={1.6} />
        </ThemeIcon>
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Title order={3} data-testid="details-name" style={{ overflowWrap: 'anywhere' }}>
            {node.name}
          </Title>
          <Group gap="xs">
            <Badge variant="light">{node.typeName}</Badge>
            {detail.deletedAt !== null && (
              <Badge variant="filled" color="red" data-testid="details-deleted">
                In the trash
              </Badge>
            )}
          </Group>
        </Stack>
      </Group>

      <Table variant="vertical" layout="fixed" withTableBorder>
        <Table.Tbody>
          <DetailRow label="Type">
            {node.typeName} <Code>{node.typeKey}</Code>
          </DetailRow>
          <DetailRow label="Path">
            <Text size="sm" ff="monospace" data-testid="details-path" style={{ overflowWrap: 'anywhere' }}>
              {node.pathLabel}
            </Text>
          </DetailRow>
          <DetailRow label="ID">
            <CopyableCode value={node.id} testId="details-id" />
          </DetailRow>
          <DetailRow label="Parent ID">
            {node.parentId ? <CopyableCode value={node.parentId} /> : <Text size="sm" c="dimmed">— (top level)</Text>}
          </DetailRow>
          <DetailRow label="Created">
            <Text size="sm" data-testid="details-created">
              {formatDateTime(detail.createdAt)}
            </Text>
          </DetailRow>
          <DetailRow label="Updated">
            <Text size="sm" data-testid="details-updated">
              {formatDateTime(node.updatedAt)}
            </Text>
          </DetailRow>
          {detail.deletedAt !== null && (
            <DetailRow label="Deleted">
              <Text size="sm">{formatDateTime(detail.deletedAt)}</Text>
            </DetailRow>
          )}
          <DetailRow label="Subtree">
            <SubtreeCount id={node.id} />
          </DetailRow>
        </Table.Tbody>
      </Table>
      {detail.deletedAt === null && <EntityAlerts entityId={node.id} />}
    </Stack>
  );
}

function SubtreeCount({ id }: { id: string }) {
  const count = useQuery(subtreeCountQuery(id));
  if (count.isPending) return <Loader size={12} />;
  if (count.isError) {
    return (
      <Text size="sm" c="red">
        Could not count
      </Text>
    );
  }
  return (
    <Text size="sm" data-testid="details-subtree-count">
      {entitiesLabel(count.data)} in this subtree
    </Text>
  );
}

/** Ancestors root first; a click reveals the ancestor in the tree. */
function EntityBreadcrumb({ crumbs, current }: { crumbs: Crumb[]; current: string }) {
  const tree = useTreeController();
  return (
    <Breadcrumbs separatorMargin={6} role="navigation" aria-label="Breadcrumb" data-testid="details-breadcrumb" style={{ flexWrap: 'wrap' }}>
      <Text size="sm" c="dimmed">
        Registry
      </Text>
      {crumbs.map((crumb) => (
        <Anchor key={crumb.id} component="button" type="button" size="sm" onClick={() => void tree.reveal(crumb.id)} data-testid={`crumb-${crumb.id}`}>
          <Group gap={4} wrap="nowrap">
            <NodeIcon icon={crumb.icon} size={14} />
            {crumb.name}
          </Group>
        </Anchor>
      ))}
      <Text size="sm" fw={500}>
        {current}
      </Text>
    </Breadcrumbs>
  );
}

function DetailRow({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={120}>{label}</Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

function CopyableCode({ value, testId }: { value: string; testId?: string }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Code data-testid={testId} style={{ overflowWrap: 'anywhere' }}>
        {value}
      </Code>
      <CopyButton value={value} timeout={1500}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
            <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} size="sm" onClick={copy} aria-label="Copy">
              {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
