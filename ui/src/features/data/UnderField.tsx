// "Put new rows under": the parent of the rows that name none, an entity
// found by name or dotted path (the palette's search) or the top level.
// Without a parent column it is where new rows are created (rows seen before
// stay where they are); with one, where every row whose parent cell is empty
// goes, as the importer does.
import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import { IconArrowBarToUp, IconSitemap } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { TreeNode } from '../../bindings';
import { NodeIcon } from '../../shared/nodeIcons';
import { entityQuery } from '../details/api';
import { EntityPicker } from '../links';
import type { TreeController } from '../tree';

/** The entity selected in the tree (the focused one, when it is selected), or null. */
export function selectedEntity(selection: TreeController['selection']): string | null {
  const { focusId, ids } = selection;
  if (focusId !== null && ids.has(focusId)) return focusId;
  return ids.size === 1 ? [...ids][0] : null;
}

type Props = {
  /** The parent of new rows (null: the top level). */
  value: string | null;
  onChange: (entityId: string | null) => void;
  /** The column mapped as the parent, if any. */
  parentColumn: string | null;
  error?: string | null;
};

export function UnderField({ value, onChange, parentColumn, error }: Props) {
  const labelId = useId();
  // A picked node names itself at once; another (the tree's selection) is looked up.
  const [picked, setPicked] = useState<TreeNode | null>(null);
  const known = picked !== null && picked.id === value ? picked : null;
  const detail = useQuery({ ...entityQuery(value ?? ''), enabled: value !== null && known === null });
  const node = known ?? (value !== null ? (detail.data?.node ?? null) : null);
  const unknown = value !== null && node === null && detail.isError;
  const parentName = node?.name ?? (unknown ? 'the chosen entity' : '…');

  const hint =
    value === null
      ? parentColumn === null
        ? 'New rows that name no parent become top-level entities (roots).'
        : `Applies only to rows whose parent cell ("${parentColumn}") is empty: they become top-level entities (roots), rows seen before included. Rows that name a parent go under it.`
      : parentColumn === null
        ? `New rows that name no parent are created under ${parentName}.`
        : `Applies only to rows whose parent cell ("${parentColumn}") is empty: they go under ${parentName}, rows seen before included. Rows that name a parent go under it.`;

  return (
    <Stack gap={4} role="group" aria-labelledby={labelId} data-testid="import-under">
      <Text id={labelId} size="sm" fw={500}>
        Put new rows under
      </Text>
      <Group gap="sm" align="flex-start" wrap="wrap">
        <Paper
          withBorder
          radius="sm"
          px="sm"
          py={6}
          miw={220}
          style={{ flex: '0 1 320px', minWidth: 0 }}
          data-testid="import-under-chosen"
          data-entity-id={value ?? ''}
          aria-live="polite"
        >
          {value === null ? (
            <Group gap={6} wrap="nowrap">
              <IconSitemap size={16} />
              <Text size="sm">The top level (roots)</Text>
            </Group>
          ) : (
            <Group gap={6} wrap="nowrap">
              {node && <NodeIcon icon={node.icon} size={16} />}
              <div style={{ minWidth: 0 }}>
                <Text size="sm" truncate="end" c={unknown ? 'red' : undefined}>
                  {node?.name ?? (unknown ? 'An entity that cannot be read: choose another' : 'Loading…')}
                </Text>
                {node && (
                  <Text size="xs" c="dimmed" ff="monospace" truncate="end">
                    {node.typeName} · {node.pathLabel}
                  </Text>
                )}
              </div>
            </Group>
          )}
        </Paper>
        <div style={{ flex: '1 1 260px' }}>
          <EntityPicker
            ariaLabel="Find the parent of new rows"
            placeholder={value === null ? 'Choose a parent: a name or a.dotted.path' : 'Choose another parent: a name or a.dotted.path'}
            error={error}
            onPick={(chosen) => {
              setPicked(chosen);
              onChange(chosen.id);
            }}
            testId="import-under-search"
          />
        </div>
        <Button variant="default" leftSection={<IconArrowBarToUp size={16} />} onClick={() => onChange(null)} disabled={value === null} data-testid="import-under-top">
          Top level
        </Button>
      </Group>
      <Text size="xs" c="dimmed" data-testid="import-under-hint">
        {hint}
      </Text>
    </Stack>
  );
}
