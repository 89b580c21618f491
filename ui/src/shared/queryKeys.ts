// The query keys of every read command. The features build their queries
// from these and the live-update invalidation (live/applyChange.ts) maps
// changes onto them, so this is the only list of keys.

export const queryKeys = {
  /** Who the app is signed in as; the people; a person's scopes. */
  session: ['people', 'session'] as const,
  viewingAs: ['people', 'viewingAs'] as const,
  people: ['people', 'list'] as const,
  scopes: (userId: string) => ['people', 'scopes', userId] as const,
  allPeople: ['people'] as const,
  /** The connection profiles of this computer's user. */
  profiles: ['profiles'] as const,
  /** The profiles whose password the OS keychain keeps (under `profiles`). */
  profilePasswords: ['profiles', 'passwords'] as const,
  /** Whether to offer the first-run choice of where to work. */
  welcome: ['welcome'] as const,
  roots: ['roots'] as const,
  /** Prefix of every page of one parent's children. */
  children: (parentId: string) => ['children', parentId] as const,
  allChildren: ['children'] as const,
  childPage: (parentId: string, after: string | null) => ['children', parentId, after] as const,
  entity: (id: string) => ['entity', id] as const,
  allEntities: ['entity'] as const,
  subtreeCount: (id: string) => ['subtreeCount', id] as const,
  allSubtreeCounts: ['subtreeCount'] as const,
  history: (id: string) => ['history', id] as const,
  allHistories: ['history'] as const,
  search: (query: string) => ['search', query] as const,
  allSearches: ['search'] as const,
  trash: ['trash'] as const,
  entityTypes: (includeDeleted: boolean) => ['entityTypes', includeDeleted] as const,
  /** An entity's property pane. */
  propertyPane: (entityId: string) => ['propertyPane', entityId] as const,
  allPropertyPanes: ['propertyPane'] as const,
  /** Property groups, definitions and type layouts (the property schema). */
  propertyGroups: (includeDeleted: boolean) => ['propertySchema', 'groups', includeDeleted] as const,
  propertyDefinitions: (includeDeleted: boolean) => ['propertySchema', 'definitions', includeDeleted] as const,
  typeLayout: (entityTypeId: string) => ['propertySchema', 'layout', entityTypeId] as const,
  propertySchema: ['propertySchema'] as const,
  /** What links to an entity: its tags, groups, relationships, neighbourhood. */
  entityLinks: (entityId: string) => ['links', entityId] as const,
  entityTags: (entityId: string) => ['links', entityId, 'tags'] as const,
  entityGroup: (entityId: string) => ['links', entityId, 'group'] as const,
  groupMembers: (groupId: string) => ['links', groupId, 'members'] as const,
  groupsOf: (entityId: string) => ['links', entityId, 'groups'] as const,
  relationshipsOf: (entityId: string) => ['links', entityId, 'relationships'] as const,
  neighbourhood: (entityId: string, hops: number) => ['links', entityId, 'neighbourhood', hops] as const,
  allLinks: ['links'] as const,
  /** Tag groups, tags and the entities carrying a tag. */
  tagGroups: (includeDeleted: boolean) => ['tagSchema', 'groups', includeDeleted] as const,
  tags: ['tagSchema', 'tags'] as const,
  taggedEntities: (tagId: string) => ['tagSchema', 'tagged', tagId] as const,
  tagSchema: ['tagSchema'] as const,
  allEntityTypes: ['entityTypes'] as const,
  /** The vault: its lock and the roots' keys, the secrets, a secret's versions (never a value). */
  vault: ['vault'] as const,
  vaultStatus: ['vault', 'status'] as const,
  secrets: (rootId: string | null) => ['vault', 'secrets', rootId] as const,
  allSecrets: ['vault', 'secrets'] as const,
  secretVersions: (secretId: string) => ['vault', 'versions', secretId] as const,
  allSecretVersions: ['vault', 'versions'] as const,
  /** The saved views the person sees. */
  savedViews: ['views', 'saved'] as const,
  /** Prefix of everything read by running a view document (pages, counts, trees). */
  viewResults: ['viewResults'] as const,
  /** The pages of one document (`docKey`: the document as JSON). */
  viewRows: (docKey: string) => ['viewResults', 'rows', docKey] as const,
  viewCount: (docKey: string) => ['viewResults', 'count', docKey] as const,
  viewTree: (docKey: string) => ['viewResults', 'tree', docKey] as const,
  /** Dashboards: the list, one dashboard, and each widget's data. */
  dashboards: ['dashboards', 'list'] as const,
  dashboard: (id: string) => ['dashboards', 'one', id] as const,
  /** Prefix of every widget's data. */
  widgetData: ['dashboards', 'widget'] as const,
  /**
   * One widget's data, keyed only by what it depends on: its config (as
   * JSON), the range and the root when it uses them (else null), and the
   * cross-filters that apply to it.
   */
  widget: (widgetId: string, configKey: string, rangeKey: string | null, rootKey: string | null, filtersKey: string) =>
    ['dashboards', 'widget', widgetId, configKey, rangeKey, rootKey, filtersKey] as const,
  /** The metrics the person sees. */
  metrics: ['metrics'] as const,
  /** Alerts: lists (by filter) and the open counts. */
  alerts: ['alerts'] as const,
  alertList: (entityId: string | null, scope: string) => ['alerts', 'list', entityId, scope] as const,
  alertCounts: ['alerts', 'counts'] as const,
  /** Workflows: the list, one workflow (draft and versions). */
  workflows: ['workflows', 'list'] as const,
  workflow: (id: string) => ['workflows', 'one', id] as const,
  /** Prefix of every workflow read (the list and each workflow). */
  allWorkflows: ['workflows'] as const,
  /** Workflow runs: a list by filter (`filterKey`: the filter as JSON), one run with its steps. */
  executions: (filterKey: string) => ['executions', 'list', filterKey] as const,
  execution: (id: string) => ['executions', 'one', id] as const,
  /** Prefix of every run read (lists and single runs). */
  allExecutions: ['executions'] as const,
  /** Approval requests the person sees (only pending ones, or all). */
  approvals: (pendingOnly: boolean) => ['approvals', pendingOnly] as const,
  allApprovals: ['approvals'] as const,
  /** The person's workflow notifications. */
  notifications: ['notifications'] as const,
  /** The domain packs built in and installed. */
  packs: ['packs'] as const,
  /** Imports of rows: the run log and the mapping presets. */
  importRuns: ['imports', 'runs'] as const,
  importPresets: ['imports', 'presets'] as const,
  allImports: ['imports'] as const,
  /** Offline: the connection, the cache and the outbox (refreshed on `offline-changed`). */
  offline: ['offline'] as const,
  offlineOverview: ['offline', 'overview'] as const,
  /** The outbox, only the entries of these statuses (`statusesKey`: joined by ","; "" for all). */
  offlineOutbox: (statusesKey: string) => ['offline', 'outbox', statusesKey] as const,
  /** What making a subtree available offline would download. */
  offlineSize: (rootId: string) => ['offlineSize', rootId] as const,
};
