// Pure rules for moving entities (drag and drop, "Move to…"): which of the
// dragged nodes actually move, and whether a target is allowed.

import type { TreeNode } from '../../bindings';

/** Parent of a loaded node: a parent id, null for roots, undefined when unknown. */
export type ParentLookup = (id: string) => string | null | undefined;

/** Path labels are dot-separated from the root: "a.b.c" is under "a.b". */
export function isPathUnder(ancestorPath: string, path: string): boolean {
  return path.length > ancestorPath.length && path.startsWith(ancestorPath) && path[ancestorPath.length] === '.';
}

/** Ids of the known ancestors of `id`, nearest first. */
export function ancestorIds(id: string, parentOf: ParentLookup): string[] {
  const result: string[] = [];
  const seen = new Set<string>([id]);
  let current = parentOf(id);
  while (current) {
    if (seen.has(current)) break;
    seen.add(current);
    result.push(current);
    current = parentOf(current);
  }
  return result;
}

/** True when `node` is inside `ancestor`'s subtree (by path label or by the loaded parents). */
export function isDescendantOf(node: TreeNode, ancestor: TreeNode, parentOf: ParentLookup): boolean {
  if (node.id === ancestor.id) return false;
  if (isPathUnder(ancestor.pathLabel, node.pathLabel)) return true;
  return ancestorIds(node.id, parentOf).includes(ancestor.id);
}

/** The nodes that are not inside another given node's subtree (moving those carries the rest). */
export function topMostNodes(nodes: readonly TreeNode[], parentOf: ParentLookup = () => undefined): TreeNode[] {
  const unique = [...new Map(nodes.map((n) => [n.id, n])).values()];
  return unique.filter((node) => !unique.some((other) => isDescendantOf(node, other, parentOf)));
}

export type DropVerdict =
  | { ok: true; nodes: TreeNode[] }
  | { ok: false; reason: string };

/**
 * May `dragged` be moved under `target` (null = the top level)? Refuses a
 * drop onto one of the dragged nodes or into one of their subtrees, and a
 * drop where nothing would change. On success, `nodes` are the top-most
 * dragged nodes not already under the target — the ones to move.
 */
export function validateDrop(dragged: readonly TreeNode[], target: TreeNode | null, parentOf: ParentLookup = () => undefined): DropVerdict {
  const nodes = topMostNodes(dragged, parentOf);
  if (nodes.length === 0) return { ok: false, reason: 'Nothing to move.' };
  if (target) {
    const self = nodes.find((n) => n.id === target.id);
    if (self) return { ok: false, reason: `Can't move "${self.name}" into itself.` };
    const ancestor = nodes.find((n) => isDescendantOf(target, n, parentOf));
    if (ancestor) return { ok: false, reason: `Can't move "${ancestor.name}" into its own descendant "${target.name}".` };
  }
  const targetId = target?.id ?? null;
  const moving = nodes.filter((n) => n.parentId !== targetId);
  if (moving.length === 0) {
    const where = target ? `under "${target.name}"` : 'at the top level';
    return { ok: false, reason: nodes.length === 1 ? `"${nodes[0].name}" is already ${where}.` : `They are already ${where}.` };
  }
  return { ok: true, nodes: moving };
}

/** "3 entities" / "“Hall A”" for dialog texts. */
export function describeNodes(nodes: readonly TreeNode[]): string {
  return nodes.length === 1 ? `"${nodes[0].name}"` : `${nodes.length.toLocaleString('en-US')} entities`;
}

/** "Move 3 entities under Building A?" / "Move “Hall A” to the top level?" */
export function moveQuestion(nodes: readonly TreeNode[], target: TreeNode | null): string {
  return `Move ${describeNodes(nodes)} ${target ? `under ${target.name}` : 'to the top level'}?`;
}
