// Working out what must be expanded and loaded for an entity to become a
// visible row (palette "reveal", breadcrumb clicks, newly created entities).
import type { ChildPage, EntityDetail, TreeNode } from '../../bindings';

export type RevealDeps = {
  getEntity: (id: string) => Promise<EntityDetail>;
  listRoots: () => Promise<TreeNode[]>;
  /** A page of children (through the query cache, so the tree reuses it). */
  fetchPage: (parentId: string, after: string | null) => Promise<ChildPage>;
};

export type RevealPlan = {
  target: TreeNode;
  /** Ancestors to expand, root first. */
  expand: string[];
  /** For each expanded ancestor: how many pages must be loaded to reach the next step. */
  pages: Map<string, number>;
};

export class RevealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RevealError';
  }
}

/** Pages of `parentId` needed until `childId` is among them. */
async function pagesUntil(parentId: string, childId: string, fetchPage: RevealDeps['fetchPage']): Promise<number> {
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(parentId, after);
    if (page.nodes.some((n) => n.id === childId)) return pages;
    if (page.nextCursor === null) throw new RevealError('The entity is no longer where the registry said it was. Try again.');
    after = page.nextCursor;
  }
}

export async function planReveal(id: string, deps: RevealDeps): Promise<RevealPlan> {
  const detail = await deps.getEntity(id);
  if (detail.deletedAt !== null) throw new RevealError(`"${detail.node.name}" is in the trash.`);
  const chain = [...detail.breadcrumb.map((c) => c.id), detail.node.id];
  const roots = await deps.listRoots();
  if (!roots.some((r) => r.id === chain[0])) throw new RevealError('Its top-level ancestor is not in the registry any more.');
  const pages = new Map<string, number>();
  for (let i = 0; i < chain.length - 1; i++) {
    pages.set(chain[i], await pagesUntil(chain[i], chain[i + 1], deps.fetchPage));
  }
  return { target: detail.node, expand: chain.slice(0, -1), pages };
}
