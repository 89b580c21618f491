// Turn registry changes into exact query invalidations on the client cache.
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import { queryKeys } from '../shared/queryKeys';
import type { ChildPage, RegistryChange, TreeNode } from '../bindings';
import { changeFingerprint, invalidationsFor, type InvalidationTarget, type TreeIndex } from './invalidation';

export function queryKeyOf(target: InvalidationTarget): QueryKey {
  switch (target.kind) {
    case 'roots':
      return queryKeys.roots;
    case 'children':
      return queryKeys.children(target.parentId);
    case 'allChildren':
      return queryKeys.allChildren;
    case 'entity':
      return queryKeys.entity(target.id);
    case 'allEntities':
      return queryKeys.allEntities;
    case 'history':
      return queryKeys.history(target.id);
    case 'allHistories':
      return queryKeys.allHistories;
    case 'pane':
      return queryKeys.propertyPane(target.id);
    case 'allPanes':
      return queryKeys.allPropertyPanes;
    case 'propertySchema':
      return queryKeys.propertySchema;
    case 'links':
      return queryKeys.entityLinks(target.id);
    case 'allLinks':
      return queryKeys.allLinks;
    case 'tagSchema':
      return queryKeys.tagSchema;
    case 'subtreeCounts':
      return queryKeys.allSubtreeCounts;
    case 'trash':
      return queryKeys.trash;
    case 'types':
      return queryKeys.allEntityTypes;
    case 'search':
      return queryKeys.allSearches;
    case 'people':
      return queryKeys.allPeople;
    case 'savedViews':
      return queryKeys.savedViews;
    case 'viewResults':
      return queryKeys.viewResults;
    case 'vaultStatus':
      return queryKeys.vaultStatus;
    case 'secrets':
      return queryKeys.allSecrets;
    case 'secretVersions':
      return queryKeys.secretVersions(target.id);
    case 'allSecretVersions':
      return queryKeys.allSecretVersions;
    case 'dashboards':
      return queryKeys.dashboards;
    case 'dashboard':
      return queryKeys.dashboard(target.id);
    case 'widgetData':
      return queryKeys.widgetData;
    case 'metrics':
      return queryKeys.metrics;
    case 'alerts':
      return queryKeys.alerts;
    case 'workflows':
      return queryKeys.allWorkflows;
    case 'executions':
      return queryKeys.allExecutions;
    case 'approvals':
      return queryKeys.allApprovals;
    case 'packs':
      return queryKeys.packs;
    case 'imports':
      return queryKeys.allImports;
  }
}

/** The loaded tree as the query cache holds it (roots and every child page). */
export function treeIndexFromCache(client: QueryClient): TreeIndex {
  const byId = new Map<string, TreeNode>();
  const childrenOf = new Map<string, string[]>();
  const add = (node: TreeNode) => {
    byId.set(node.id, node);
    if (node.parentId !== null) {
      const list = childrenOf.get(node.parentId);
      if (list) list.push(node.id);
      else childrenOf.set(node.parentId, [node.id]);
    }
  };
  for (const node of client.getQueryData<TreeNode[]>(queryKeys.roots) ?? []) add(node);
  for (const [, page] of client.getQueriesData<ChildPage>({ queryKey: queryKeys.allChildren })) {
    for (const node of page?.nodes ?? []) add(node);
  }
  return {
    node: (id) => byId.get(id),
    loadedDescendants: (id) => {
      const result: string[] = [];
      const seen = new Set<string>([id]);
      const stack = [...(childrenOf.get(id) ?? [])];
      while (stack.length > 0) {
        const next = stack.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        result.push(next);
        stack.push(...(childrenOf.get(next) ?? []));
      }
      return result;
    },
  };
}

const RECENT_TTL_MS = 10_000;

/**
 * Applies changes to one query client, remembering those this window made so
 * the echo of the same change (arriving as an event) does not refetch again.
 */
export class ChangeApplier {
  private readonly recent = new Map<string, number>();

  constructor(private readonly client: QueryClient) {}

  /** A change this window made (after its command succeeded). */
  applyLocal(change: RegistryChange, now: number = Date.now()): void {
    const fingerprint = changeFingerprint(change);
    if (fingerprint) this.recent.set(fingerprint, now);
    this.invalidate(change);
  }

  /** A change reported by a `registry-changed` event. Returns false when skipped as an echo. */
  applyEvent(change: RegistryChange, now: number = Date.now()): boolean {
    this.forgetOld(now);
    const fingerprint = changeFingerprint(change);
    if (fingerprint && this.recent.has(fingerprint)) {
      this.recent.delete(fingerprint);
      return false;
    }
    this.invalidate(change);
    return true;
  }

  private forgetOld(now: number) {
    for (const [key, at] of this.recent) if (now - at > RECENT_TTL_MS) this.recent.delete(key);
  }

  private invalidate(change: RegistryChange) {
    const targets = invalidationsFor(change, treeIndexFromCache(this.client));
    for (const target of targets) {
      void this.client.invalidateQueries({ queryKey: queryKeyOf(target) });
    }
  }
}
