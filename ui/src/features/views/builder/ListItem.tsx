import { ActionIcon, Paper, Tooltip } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconTrash } from '@tabler/icons-react';
import type { ReactNode } from 'react';

type Props = {
  /** The item in words, for the buttons' labels ("Move Status up"). */
  label: string;
  /** The remove button's label (default "Remove <label>"). */
  removeLabel?: string;
  index: number;
  count: number;
  /** The buttons' test ids are `<testId>-up-<index>`, `-down-`, `-remove-`. */
  testId: string;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
};

/** Move up, move down and remove, for one item of an ordered list (columns, sort keys). */
export function MoveRemoveButtons({ label, removeLabel, index, count, testId, onMove, onRemove }: Props) {
  return (
    <>
      <Tooltip label="Move up" withinPortal={false}>
        <ActionIcon variant="subtle" size="sm" aria-label={`Move ${label} up`} disabled={index === 0} onClick={() => onMove(-1)} data-testid={`${testId}-up-${index}`}>
          <IconArrowUp size={14} />
        </ActionIcon>
      </Tooltip>
      <Tooltip label="Move down" withinPortal={false}>
        <ActionIcon variant="subtle" size="sm" aria-label={`Move ${label} down`} disabled={index === count - 1} onClick={() => onMove(1)} data-testid={`${testId}-down-${index}`}>
          <IconArrowDown size={14} />
        </ActionIcon>
      </Tooltip>
      <Tooltip label="Remove" withinPortal={false}>
        <ActionIcon variant="subtle" color="red" size="sm" aria-label={removeLabel ?? `Remove ${label}`} onClick={onRemove} data-testid={`${testId}-remove-${index}`}>
          <IconTrash size={14} />
        </ActionIcon>
      </Tooltip>
    </>
  );
}

/**
 * One item of an ordered list (a column, a sort key): a bordered list item,
 * outlined in red when the server blamed it.
 */
export function ListItem({ blamed, testId, data, children }: { blamed: boolean; testId: string; data: Record<`data-${string}`, string>; children: ReactNode }) {
  return (
    <Paper
      component="li"
      withBorder
      px="xs"
      py={4}
      radius="sm"
      style={blamed ? { borderColor: 'var(--mantine-color-red-6)' } : undefined}
      data-testid={testId}
      {...data}
    >
      {children}
    </Paper>
  );
}
