// Batches of entity commands (one call per entity, in order), collecting what
// succeeded and what failed. No React; the hook in useEntityActions adds the
// cache updates and notifications.
import { commands, type DeleteOutcome, type RestoreOutcome, type TreeNode } from '../bindings';
import { unwrap } from '../errors';

export type Failure = { node: TreeNode; error: unknown };

/** A move that is done: the node as it is now, and where it came from. */
export type MovedNode = { node: TreeNode; oldParentId: string | null };

export type StartedJob = { node: TreeNode; jobId: string; total: number };

export type MoveResult = { moved: MovedNode[]; jobs: StartedJob[]; failures: Failure[] };

export type DeleteResult = { deleted: { node: TreeNode; outcome: DeleteOutcome }[]; failures: Failure[] };

export async function moveEntities(nodes: readonly TreeNode[], newParentId: string | null): Promise<MoveResult> {
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
export async function undoMoves(moved: readonly MovedNode[]): Promise<MoveResult> {
  const result: MoveResult = { moved: [], jobs: [], failures: [] };
  for (const { node, oldParentId } of moved) {
    const partial = await moveEntities([node], oldParentId);
    result.moved.push(...partial.moved);
    result.jobs.push(...partial.jobs);
    result.failures.push(...partial.failures);
  }
  return result;
}

export async function deleteEntities(nodes: readonly TreeNode[]): Promise<DeleteResult> {
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

export async function restoreEntities(ids: readonly string[]): Promise<{ restored: RestoreOutcome[]; failures: { id: string; error: unknown }[] }> {
  const restored: RestoreOutcome[] = [];
  const failures: { id: string; error: unknown }[] = [];
  for (const id of ids) {
    try {
      restored.push(unwrap(await commands.restoreEntity(id)));
    } catch (error) {
      failures.push({ id, error });
    }
  }
  return { restored, failures };
}
