import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { TreeNode, ViewDocument } from '../bindings';

export type WorkspaceView = 'registry' | 'views' | 'dashboards' | 'workflows' | 'data' | 'vault' | 'trash' | 'types' | 'properties' | 'tags' | 'people';
/** The tabs of the Data screen: domain packs, importing a file, the import runs, what is kept offline. */
export type DataTab = 'packs' | 'import' | 'runs' | 'offline';
export type DetailTab = 'overview' | 'properties' | 'links' | 'history';

export const WORKSPACE_VIEWS: readonly WorkspaceView[] = ['registry', 'views', 'dashboards', 'workflows', 'data', 'vault', 'trash', 'types', 'properties', 'tags', 'people'];
export const DATA_TABS: readonly DataTab[] = ['packs', 'import', 'runs', 'offline'];
export const DETAIL_TABS: readonly DetailTab[] = ['overview', 'properties', 'links', 'history'];

/** The one dialog the registry view shows at a time (the palette shows over any screen). */
export type DialogRequest =
  | { kind: 'delete'; nodes: TreeNode[] }
  | { kind: 'move'; nodes: TreeNode[]; target: TreeNode | null }
  | { kind: 'move-picker'; nodes: TreeNode[] }
  | { kind: 'bulk-edit'; nodes: TreeNode[] }
  | { kind: 'new-entity'; parent: TreeNode | null }
  | { kind: 'palette' };

/** Who carries out an action asked for from elsewhere (the palette): a screen, or the toolbar. */
export type ActionTarget = WorkspaceView | 'toolbar';

/** An action asked of a screen or the toolbar; `serial` tells two requests of the same action apart. */
export type ActionRequest = { target: ActionTarget; action: string; serial: number };

/**
 * What a restart brings back: the screen, its tabs and panes, the saved view
 * open in Views. (The tree's selection is kept beside it, by the app.)
 */
export type WorkspaceLayoutState = {
  view: WorkspaceView;
  detailTab: DetailTab;
  dataTab: DataTab;
  openedViewId: string | null;
  /** Smaller choices of the screens by name: a tab, the open dashboard. */
  panes: Readonly<Record<string, string>>;
};

/** How long a request waits for the part of the screen that carries it out (a dashboard loading). */
export const REQUEST_LAPSE_MS = 15_000;

export const DEFAULT_LAYOUT: WorkspaceLayoutState = { view: 'registry', detailTab: 'overview', dataTab: 'packs', openedViewId: null, panes: {} };

export type WorkspaceState = {
  view: WorkspaceView;
  setView: (view: WorkspaceView) => void;
  detailTab: DetailTab;
  setDetailTab: (tab: DetailTab) => void;
  dialog: DialogRequest | null;
  openDialog: (dialog: DialogRequest) => void;
  closeDialog: () => void;
  /** The saved view open in the Views screen (null: a new, unsaved one). */
  openedViewId: string | null;
  /** Switches to the Views screen with this saved view open (null: a new view). */
  openSavedView: (id: string | null) => void;
  /** A new, unsaved view to open with this document and title (an entity type's view). */
  startingView: StartingView | null;
  /** Switches to the Views screen with a new, unsaved view of this document. */
  openNewView: (document: ViewDocument, title: string) => void;
  /** The tab the Data screen shows. */
  dataTab: DataTab;
  setDataTab: (tab: DataTab) => void;
  /** Switches to the Data screen on this tab. */
  openData: (tab: DataTab) => void;
  /** The screens' smaller choices (see `usePane`). */
  panes: Readonly<Record<string, string>>;
  setPane: (name: string, value: string | null) => void;
  /** Puts back a layout (on start, or when another database opens), without side effects. */
  restoreLayout: (layout: Partial<WorkspaceLayoutState>) => void;
  /** The action asked for and not yet carried out. */
  request: ActionRequest | null;
  /** Asks a screen (switching to it) or the toolbar to carry out an action. */
  requestAction: (target: ActionTarget, action: string) => void;
  /** Whether nobody has taken the request on yet. */
  isRequestOpen: (serial: number) => boolean;
  /**
   * Takes the request on: it is no longer pending (two parts of a screen may
   * offer the same action; the innermost answers first).
   */
  claimRequest: (serial: number) => void;
};

/** A new view's document and title; `serial` tells two openings apart. */
export type StartingView = { document: ViewDocument; title: string; serial: number };

const WorkspaceContext = createContext<WorkspaceState | null>(null);

type ProviderProps = {
  children: ReactNode;
  /** The layout to start with (a restart's). */
  initial?: Partial<WorkspaceLayoutState>;
};

export function WorkspaceProvider({ children, initial }: ProviderProps) {
  const [start] = useState(() => ({ ...DEFAULT_LAYOUT, ...initial }));
  const [view, setView] = useState<WorkspaceView>(start.view);
  const [detailTab, setDetailTab] = useState<DetailTab>(start.detailTab);
  const [dialog, setDialog] = useState<DialogRequest | null>(null);
  const [openedViewId, setOpenedViewId] = useState<string | null>(start.openedViewId);
  const [startingView, setStartingView] = useState<StartingView | null>(null);
  const [dataTab, setDataTab] = useState<DataTab>(start.dataTab);
  const [panes, setPanes] = useState<Readonly<Record<string, string>>>(start.panes);
  const [request, setRequest] = useState<ActionRequest | null>(null);
  const serial = useRef(0);
  const claimed = useRef(0);

  const setPane = useCallback((name: string, value: string | null) => {
    setPanes((before) => {
      if ((before[name] ?? null) === value) return before;
      const next = { ...before };
      if (value === null) delete next[name];
      else next[name] = value;
      return next;
    });
  }, []);

  const restoreLayout = useCallback((layout: Partial<WorkspaceLayoutState>) => {
    if (layout.view !== undefined) setView(layout.view);
    if (layout.detailTab !== undefined) setDetailTab(layout.detailTab);
    if (layout.dataTab !== undefined) setDataTab(layout.dataTab);
    if (layout.openedViewId !== undefined) setOpenedViewId(layout.openedViewId);
    if (layout.panes !== undefined) setPanes(layout.panes);
  }, []);

  const requestAction = useCallback((target: ActionTarget, action: string) => {
    serial.current += 1;
    setRequest({ target, action, serial: serial.current });
    if (target !== 'toolbar') setView(target);
  }, []);

  const isRequestOpen = useCallback((asked: number) => claimed.current < asked, []);
  const claimRequest = useCallback((taken: number) => {
    claimed.current = Math.max(claimed.current, taken);
    setRequest((current) => (current?.serial === taken ? null : current));
  }, []);

  // A request nobody carried out lapses when the person moves on, or after a
  // while (what it was for may never load): it never fires out of the blue.
  useEffect(() => {
    setRequest((current) => (current && current.target !== 'toolbar' && current.target !== view ? null : current));
  }, [view]);
  useEffect(() => {
    if (!request) return;
    const lapse = window.setTimeout(() => setRequest((current) => (current?.serial === request.serial ? null : current)), REQUEST_LAPSE_MS);
    return () => window.clearTimeout(lapse);
  }, [request]);

  const value = useMemo<WorkspaceState>(
    () => ({
      view,
      setView,
      detailTab,
      setDetailTab,
      dialog,
      openDialog: setDialog,
      closeDialog: () => setDialog(null),
      openedViewId,
      openSavedView: (id) => {
        setOpenedViewId(id);
        setStartingView(null);
        setView('views');
      },
      startingView,
      openNewView: (document, title) => {
        setOpenedViewId(null);
        setStartingView((before) => ({ document, title, serial: (before?.serial ?? 0) + 1 }));
        setView('views');
      },
      dataTab,
      setDataTab,
      openData: (tab) => {
        setDataTab(tab);
        setView('data');
      },
      panes,
      setPane,
      restoreLayout,
      request,
      requestAction,
      isRequestOpen,
      claimRequest,
    }),
    [view, detailTab, dialog, openedViewId, startingView, dataTab, panes, setPane, restoreLayout, request, requestAction, isRequestOpen, claimRequest],
  );
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): WorkspaceState {
  const state = useContext(WorkspaceContext);
  if (!state) throw new Error('useWorkspace outside WorkspaceProvider');
  return state;
}

/** The workspace, or null where a screen is shown on its own (a test, a preview). */
export function useOptionalWorkspace(): WorkspaceState | null {
  return useContext(WorkspaceContext);
}

/**
 * A screen's smaller choice (a tab, the open item) kept by the workspace, so
 * it outlives the screen and a restart; outside a workspace, kept locally.
 */
export function usePane<T extends string>(name: string, fallback: T, allowed?: readonly T[]): [T, (value: T | null) => void] {
  const workspace = useOptionalWorkspace();
  const [local, setLocal] = useState<T | null>(null);
  const stored = workspace ? (workspace.panes[name] as T | undefined) ?? null : local;
  const value = stored !== null && (!allowed || allowed.includes(stored)) ? stored : fallback;
  const setPane = workspace?.setPane;
  const set = useCallback((next: T | null) => (setPane ? setPane(name, next) : setLocal(next)), [setPane, name]);
  return [value, set];
}

/**
 * Carries out an action asked for; `false`: not yet (it moved the screen on
 * to where another part carries it out), so the request stays pending.
 */
export type ActionHandler = () => void | false;

/**
 * Carries out the actions asked of `target` (from the palette) while it is
 * shown: `handlers` by action name. A part offers an action only when it can
 * carry it out (the open dashboard, once loaded); a request nobody offers
 * waits until someone does, or until the person leaves the screen.
 */
export function useActionRequests(target: ActionTarget, handlers: Readonly<Record<string, ActionHandler | undefined>>) {
  const workspace = useOptionalWorkspace();
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  const offered = Object.keys(handlers)
    .filter((name) => handlers[name] !== undefined)
    .sort()
    .join(' ');
  const request = workspace?.request ?? null;
  const isOpen = workspace?.isRequestOpen;
  const claim = workspace?.claimRequest;
  useEffect(() => {
    if (!request || !isOpen || !claim || request.target !== target || !isOpen(request.serial)) return;
    const handler = latest.current[request.action];
    if (!handler || handler() === false) return;
    claim(request.serial);
  }, [request, isOpen, claim, target, offered]);
}
