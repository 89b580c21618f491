import { Alert } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { EntityType } from '../../bindings';
import { ConfirmDeleteDialog } from '../../shared/ConfirmDeleteDialog';
import { entitiesLabel } from '../../shared/format';
import { useDeleteEntityType, useReloadTypes } from './api';

/** Delete a type; the backend refuses (InUse) while live entities use it. */
export function DeleteTypeDialog({ type, onClose }: { type: EntityType; onClose: () => void }) {
  const deleteType = useDeleteEntityType();
  const reloadTypes = useReloadTypes();
  return (
    <ConfirmDeleteDialog
      title={`Delete type ${type.name}`}
      question={`Delete the entity type "${type.name}"? Deleted types can be restored.`}
      onDelete={() => deleteType(type)}
      inUse={
        <Alert color="red" variant="light" title="Still in use" icon={<IconAlertTriangle size={18} />} role="alert" data-testid="type-in-use">
          "{type.name}" still has {entitiesLabel(type.liveEntities)} live. Move or delete them first.
        </Alert>
      }
      onReload={reloadTypes}
      onClose={onClose}
      confirmTestId="type-delete-confirm"
    />
  );
}
