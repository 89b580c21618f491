import type { TreeNode } from '../../bindings';
import { BulkEditDialog } from '../../features/bulk-edit';
import { DeleteEntitiesDialog, MoveEntitiesDialog, NewEntityDialog } from '../../features/entity-actions';
import { useOfflineCommands } from '../../features/offline';
import { CommandPalette, type PaletteChoice } from '../../features/palette';
import { describeNodes, useTreeController, validateDrop } from '../../features/tree';
import { useWorkspace } from '../../shared/WorkspaceContext';

/** Renders the registry view's current dialog, if any (the palette has a host of its own: it shows over any screen). */
export function DialogHost() {
  const { dialog, closeDialog } = useWorkspace();
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'delete':
      return <DeleteEntitiesDialog nodes={dialog.nodes} onClose={closeDialog} />;
    case 'move':
      return <MoveEntitiesDialog nodes={dialog.nodes} target={dialog.target} onClose={closeDialog} />;
    case 'new-entity':
      return <NewEntityDialog parent={dialog.parent} onClose={closeDialog} />;
    case 'palette':
      return null;
    case 'move-picker':
      return <MovePicker nodes={dialog.nodes} />;
    case 'bulk-edit':
      return <BulkEditDialog nodes={dialog.nodes} onClose={closeDialog} />;
  }
}

/**
 * Ctrl+K, over any screen: find an entity and reveal it in the registry, open
 * a saved view, or run a command (the offline ones act on the selected entity).
 */
export function PaletteHost() {
  const { dialog } = useWorkspace();
  return dialog?.kind === 'palette' ? <RevealPalette /> : null;
}

function RevealPalette() {
  const { closeDialog, setView } = useWorkspace();
  const tree = useTreeController();
  const offlineCommands = useOfflineCommands(tree.selection.focusId);
  return (
    <CommandPalette
      title="Find an entity, a view or a command"
      extraCommands={offlineCommands}
      onClose={closeDialog}
      onPick={(choice) => {
        closeDialog();
        if (choice.kind === 'entity') {
          setView('registry');
          void tree.reveal(choice.node.id);
        }
      }}
    />
  );
}

/** "Move to…": choose the new parent (or the top level), then confirm. */
function MovePicker({ nodes }: { nodes: TreeNode[] }) {
  const { closeDialog, openDialog } = useWorkspace();
  const targetOf = (choice: PaletteChoice) => (choice.kind === 'entity' ? choice.node : null);
  return (
    <CommandPalette
      title={`Move ${describeNodes(nodes)} to…`}
      placeholder="Search for the new parent"
      offerTopLevel
      disabledReason={(choice) => {
        const verdict = validateDrop(nodes, targetOf(choice));
        return verdict.ok ? null : verdict.reason;
      }}
      onClose={closeDialog}
      onPick={(choice) => {
        const target = targetOf(choice);
        const verdict = validateDrop(nodes, target);
        if (verdict.ok) openDialog({ kind: 'move', nodes: verdict.nodes, target });
      }}
    />
  );
}
