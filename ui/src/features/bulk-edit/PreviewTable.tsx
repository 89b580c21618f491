import { Badge, ColorSwatch, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { IconArrowRight, IconLock } from '@tabler/icons-react';
import type { BulkPreview, BulkSample, PropertyDefinition, Tag } from '../../bindings';
import { formatCount } from '../../shared/format';
import { NodeIcon } from '../../shared/nodeIcons';
import { MASK } from '../properties';
import { shownValue, type ShownValue } from './bulkModel';

/** What the previewed values are of: a property, or a tag (present or not). */
export type PreviewSubject = { kind: 'property'; definition: PropertyDefinition } | { kind: 'tag'; tag: Tag | undefined };

/** Some of the entities the edit changes, each before → after. */
export function PreviewTable({ preview, subject }: { preview: BulkPreview; subject: PreviewSubject }) {
  const more = preview.changing - preview.samples.length;
  return (
    <Stack gap={6}>
      <Paper withBorder radius="sm">
        <Table.ScrollContainer minWidth={560} maxHeight={340} type="native">
          <Table striped highlightOnHover layout="fixed" verticalSpacing={6} stickyHeader data-testid="bulk-samples">
            <colgroup>
              <col style={{ width: '46%' }} />
              <col />
              <col style={{ width: 32 }} />
              <col />
            </colgroup>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Entity</Table.Th>
                <Table.Th>Before</Table.Th>
                <Table.Th aria-label="becomes" />
                <Table.Th>After</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {preview.samples.map((sample) => (
                <SampleRow key={sample.entity.id} sample={sample} subject={subject} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      {more > 0 && (
        <Text size="xs" c="dimmed" data-testid="bulk-samples-more">
          and {formatCount(more)} more
        </Text>
      )}
    </Stack>
  );
}

/** Where an entity is: its parent's path ("site.building_a.plant_room"), or "top level". */
export function parentPath(pathLabel: string): string {
  const cut = pathLabel.lastIndexOf('.');
  return cut < 0 ? 'top level' : pathLabel.slice(0, cut);
}

function SampleRow({ sample, subject }: { sample: BulkSample; subject: PreviewSubject }) {
  const { entity } = sample;
  return (
    <Table.Tr data-testid={`bulk-sample-${entity.id}`}>
      <Table.Td>
        <Group gap={8} wrap="nowrap" align="flex-start">
          <NodeIcon icon={entity.icon} size={16} style={{ flex: '0 0 auto', marginTop: 2 }} />
          <Stack gap={0} miw={0}>
            <Text size="sm" fw={500} truncate="end" title={entity.name}>
              {entity.name}
            </Text>
            <Text size="xs" c="dimmed" truncate="start" ta="left" title={entity.pathLabel} ff="monospace">
              {parentPath(entity.pathLabel)}
            </Text>
          </Stack>
        </Group>
      </Table.Td>
      <Table.Td data-testid="bulk-sample-before">
        <SampleValue stored={sample.before} subject={subject} />
      </Table.Td>
      <Table.Td px={0}>
        <IconArrowRight size={14} color="var(--mantine-color-dimmed)" aria-hidden />
      </Table.Td>
      <Table.Td data-testid="bulk-sample-after">
        <SampleValue stored={sample.after} subject={subject} />
      </Table.Td>
    </Table.Tr>
  );
}

function SampleValue({ stored, subject }: { stored: string | null; subject: PreviewSubject }) {
  if (subject.kind === 'tag') {
    if (stored === null) return <Dimmed text="not tagged" />;
    const tag = subject.tag;
    return (
      <Badge size="lg" radius="sm" variant={tag?.color ? 'filled' : 'light'} color={tag?.color ?? 'gray'} autoContrast tt="none" fw={500} maw="100%">
        {tag?.name ?? 'tagged'}
      </Badge>
    );
  }
  return <PropertyValueCell shown={shownValue(subject.definition, stored)} definition={subject.definition} />;
}

function Dimmed({ text }: { text: string }) {
  return (
    <Text size="sm" c="dimmed" fs="italic">
      {text}
    </Text>
  );
}

function PropertyValueCell({ shown, definition }: { shown: ShownValue; definition: PropertyDefinition }) {
  switch (shown.kind) {
    case 'none':
      return <Dimmed text="no value" />;
    case 'masked':
      return (
        <Group gap={4} wrap="nowrap" aria-label="hidden value" data-masked="true">
          <IconLock size={13} color="var(--mantine-color-dimmed)" />
          <Text size="sm" style={{ letterSpacing: 2 }}>
            {MASK}
          </Text>
        </Group>
      );
    case 'value': {
      const options = definition.rules.options ?? [];
      if (shown.optionKeys.length > 0) {
        return (
          <Group gap={4}>
            {shown.optionKeys.map((key) => {
              const option = options.find((o) => o.key === key);
              return (
                <Group key={key} gap={6} wrap="nowrap">
                  <ColorSwatch component="span" color={option?.color ?? 'var(--mantine-color-gray-4)'} size={10} withShadow={false} />
                  <Text size="sm">{option?.label ?? key}</Text>
                </Group>
              );
            })}
          </Group>
        );
      }
      return (
        <Text size="sm" lineClamp={2} title={shown.text} style={{ wordBreak: 'break-word' }}>
          {shown.text}
        </Text>
      );
    }
  }
}
