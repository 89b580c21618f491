import { notifications } from '@mantine/notifications';
import { useCallback, useMemo } from 'react';
import type { TreeNode } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { entitiesLabel } from '../../shared/format';
import { UNDO_MS, UndoNotice } from '../../shared/UndoNotice';
import { useJobs } from '../jobs';
import { describeNodes } from '../tree';
import { useReloadNodes } from '../tree/api';
import { useEntityBatches, type DeleteResult, type MoveResult } from './api';


function failureSummary(failures: { error: unknown }[]): string {
  const { title, message } = describeError(failures[0].error);
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
  return `${title}: ${message}${more}`;
}


/** Move and delete with cache updates, background jobs and Undo notifications. */
export function useEntityActions() {
  const batches = useEntityBatches();
  const jobs = useJobs();
  const reload = useReloadNodes();

  const trackJobs = useCallback(
    (result: MoveResult) => {
      for (const job of result.jobs) jobs.track(job.jobId, job.total, `Moving "${job.node.name}"`);
    },
    [jobs],
  );

  const undoMove = useCallback(
    async (notificationId: string, result: MoveResult) => {
      const undone = await batches.undoMoves(result.moved);
      trackJobs(undone);
      if (undone.failures.length > 0) {
        notifications.update({ id: notificationId, color: 'red', title: 'Could not undo the move', message: failureSummary(undone.failures), autoClose: 8000 });
      } else {
        notifications.update({ id: notificationId, color: 'teal', title: 'Move undone', message: `${entitiesLabel(undone.moved.length + undone.jobs.length)} moved back.`, autoClose: 3000 });
      }
    },
    [batches, trackJobs],
  );

  const move = useCallback(
    async (nodes: readonly TreeNode[], target: TreeNode | null): Promise<MoveResult> => {
      const result = await batches.move(nodes, target?.id ?? null);
      trackJobs(result);
      if (result.moved.length > 0) {
        const id = `move-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        const text = `Moved ${describeNodes(result.moved.map((m) => m.node))} ${target ? `under ${target.name}` : 'to the top level'}.`;
        notifications.show({
          id,
          color: 'teal',
          title: 'Moved',
          autoClose: UNDO_MS,
          message: <UndoNotice text={text} testId="undo-move" onUndo={() => undoMove(id, result)} />,
        });
      }
      return result;
    },
    [batches, trackJobs, undoMove],
  );

  const undoDelete = useCallback(
    async (notificationId: string, result: DeleteResult) => {
      const restored = await batches.restore(result.deleted.map((d) => d.node.id));
      if (restored.failures.length > 0) {
        notifications.update({ id: notificationId, color: 'red', title: 'Could not restore', message: failureSummary(restored.failures), autoClose: 8000 });
      } else {
        const count = restored.restored.reduce((sum, r) => sum + r.restored, 0);
        notifications.update({ id: notificationId, color: 'teal', title: 'Restored', message: `${entitiesLabel(count)} restored.`, autoClose: 3000 });
      }
    },
    [batches],
  );

  const remove = useCallback(
    async (nodes: readonly TreeNode[]): Promise<DeleteResult> => {
      const result = await batches.remove(nodes);
      if (result.deleted.length > 0) {
        const id = `delete-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        const count = result.deleted.reduce((sum, d) => sum + d.outcome.deleted, 0);
        notifications.show({
          id,
          color: 'teal',
          title: 'Moved to the trash',
          autoClose: UNDO_MS,
          message: <UndoNotice text={`${entitiesLabel(count)} deleted.`} testId="undo-delete" onUndo={() => undoDelete(id, result)} />,
        });
      }
      return result;
    },
    [batches, undoDelete],
  );

  return useMemo(() => ({ move, remove, reload }), [move, remove, reload]);
}
