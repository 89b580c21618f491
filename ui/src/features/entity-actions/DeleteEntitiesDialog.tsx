import { Stack, Text } from '@mantine/core';
import type { TreeNode } from '../../bindings';
import { describeNodes } from '../tree';
import { BatchDialog } from './BatchDialog';
import { useEntityActions } from './useEntityActions';

export function deleteQuestion(nodes: readonly TreeNode[]): string {
  return nodes.length === 1 ? `Delete ${describeNodes(nodes)} and everything under it?` : `Delete ${describeNodes(nodes)} and everything under them?`;
}

export function DeleteEntitiesDialog({ nodes, onClose }: { nodes: TreeNode[]; onClose: () => void }) {
  const actions = useEntityActions();
  return (
    <BatchDialog
      title={nodes.length === 1 ? 'Delete entity' : `Delete ${nodes.length.toLocaleString('en-US')} entities`}
      question={
        <Stack gap={4}>
          <Text data-testid="delete-question">{deleteQuestion(nodes)}</Text>
          <Text size="sm" c="dimmed">
            Deleted entities go to the trash and can be restored from there.
          </Text>
        </Stack>
      }
      confirmLabel="Delete"
      confirmColor="red"
      confirmTestId="confirm-delete"
      run={async () => (await actions.remove(nodes)).failures}
      onReload={actions.reload}
      onClose={onClose}
    />
  );
}
