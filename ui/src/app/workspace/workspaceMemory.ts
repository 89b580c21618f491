// What a restart brings back, per database: the screen with its tabs and
// panes, and the entity selected in the tree. Kept in localStorage; anything
// unreadable or out of date counts as nothing kept.
import type { DatabaseInfo } from '../../bindings';
import { DATA_TABS, DEFAULT_LAYOUT, DETAIL_TABS, WORKSPACE_VIEWS, type WorkspaceLayoutState } from '../../shared/WorkspaceContext';

export type RememberedWorkspace = WorkspaceLayoutState & {
  /** The entity the tree had in focus (shown in the details). */
  selectedId: string | null;
};

const VERSION = 1;
const PREFIX = 'eco-studio.workspace';

/**
 * The key of one database: its kind and how it is shown, without the role
 * (signing in as someone else on the same database keeps the same layout).
 */
export function memoryKey(database: DatabaseInfo): string {
  const where = database.display.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
  return `${PREFIX}:${database.kind}:${where}`;
}

const oneOf = <T extends string>(allowed: readonly T[], value: unknown, fallback: T): T =>
  typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;

const idOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

function panesOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The remembered workspace in `text` (as written by `serializeMemory`), or null. */
export function parseMemory(text: string | null): RememberedWorkspace | null {
  if (text === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || (data as { version?: unknown }).version !== VERSION) return null;
  const stored = data as Record<string, unknown>;
  return {
    view: oneOf(WORKSPACE_VIEWS, stored.view, DEFAULT_LAYOUT.view),
    detailTab: oneOf(DETAIL_TABS, stored.detailTab, DEFAULT_LAYOUT.detailTab),
    dataTab: oneOf(DATA_TABS, stored.dataTab, DEFAULT_LAYOUT.dataTab),
    openedViewId: idOrNull(stored.openedViewId),
    panes: panesOf(stored.panes),
    selectedId: idOrNull(stored.selectedId),
  };
}

export function serializeMemory(memory: RememberedWorkspace): string {
  const { view, detailTab, dataTab, openedViewId, panes, selectedId } = memory;
  return JSON.stringify({ version: VERSION, view, detailTab, dataTab, openedViewId, panes, selectedId });
}

/**
 * Where the memory is kept, or null when nothing is to be kept: no storage,
 * or a window driven by automation (each scripted session starts as a fresh
 * install would, whatever the one before it did).
 */
export function memoryStorage(): Storage | null {
  if (typeof window === 'undefined' || window.navigator.webdriver) return null;
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function readMemory(storage: Storage | null, key: string): RememberedWorkspace | null {
  try {
    return parseMemory(storage?.getItem(key) ?? null);
  } catch {
    return null;
  }
}

export function writeMemory(storage: Storage | null, key: string, memory: RememberedWorkspace) {
  try {
    storage?.setItem(key, serializeMemory(memory));
  } catch {
    // A full or refused storage only loses the next restart's layout.
  }
}
