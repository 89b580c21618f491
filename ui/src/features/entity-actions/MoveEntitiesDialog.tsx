import { Text } from '@mantine/core';
import type { TreeNode } from '../../bindings';
import { moveQuestion } from '../tree';
import { BatchDialog } from './BatchDialog';
import { useEntityActions } from './useEntityActions';

export function MoveEntitiesDialog({ nodes, target, onClose }: { nodes: TreeNode[]; target: TreeNode | null; onClose: () => void }) {
  const actions = useEntityActions();
  return (
    <BatchDialog
      title="Move entities"
      question={<Text data-testid="move-question">{moveQuestion(nodes, target)}</Text>}
      confirmLabel="Move"
      confirmTestId="confirm-move"
      run={async () => (await actions.move(nodes, target)).failures}
      onReload={actions.reload}
      onClose={onClose}
    />
  );
}
