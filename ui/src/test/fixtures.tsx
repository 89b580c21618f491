// Shared test helpers: node factories, a fake backend on top of mockIPC, and a
// render helper with all providers.
import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { act, render } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { AppError, Capability, ChildPage, EntityDetail, EntityType, OfflineOverview, Person, RegistryChanged, Session, StartupStatus, TreeNode } from '../bindings';
import { AppProviders, createQueryClient } from '../app/providers';

export const T0 = '2025-01-01T00:00:00.000000Z';

export function makeNode(fields: Partial<TreeNode> & Pick<TreeNode, 'id' | 'name'>): TreeNode {
  return {
    parentId: null,
    typeKey: 'site',
    typeName: 'Site',
    icon: 'building',
    pathLabel: fields.name,
    hasChildren: false,
    updatedAt: T0,
    ...fields,
  };
}

/** `count` leaf children of `parent`, named "<prefix> 1" .. "<prefix> count", path "<parent>.<prefix>_<n>". */
export function makeChildren(parent: TreeNode, count: number, prefix = 'Item'): TreeNode[] {
  const label = prefix.toLowerCase().replace(/\W+/g, '_');
  return Array.from({ length: count }, (_, i) =>
    makeNode({
      id: `${parent.id}-c${i + 1}`,
      parentId: parent.id,
      name: `${prefix} ${i + 1}`,
      pathLabel: `${parent.pathLabel}.${label}_${i + 1}`,
      typeKey: 'device',
      typeName: 'Device',
      icon: 'device-desktop',
    }),
  );
}

export function makeType(fields: Partial<EntityType> & Pick<EntityType, 'key' | 'name'>): EntityType {
  return {
    id: `type-${fields.key}`,
    description: null,
    icon: 'box',
    isSystem: false,
    createdAt: T0,
    updatedAt: T0,
    deletedAt: null,
    liveEntities: 0,
    ...fields,
  };
}

export function detailOf(node: TreeNode, breadcrumb: TreeNode[] = []): EntityDetail {
  return {
    node,
    createdAt: T0,
    deletedAt: null,
    breadcrumb: breadcrumb.map((n) => ({ id: n.id, name: n.name, typeKey: n.typeKey, icon: n.icon })),
  };
}

/** Keyset paging over an ordered list, cursor = the last row's path label. */
export function pageOf(nodes: readonly TreeNode[], after: string | null, limit: number): ChildPage {
  const start = after === null ? 0 : nodes.findIndex((n) => n.pathLabel === after) + 1;
  const slice = nodes.slice(start, start + limit);
  const more = start + limit < nodes.length;
  return { nodes: slice, nextCursor: more ? slice[slice.length - 1].pathLabel : null };
}

export type IpcArgs = Record<string, unknown> | undefined;
export type IpcCall = { cmd: string; args: IpcArgs };
export type Handler = (args: IpcArgs) => unknown;

export type FakeBackend = {
  status?: StartupStatus;
  roots?: TreeNode[] | AppError;
  /** parentId -> children (paged by list_children), or an AppError to reject with. */
  children?: Record<string, TreeNode[] | AppError>;
  /** Further commands by their Rust name; throw an AppError to fail. */
  handlers?: Record<string, Handler>;
  /** Optional hook to delay or replace an answer. */
  override?: (cmd: string, args: IpcArgs) => unknown;
  /** Who the app is signed in as (default: the administrator). */
  session?: Session;
};

function isAppError(value: unknown): value is AppError {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'type' in value;
}

export const READY: StartupStatus = {
  state: 'ready',
  database: { kind: 'embedded', display: 'postgres://localhost:54321/eco', serverVersion: '17.4', appVersion: '0.1.0', schemaVersion: '20261202000001', replica: false },
};

export const makePerson = (over: Partial<Person> & Pick<Person, 'pgRole' | 'displayName'>): Person => ({
  id: `person-${over.pgRole}`,
  email: null,
  isAdmin: false,
  createdAt: '2026-11-30T08:00:00Z',
  deletedAt: null,
  maintenance: false,
  ...over,
});

export const ADMIN_SESSION: Session = {
  role: 'eco_admin',
  person: makePerson({ pgRole: 'eco_admin', displayName: 'Administrator', isAdmin: true }),
  bypassesSecurity: false,
  roots: [],
};

/** Online, nothing kept on this computer, no edit waiting: what the offline banner asks by default. */
export const ONLINE_OVERVIEW: OfflineOverview = {
  connection: { online: true, since: null },
  status: { path: '/home/ada/.local/share/eco-studio/offline.db', scopes: [], pending: 0, conflicts: 0, refused: 0, fileBytes: 0, lastRefresh: null },
  pendingEntities: [],
};

/** A person who is no administrator. */
export const ALICE = makePerson({ pgRole: 'alice', displayName: 'Alice Ng' });

/** Signed in as Alice, holding `capabilities` on one root only. */
export function sessionOn(rootId: string, capabilities: Capability[]): Session {
  return { role: 'alice', person: ALICE, bypassesSecurity: false, roots: [{ rootId, capabilities }] };
}

/** The application commands a test made (event plumbing excluded). */
export function callsOf(calls: IpcCall[], cmd: string): IpcArgs[] {
  return calls.filter((c) => c.cmd === cmd).map((c) => c.args);
}

function allNodes(backend: FakeBackend): TreeNode[] {
  const lists = [backend.roots, ...Object.values(backend.children ?? {})];
  return lists.flatMap((list) => (Array.isArray(list) ? list : []));
}

function findNode(backend: FakeBackend, id: string): TreeNode | undefined {
  return allNodes(backend).find((n) => n.id === id);
}

function ancestorsOf(backend: FakeBackend, node: TreeNode): TreeNode[] {
  const chain: TreeNode[] = [];
  let parentId = node.parentId;
  while (parentId) {
    const parent = findNode(backend, parentId);
    if (!parent) break;
    chain.unshift(parent);
    parentId = parent.parentId;
  }
  return chain;
}

/**
 * Install a fake Tauri backend. Commands that fail reject with the AppError
 * value itself, as Tauri does for a serialized `Err`. Returns the log of
 * application command calls (event plumbing excluded).
 */
export function installBackend(backend: FakeBackend): IpcCall[] {
  const calls: IpcCall[] = [];
  mockIPC(
    (cmd, payload) => {
      const args = payload as IpcArgs;
      calls.push({ cmd, args });
      if (backend.override) {
        const answer = backend.override(cmd, args);
        if (answer !== undefined) return answer;
      }
      const handler = backend.handlers?.[cmd];
      if (handler) return handler(args);
      switch (cmd) {
        case 'startup_status':
          return backend.status ?? READY;
        case 'current_session':
          return backend.session ?? ADMIN_SESSION;
        case 'viewing_as':
          return null;
        case 'list_roots': {
          const roots = backend.roots ?? [];
          if (isAppError(roots)) throw roots;
          return roots;
        }
        case 'list_children': {
          const parentId = String(args?.parentId);
          const children = backend.children?.[parentId];
          if (children === undefined) {
            throw { type: 'NotFound', data: { what: 'entity', id: parentId } } satisfies AppError;
          }
          if (isAppError(children)) throw children;
          return pageOf(children, (args?.after as string | null) ?? null, Number(args?.limit ?? 500));
        }
        case 'get_entity': {
          const node = findNode(backend, String(args?.id));
          if (!node) throw { type: 'NotFound', data: { what: 'entity', id: String(args?.id) } } satisfies AppError;
          return detailOf(node, ancestorsOf(backend, node));
        }
        case 'subtree_count':
          return 1;
        case 'list_entity_types':
          return [];
        case 'entity_history':
          return [];
        case 'welcome_needed':
          return false;
        case 'profile_passwords':
          return [];
        case 'vault_status':
          // The toolbar's lock asks; an unlocked vault with nothing in it.
          return { locked: false, hasPassphrase: false, idleLockSeconds: 900, keychainProblem: null, roots: [] };
        case 'alert_counts':
          // The toolbar's alert badge asks; nothing open.
          return { pending: 0, acknowledged: 0, critical: 0 };
        case 'list_alerts':
          // An entity's overview lists its alerts; none.
          return [];
        case 'offline_overview':
          // The offline banner asks; online, with nothing kept.
          return ONLINE_OVERVIEW;
        default:
          throw new Error(`unexpected command ${cmd}`);
      }
    },
    { shouldMockEvents: true },
  );
  return calls;
}

export function renderWithProviders(ui: ReactElement) {
  const client = createQueryClient();
  return {
    client,
    ...render(
      <AppProviders client={client} env="test">
        {ui}
      </AppProviders>,
    ),
  };
}

/** Send a `registry-changed` event as the backend would. */
export async function sendRegistryChanged(change: RegistryChanged['change'], window = 'other') {
  const payload: RegistryChanged = { source: { kind: 'window', label: window }, change };
  await act(async () => {
    await emit('registry-changed', payload);
  });
}

/** A promise with its resolve function exposed. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
