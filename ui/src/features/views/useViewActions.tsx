import { notifications } from '@mantine/notifications';
import { useCallback } from 'react';
import type { SavedView } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { UNDO_MS, UndoNotice } from '../../shared/UndoNotice';
import { useDeleteView, useDuplicateView, useRestoreView } from './api';


function failed(title: string, error: unknown) {
  const { title: why, message } = describeError(error);
  notifications.show({ color: 'red', title: `${title}: ${why}`, message, autoClose: 8000 });
}

/** A notification body with an Undo button that runs once. */

/**
 * Duplicating and deleting saved views from the list. A delete can be undone
 * from its notification (a restore against the version the delete returned).
 * `onOpen` opens a view (null: a new one); `openedId` is the one open now.
 */
export function useViewActions(openedId: string | null, onOpen: (id: string | null) => void) {
  const duplicateView = useDuplicateView();
  const deleteView = useDeleteView();
  const restoreView = useRestoreView();

  const duplicate = useCallback(
    async (view: SavedView, shared: boolean) => {
      try {
        const copy = await duplicateView({ id: view.id, shared });
        notifications.show({ color: 'teal', title: 'View duplicated', message: `"${copy.name}" is ${shared ? 'shared' : 'yours'}.` });
        onOpen(copy.id);
      } catch (error) {
        failed(`Could not duplicate "${view.name}"`, error);
      }
    },
    [duplicateView, onOpen],
  );

  const remove = useCallback(
    async (view: SavedView) => {
      const wasOpen = view.id === openedId;
      let deleted: SavedView;
      try {
        deleted = await deleteView({ id: view.id, expectedUpdatedAt: view.updatedAt });
      } catch (error) {
        failed(`Could not delete "${view.name}"`, error);
        return;
      }
      if (wasOpen) onOpen(null);
      const id = `view-deleted-${view.id}`;
      const undo = async () => {
        try {
          const restored = await restoreView({ id: deleted.id, expectedUpdatedAt: deleted.updatedAt });
          notifications.update({ id, color: 'teal', title: 'View restored', message: `"${restored.name}" is back.`, autoClose: 4000 });
          if (wasOpen) onOpen(restored.id);
        } catch (error) {
          const { title, message } = describeError(error);
          notifications.update({ id, color: 'red', title: `Could not restore "${view.name}": ${title}`, message, autoClose: 8000 });
        }
      };
      notifications.show({ id, title: 'View deleted', message: <UndoNotice text={`"${view.name}" deleted.`} onUndo={undo} testId="undo-view-delete" />, autoClose: UNDO_MS });
    },
    [deleteView, restoreView, openedId, onOpen],
  );

  return { duplicate, remove };
}
