import { useMemo } from 'react';
import type { TreeNode } from '../../bindings';
import type { ParentLookup } from './dropRules';
import { useTreeController } from './TreeController';
import { flattenTree } from './treeModel';
import { useChildrenStates } from './treeQueries';

/** The visible rows of the tree, from the roots and the controller's expansion state. */
export function useTreeRows(roots: readonly TreeNode[]) {
  const { expanded, pageTargets } = useTreeController();
  const expandedIds = useMemo(() => [...expanded], [expanded]);
  const childrenStates = useChildrenStates(expandedIds, pageTargets);
  const rows = useMemo(() => flattenTree(roots, expanded, (id) => childrenStates.get(id)), [roots, expanded, childrenStates]);
  const parentOf = useMemo<ParentLookup>(() => {
    const parents = new Map<string, string | null>();
    for (const row of rows) if (row.kind === 'node') parents.set(row.node.id, row.node.parentId);
    return (id) => parents.get(id);
  }, [rows]);
  return { rows, childrenStates, parentOf };
}
