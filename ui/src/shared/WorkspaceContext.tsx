import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { TreeNode, ViewDocument } from '../bindings';

export type WorkspaceView = 'registry' | 'views' | 'dashboards' | 'workflows' | 'data' | 'vault' | 'trash' | 'types' | 'properties' | 'tags' | 'people';
/** The tabs of the Data screen: domain packs, importing a file, the import runs, what is kept offline. */
export type DataTab = 'packs' | 'import' | 'runs' | 'offline';
export type DetailTab = 'overview' | 'properties' | 'links' | 'history';

/** The one dialog the registry view shows at a time. */
export type DialogRequest =
  | { kind: 'delete'; nodes: TreeNode[] }
  | { kind: 'move'; nodes: TreeNode[]; target: TreeNode | null }
  | { kind: 'move-picker'; nodes: TreeNode[] }
  | { kind: 'bulk-edit'; nodes: TreeNode[] }
  | { kind: 'new-entity'; parent: TreeNode | null }
  | { kind: 'palette' };

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
};

/** A new view's document and title; `serial` tells two openings apart. */
export type StartingView = { document: ViewDocument; title: string; serial: number };

const WorkspaceContext = createContext<WorkspaceState | null>(null);

export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const [view, setView] = useState<WorkspaceView>('registry');
  const [detailTab, setDetailTab] = useState<DetailTab>('overview');
  const [dialog, setDialog] = useState<DialogRequest | null>(null);
  const [openedViewId, setOpenedViewId] = useState<string | null>(null);
  const [startingView, setStartingView] = useState<StartingView | null>(null);
  const [dataTab, setDataTab] = useState<DataTab>('packs');
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
    }),
    [view, detailTab, dialog, openedViewId, startingView, dataTab],
  );
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): WorkspaceState {
  const state = useContext(WorkspaceContext);
  if (!state) throw new Error('useWorkspace outside WorkspaceProvider');
  return state;
}
