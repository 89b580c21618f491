import { ActionIcon, Badge, Card, Center, Code, CopyButton, Group, Stack, Table, Text, ThemeIcon, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { TreeNode } from '../bindings';
import { NodeIcon } from '../tree/nodeIcons';

export function NodeDetails({ node }: { node: TreeNode | null }) {
  if (!node) {
    return (
      <Center h="100%" data-testid="details-empty">
        <Text c="dimmed">Select an entity in the tree to see its details.</Text>
      </Center>
    );
  }

  return (
    <Card withBorder radius="md" padding="lg" maw={760} data-testid="node-details">
      <Stack gap="lg">
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
              {node.hasChildren && (
                <Badge variant="outline" color="gray">
                  Has children
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
              <Text size="sm" data-testid="details-path" style={{ overflowWrap: 'anywhere' }}>
                {node.pathLabel}
              </Text>
            </DetailRow>
            <DetailRow label="ID">
              <CopyableCode value={node.id} testId="details-id" />
            </DetailRow>
            <DetailRow label="Parent ID">
              {node.parentId ? <CopyableCode value={node.parentId} /> : <Text size="sm" c="dimmed">— (root)</Text>}
            </DetailRow>
          </Table.Tbody>
        </Table>
      </Stack>
    </Card>
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
