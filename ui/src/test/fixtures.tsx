// Shared test helpers: node factories, a fake backend on top of mockIPC, and a
// render helper with all providers.
import { mockIPC } from '@tauri-apps/api/mocks';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { AppError, StartupStatus, TreeNode } from '../bindings';
import { AppProviders, createQueryClient } from '../providers';

export function makeNode(fields: Partial<TreeNode> & Pick<TreeNode, 'id' | 'name'>): TreeNode {
  return {
    parentId: null,
    typeKey: 'site',
    typeName: 'Site',
    icon: 'building',
    pathLabel: fields.name,
    hasChildren: false,
    ...fields,
  };
}

/** `count` leaf children of `parent`, named "<prefix> 1" .. "<prefix> count". */
export function makeChildren(parent: TreeNode, count: number, prefix = 'Item'): TreeNode[] {
  return Array.from({ length: count }, (_, i) =>
    makeNode({
      id: `${parent.id}-c${i + 1}`,
      parentId: parent.id,
      name: `${prefix} ${i + 1}`,
      pathLabel: `${parent.pathLabel}/${prefix} ${i + 1}`,
      typeKey: 'device',
      typeName: 'Device',
      icon: 'device-desktop',
    }),
  );
}

export type IpcCall = { cmd: string; args: Record<string, unknown> | undefined };

export type FakeBackend = {
  status?: StartupStatus;
  roots?: TreeNode[] | AppError;
  /** parentId -> children, or an AppError to reject with. */
  children?: Record<string, TreeNode[] | AppError>;
  /** Optional hook to delay or replace an answer. */
  override?: (cmd: string, args: Record<string, unknown> | undefined) => unknown;
};

function isAppError(value: unknown): value is AppError {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'type' in value;
}

export const READY: StartupStatus = {
  state: 'ready',
  database: { kind: 'embedded', display: 'postgres://localhost:54321/eco', serverVersion: '17.4' },
};

/**
 * Install a fake Tauri backend. Commands that fail reject with the AppError
 * value itself, as Tauri does for a serialized `Err`. Returns the log of
 * application command calls (event plumbing excluded).
 */
export function installBackend(backend: FakeBackend): IpcCall[] {
  const calls: IpcCall[] = [];
  mockIPC(
    (cmd, payload) => {
      const args = payload as Record<string, unknown> | undefined;
      calls.push({ cmd, args });
      if (backend.override) {
        const answer = backend.override(cmd, args);
        if (answer !== undefined) return answer;
      }
      switch (cmd) {
        case 'startup_status':
          return backend.status ?? READY;
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
          return children;
        }
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
  return { client, ...render(<AppProviders client={client}>{ui}</AppProviders>) };
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
