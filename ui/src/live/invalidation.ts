// Pure mapping from a registry change to the cached data it makes stale.
// The applier (applyChange.ts) turns these targets into query invalidations.

import type { RegistryChange, TreeNode } from '../bindings';

export type InvalidationTarget =
  | { kind: 'roots' }
  | { kind: 'children'; parentId: string }
  | { kind: 'allChildren' }
  | { kind: 'entity'; id: string }
  | { kind: 'allEntities' }
  | { kind: 'history'; id: string }
  | { kind: 'allHistories' }
  | { kind: 'pane'; id: string }
  | { kind: 'allPanes' }
  | { kind: 'propertySchema' }
  | { kind: 'links'; id: string }
  | { kind: 'allLinks' }
  | { kind: 'tagSchema' }
  | { kind: 'subtreeCounts' }
  | { kind: 'trash' }
  | { kind: 'types' }
  | { kind: 'people' }
  | { kind: 'search' }
  | { kind: 'savedViews' }
  | { kind: 'viewResults' }
  | { kind: 'vaultStatus' }
  | { kind: 'secrets' }
  | { kind: 'secretVersions'; id: string }
  | { kind: 'allSecretVersions' }
  | { kind: 'dashboards' }
  | { kind: 'dashboard'; id: string }
  | { kind: 'widgetData' }
  | { kind: 'metrics' }
  | { kind: 'alerts' }
  | { kind: 'workflows' }
  | { kind: 'executions' }
  | { kind: 'approvals' }
  | { kind: 'packs' }
  | { kind: 'imports' };

/** What the client knows about the loaded part of the tree. */
export type TreeIndex = {
  /** A loaded node by id. */
  node(id: string): TreeNode | undefined;
  /** Ids of loaded nodes under `id` (any depth). */
  loadedDescendants(id: string): string[];
};

export const EMPTY_TREE_INDEX: TreeIndex = { node: () => undefined, loadedDescendants: () => [] };

export function targetKey(target: InvalidationTarget): string {
  switch (target.kind) {
    case 'children':
      return `children:${target.parentId}`;
    case 'entity':
    case 'history':
    case 'pane':
    case 'links':
    case 'secretVersions':
    case 'dashboard':
      return `${target.kind}:${target.id}`;
    default:
      return target.kind;
  }
}

/** The list a node with this parent appears in: the roots or a parent's children. */
function listOf(parentId: string | null): InvalidationTarget {
  return parentId === null ? { kind: 'roots' } : { kind: 'children', parentId };
}

/**
 * The list showing the row of `parentId` itself (whose chevron depends on
 * whether it still has children). Unknown when that row is not loaded.
 */
function listShowing(parentId: string | null, index: TreeIndex): InvalidationTarget[] {
  if (parentId === null) return [];
  const parent = index.node(parentId);
  return parent ? [listOf(parent.parentId)] : [];
}

/** The cached lists and details inside a subtree whose path labels changed. */
function subtreeTargets(id: string, index: TreeIndex): InvalidationTarget[] {
  const targets: InvalidationTarget[] = [{ kind: 'children', parentId: id }];
  for (const descendant of index.loadedDescendants(id)) {
    targets.push({ kind: 'children', parentId: descendant }, { kind: 'entity', id: descendant });
  }
  return targets;
}

function dedupe(targets: InvalidationTarget[]): InvalidationTarget[] {
  const seen = new Map<string, InvalidationTarget>();
  for (const target of targets) if (!seen.has(targetKey(target))) seen.set(targetKey(target), target);
  return [...seen.values()];
}

/** Everything `change` makes stale, without duplicates. */
export function invalidationsFor(change: RegistryChange, index: TreeIndex): InvalidationTarget[] {
  switch (change.kind) {
    case 'created': {
      const { parentId } = change.node;
      return dedupe([
        listOf(parentId),
        ...listShowing(parentId, index),
        ...(parentId ? [{ kind: 'entity', id: parentId } as const] : []),
        { kind: 'subtreeCounts' },
        { kind: 'search' },
        { kind: 'viewResults' },
      ]);
    }
    case 'updated': {
      const { node } = change;
      const before = index.node(node.id);
      const pathChanged = before !== undefined && before.pathLabel !== node.pathLabel;
      return dedupe([
        listOf(node.parentId),
        { kind: 'entity', id: node.id },
        { kind: 'history', id: node.id },
        ...(pathChanged ? subtreeTargets(node.id, index) : []),
        { kind: 'search' },
        { kind: 'viewResults' },
      ]);
    }
    case 'moved': {
      const { node, oldParentId } = change;
      return dedupe([
        listOf(oldParentId),
        listOf(node.parentId),
        ...listShowing(oldParentId, index),
        ...listShowing(node.parentId, index),
        ...(oldParentId ? [{ kind: 'entity', id: oldParentId } as const] : []),
        ...(node.parentId ? [{ kind: 'entity', id: node.parentId } as const] : []),
        { kind: 'entity', id: node.id },
        { kind: 'history', id: node.id },
        ...subtreeTargets(node.id, index),
        { kind: 'subtreeCounts' },
        { kind: 'search' },
        { kind: 'viewResults' },
      ]);
    }
    case 'deleted': {
      const { id, parentId } = change;
      return dedupe([
        listOf(parentId),
        ...listShowing(parentId, index),
        ...(parentId ? [{ kind: 'entity', id: parentId } as const] : []),
        { kind: 'entity', id },
        { kind: 'history', id },
        ...index.loadedDescendants(id).map((d) => ({ kind: 'entity', id: d }) as const),
        { kind: 'subtreeCounts' },
        { kind: 'trash' },
        { kind: 'search' },
        { kind: 'viewResults' },
      ]);
    }
    case 'restored': {
      const { node } = change;
      return dedupe([
        listOf(node.parentId),
        ...listShowing(node.parentId, index),
        ...(node.parentId ? [{ kind: 'entity', id: node.parentId } as const] : []),
        { kind: 'entity', id: node.id },
        { kind: 'history', id: node.id },
        { kind: 'children', parentId: node.id },
        { kind: 'subtreeCounts' },
        { kind: 'trash' },
        { kind: 'search' },
        { kind: 'viewResults' },
      ]);
    }
    case 'purged':
      return [{ kind: 'trash' }, { kind: 'entity', id: change.id }, { kind: 'history', id: change.id }];
    case 'typesChanged':
      // Type names and icons are drawn on every row and in the details.
      return [{ kind: 'types' }, { kind: 'roots' }, { kind: 'allChildren' }, { kind: 'allEntities' }, { kind: 'trash' }, { kind: 'search' }, { kind: 'viewResults' }];
    case 'propertiesChanged': {
      // Its version moved on: the row in its list, its details, history,
      // pane, and any view showing or filtering by its values.
      const { node } = change;
      return dedupe([
        listOf(node.parentId),
        { kind: 'entity', id: node.id },
        { kind: 'history', id: node.id },
        { kind: 'pane', id: node.id },
        { kind: 'viewResults' },
      ]);
    }
    case 'tagsChanged': {
      const { node } = change;
      return dedupe([
        listOf(node.parentId),
        { kind: 'entity', id: node.id },
        { kind: 'history', id: node.id },
        { kind: 'links', id: node.id },
        { kind: 'tagSchema' },
        // Views filter by tags.
        { kind: 'viewResults' },
      ]);
    }
    case 'tagSchemaChanged':
      // Tag names and colours are drawn wherever an entity's tags are; a
      // deleted tag no longer matches a view's tag condition.
      return [{ kind: 'tagSchema' }, { kind: 'allLinks' }, { kind: 'viewResults' }];
    case 'groupChanged':
      // The group's members and every member's list of groups.
      return [{ kind: 'allLinks' }, { kind: 'history', id: change.groupId }];
    case 'viewsChanged':
      // A saved view was created, changed, deleted or restored: the list.
      return [{ kind: 'savedViews' }];
    case 'vaultChanged':
      // The lock (both null), a root's key (its versions, and after a rewrap
      // the key versions of its secrets' versions), or one secret's versions.
      // Never a value: revealed values are in no cache.
      if (change.secretId !== null) return [{ kind: 'vaultStatus' }, { kind: 'secrets' }, { kind: 'secretVersions', id: change.secretId }];
      if (change.rootId !== null) return [{ kind: 'vaultStatus' }, { kind: 'secrets' }, { kind: 'allSecretVersions' }];
      return [{ kind: 'vaultStatus' }, { kind: 'secrets' }];
    case 'relationshipsChanged':
      // Both ends, any neighbourhood graph that may reach them, and views
      // with a relationship condition.
      return [{ kind: 'allLinks' }, { kind: 'history', id: change.sourceId }, { kind: 'viewResults' }];
    case 'schemaChanged':
      // Groups, definitions or a layout: the admin lists, every pane, and
      // the types (a layout change moves its type's version on). A property
      // made searchable or not changes what views may show and match.
      return [{ kind: 'propertySchema' }, { kind: 'allPanes' }, { kind: 'types' }, { kind: 'viewResults' }];
    case 'bulkEdited':
      // Values or tags of many entities: rows (versions), panes, links,
      // histories, and the tag lists.
      return [
        { kind: 'roots' },
        { kind: 'allChildren' },
        { kind: 'allEntities' },
        { kind: 'allHistories' },
        { kind: 'allPanes' },
        { kind: 'allLinks' },
        { kind: 'tagSchema' },
        { kind: 'search' },
        { kind: 'viewResults' },
      ];
    case 'reloaded':
      // A bulk load (an import, a pack installed or removed), people and
      // scopes changed (what one sees), someone else signed in, or the reads
      // moved between the server and the offline copy: any cached list, row,
      // count, history, saved view, the property schema, dashboards and
      // their data, alerts, workflows and their runs, the packs and the
      // import runs may be stale (or an error of the other source).
      return [
        { kind: 'types' },
        { kind: 'roots' },
        { kind: 'allChildren' },
        { kind: 'allEntities' },
        { kind: 'allHistories' },
        { kind: 'allPanes' },
        { kind: 'allLinks' },
        { kind: 'tagSchema' },
        { kind: 'subtreeCounts' },
        { kind: 'trash' },
        { kind: 'search' },
        { kind: 'viewResults' },
        { kind: 'savedViews' },
        { kind: 'people' },
        { kind: 'propertySchema' },
        { kind: 'dashboards' },
        { kind: 'widgetData' },
        { kind: 'metrics' },
        { kind: 'alerts' },
        { kind: 'workflows' },
        { kind: 'executions' },
        { kind: 'approvals' },
        { kind: 'packs' },
        { kind: 'imports' },
      ];
    case 'metricsChanged':
      // Readings were imported: the metrics list and every widget's data.
      return [{ kind: 'metrics' }, { kind: 'widgetData' }];
    case 'alertsChanged':
      // The counts, every list of alerts, and widgets that show alerts.
      return [{ kind: 'alerts' }, { kind: 'widgetData' }];
    case 'dashboardsChanged':
      // The list and that dashboard; its widgets' data keys follow their configs.
      return [{ kind: 'dashboards' }, { kind: 'dashboard', id: change.id }];
    case 'workflowsChanged':
      // A workflow, a run or a vote: the lists and the inbox (runs also poll while active).
      return [{ kind: 'workflows' }, { kind: 'executions' }, { kind: 'approvals' }];
  }
}

/**
 * A fingerprint of a change, so an event echoing a change this window already
 * applied (it made it) is not applied twice. Null for changes never skipped.
 */
export function changeFingerprint(change: RegistryChange): string | null {
  switch (change.kind) {
    case 'created':
    case 'updated':
    case 'moved':
    case 'restored':
    case 'propertiesChanged':
    case 'tagsChanged':
      return `${change.kind}:${change.node.id}:${change.node.updatedAt}`;
    case 'deleted':
      return `deleted:${change.id}:${change.count}`;
    case 'purged':
      return `purged:${change.id}`;
    case 'typesChanged':
    case 'schemaChanged':
    case 'tagSchemaChanged':
    case 'groupChanged':
    case 'relationshipsChanged':
    case 'bulkEdited':
    case 'reloaded':
    case 'viewsChanged':
    case 'vaultChanged':
    case 'metricsChanged':
    case 'alertsChanged':
    case 'dashboardsChanged':
    case 'workflowsChanged':
      return null;
  }
}
