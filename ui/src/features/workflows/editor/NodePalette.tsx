import { Stack, Text, ThemeIcon, UnstyledButton } from '@mantine/core';
import type { WorkflowDocument } from '../types';
import { addNode, createNode, nextNodeId, positionForNewNode, type NodeType } from './documentModel';
import classes from './Editor.module.css';
import { NODE_GROUPS, NODE_TYPES, nodeRegistry } from './nodeRegistry';

/**
 * The document with a new step of `type` (fresh id, default settings) below
 * the others; joined from a free outcome of `selectedId` when it has one.
 */
export function withNewStep(document: WorkflowDocument, type: NodeType, selectedId: string | null): { document: WorkflowDocument; id: string } {
  const id = nextNodeId(document, type);
  const node = createNode(type, id, positionForNewNode(document, selectedId), nodeRegistry[type].defaults());
  return { document: addNode(document, node, selectedId), id };
}

/** The node types to add, by group. */
export function NodePalette({ onAdd, disabled = false }: { onAdd: (type: NodeType) => void; disabled?: boolean }) {
  return (
    <Stack gap="xs" data-testid="wf-palette">
      {NODE_GROUPS.map(({ group, label }) => (
        <Stack key={group} gap={2} role="group" aria-label={label}>
          <Text size="xs" fw={600} c="dimmed" tt="uppercase">
            {label}
          </Text>
          {NODE_TYPES.filter((type) => nodeRegistry[type].group === group).map((type) => {
            const module = nodeRegistry[type];
            const Icon = module.icon;
            return (
              <UnstyledButton
                key={type}
                className={classes.paletteButton}
                onClick={() => onAdd(type)}
                disabled={disabled}
                title={module.description}
                data-testid={`wf-palette-${type}`}
              >
                <ThemeIcon variant="light" color={module.color} size="sm">
                  <Icon size={14} />
                </ThemeIcon>
                {module.label}
              </UnstyledButton>
            );
          })}
        </Stack>
      ))}
    </Stack>
  );
}
