import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { TreeNode } from '../bindings';

export type WorkspaceView = 'registry' | 'trash' | 'types' | 'properties' | 'tags' | 'people';
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
};

const WorkspaceContext = createContext<WorkspaceState | null>(null);

export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const [view, setView] = useState<WorkspaceView>('registry');
  const [detailTab, setDetailTab] = useState<DetailTab>('overview');
  const [dialog, setDialog] = useState<DialogRequest | null>(null);
  const value = useMemo<WorkspaceState>(
    () => ({ view, setView, detailTab, setDetailTab, dialog, openDialog: setDialog, closeDialog: () => setDialog(null) }),
    [view, detailTab, dialog],
  );
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

export function useWorkspace(): WorkspaceState {
  const state = useContext(WorkspaceContext);
  if (!state) throw new Error('useWorkspace outside WorkspaceProvider');
  return state;
}
