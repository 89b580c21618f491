import { CloseButton, Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { TreeNode } from '../../../bindings';
import { NodeIcon } from '../../../shared/nodeIcons';
import { entityQuery } from '../../details/api';
import { EntityPicker } from '../../links';

type Props = {
  entityId: string | null;
  onChange: (entityId: string | null) => void;
  testId: string;
  error?: string | null;
};

/**
 * The entity an `under` condition names: found by name or dotted path as
 * you type (the palette's search), shown by name once chosen.
 */
export function UnderPicker({ entityId, onChange, testId, error }: Props) {
  // The picked node names itself at once; a loaded document's id is looked up.
  const [picked, setPicked] = useState<TreeNode | null>(null);
  const known = picked?.id === entityId ? picked : null;
  const detail = useQuery({ ...entityQuery(entityId ?? ''), enabled: entityId !== null && known === null });
  const node = known ?? detail.data?.node ?? null;

  if (entityId !== null) {
    return (
      <Group gap={6} wrap="nowrap" flex="1 1 220px" data-testid={`${testId}-chosen`} data-entity-id={entityId}>
        {node && <NodeIcon icon={node.icon} size={16} />}
        <div style={{ minWidth: 0 }}>
          <Text size="sm" truncate="end">
            {node?.name ?? (detail.isError ? 'An entity you cannot see' : entityId)}
          </Text>
          {node && (
            <Text size="xs" c="dimmed" ff="monospace" truncate="end">
              {node.pathLabel}
            </Text>
          )}
        </div>
        <CloseButton size="sm" onClick={() => onChange(null)} aria-label="Choose another entity" data-testid={`${testId}-clear`} />
      </Group>
    );
  }
  return (
    <div style={{ flex: '1 1 220px' }}>
      <EntityPicker
        ariaLabel="Entity to look under"
        testId={testId}
        error={error}
        onPick={(picked) => {
          setPicked(picked);
          onChange(picked.id);
        }}
      />
    </div>
  );
}
