// Creating entities, and batches of moves, deletes and restores (one command
// per entity, in order, collecting what succeeded and what failed). What
// succeeded is applied to this window's cache once the batch is done;
// useEntityActions adds background jobs, notifications and Undo.
import { useCallback, useMemo } from 'react';
import { commands, type CreateEntity, type DeleteOutcome, type RestoreOutcome, type TreeNode } from '../../bindings';
import { unwrap } from '../../ipc/errors';
import { useChangeApplier } from '../../live/LiveUpdates';
import type { ChangeApplier } from '../../live/applyChange';
import { restoreEntity } from '../trash/api';

export type Failure = { node: TreeNode; error: unknown };

/** A move that is done: the node as it is now, and where it came from. */
export type MovedNode = { node: TreeNode; oldParentId: string | null };

export type StartedJob = { node: TreeNode; jobId: string; total: number };

export type MoveResult = { moved: MovedNode[]; jobs: StartedJob[]; failures: Failure[] };

export type DeleteResult = { deleted: { node: TreeNode; outcome: DeleteOutcome }[]; failures: Failure[] };

export type RestoreResult = { restored: RestoreOutcome[]; failures: { id: string; error: unknown }[] };

async function moveEntities(nodes: readonly TreeNode[], newParentId: string | null): Promise<MoveResult> {
  const result: MoveResult = { moved: [], jobs: [], failures: [] };
  for (const node of nodes) {
    try {
      const started = unwrap(await commands.moveEntity({ id: node.id, expectedUpdatedAt: node.updatedAt, newParentId }));
      if (started.kind === 'done') result.moved.push({ node: started.node, oldParentId: started.oldParentId });
      else result.jobs.push({ node, jobId: started.jobId, total: started.total });
    } catch (error) {
      result.failures.push({ node, error });
    }
  }
  return result;
}

/** Moves each node back to where it came from, using the version the move returned. */
async function undoMoves(moved: readonly MovedNode[]): Promise<MoveResult> {
  const result: MoveResult = { moved: [], jobs: [], failures: [] };
  for (const { node, oldParentId } of moved) {
    const partial = await moveEntities([node], oldParentId);
    result.moved.push(...partial.moved);
    result.jobs.push(...partial.jobs);
    result.failures.push(...partial.failures);
  }
  return result;
}

async function deleteEntities(nodes: readonly TreeNode[]): Promise<DeleteResult> {
  const result: DeleteResult = { deleted: [], failures: [] };
  for (const node of nodes) {
    try {
      const outcome = unwrap(await commands.deleteEntity({ id: node.id, expectedUpdatedAt: node.updatedAt }));
      result.deleted.push({ node, outcome });
    } catch (error) {
      result.failures.push({ node, error });
    }
  }
  return result;
}

async function restoreEntities(ids: readonly string[]): Promise<RestoreResult> {
  const result: RestoreResult = { restored: [], failures: [] };
  for (const id of ids) {
    try {
      result.restored.push(await restoreEntity(id));
    } catch (error) {
      result.failures.push({ id, error });
    }
  }
  return result;
}

function applyMoves(applier: ChangeApplier, result: MoveResult) {
  for (const { node, oldParentId } of result.moved) applier.applyLocal({ kind: 'moved', node, oldParentId });
}

/** Creates an entity and applies the change to this window at once. */
export function useCreateEntity() {
  const applier = useChangeApplier();
  return useCallback(
    async (input: CreateEntity): Promise<TreeNode> => {
      const node = unwrap(await commands.createEntity(input));
      applier.applyLocal({ kind: 'created', node });
      return node;
    },
    [applier],
  );
}

/** Move, undo a move, delete and restore several entities, applying what succeeded. */
export function useEntityBatches() {
  const applier = useChangeApplier();
  return useMemo(
    () => ({
      move: async (nodes: readonly TreeNode[], newParentId: string | null): Promise<MoveResult> => {
        const result = await moveEntities(nodes, newParentId);
        applyMoves(applier, result);
        return result;
      },
      undoMoves: async (moved: readonly MovedNode[]): Promise<MoveResult> => {
        const result = await undoMoves(moved);
        applyMoves(applier, result);
        return result;
      },
      remove: async (nodes: readonly TreeNode[]): Promise<DeleteResult> => {
        const result = await deleteEntities(nodes);
        for (const { outcome } of result.deleted) {
          applier.applyLocal({ kind: 'deleted', id: outcome.id, parentId: outcome.parentId, count: outcome.deleted });
        }
        return result;
      },
      restore: async (ids: readonly string[]): Promise<RestoreResult> => {
        const result = await restoreEntities(ids);
        for (const outcome of result.restored) applier.applyLocal({ kind: 'restored', node: outcome.node, count: outcome.restored });
        return result;
      },
    }),
    [applier],
  );
}
