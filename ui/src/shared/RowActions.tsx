import { ActionIcon, Button, Group, Tooltip } from '@mantine/core';
import { IconPencil, IconRestore, IconTrash } from '@tabler/icons-react';

type Props = {
  /** Shown in the buttons' labels ("Edit Building"). */
  name: string;
  /** The buttons' test ids are `${kind}-edit-${rowKey}` and so on. */
  kind: string;
  rowKey: string;
  deleted: boolean;
  /** Why the row cannot be changed (a system row), or null. */
  locked: string | null;
  /** Why the person may not change any row (the buttons' title), or null. */
  refused: string | null;
  /** A restore is running. */
  restoring: boolean;
  onEdit: () => void;
  onDelete: () => void;
  onRestore: () => void;
};

/** Edit and Delete for a live row of an admin table, Restore for a deleted one. */
export function RowActions({ name, kind, rowKey, deleted, locked, refused, restoring, onEdit, onDelete, onRestore }: Props) {
  const disabled = locked !== null || refused !== null;
  const title = refused ?? undefined;
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      {deleted ? (
        <Button size="compact-sm" variant="light" leftSection={<IconRestore size={14} />} loading={restoring} disabled={refused !== null} title={title} onClick={onRestore} data-testid={`${kind}-restore-${rowKey}`}>
          Restore
        </Button>
      ) : (
        <>
          <Tooltip label={locked ?? 'Edit'} disabled={refused !== null} withArrow>
            <span>
              <ActionIcon variant="subtle" color="gray" disabled={disabled} title={title} onClick={onEdit} aria-label={`Edit ${name}`} data-testid={`${kind}-edit-${rowKey}`}>
                <IconPencil size={16} />
              </ActionIcon>
            </span>
          </Tooltip>
          <Tooltip label={locked ?? 'Delete'} disabled={refused !== null} withArrow>
            <span>
              <ActionIcon variant="subtle" color="red" disabled={disabled} title={title} onClick={onDelete} aria-label={`Delete ${name}`} data-testid={`${kind}-delete-${rowKey}`}>
                <IconTrash size={16} />
              </ActionIcon>
            </span>
          </Tooltip>
        </>
      )}
    </Group>
  );
}
