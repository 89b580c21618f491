import { ActionIcon, Alert, Button, Center, Group, Loader, Stack, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconArrowBarToUp, IconBinaryTree2, IconPackages, IconPlus, IconRefresh, IconSearch } from '@tabler/icons-react';
import type { TreeNode } from '../../bindings';
import { describeError } from '../../ipc/errors';
import { EmptyState } from '../../shared/EmptyState';
import { useActionRequests, useWorkspace } from '../../shared/WorkspaceContext';
import { useCapabilities } from '../people';
import { useRoots } from './api';
import classes from './RegistryTree.module.css';
import { useTreeController } from './TreeController';
import { refuseDrop, TreeView } from './TreeView';
import { TOP_LEVEL_KEY, useTreeDrag, type TreeDrag } from './useTreeDrag';
import { useTreeRows } from './useTreeRows';

export { ROW_HEIGHT, rowDomId } from './TreeRowViews';

/** The registry panel: a header (the "Top level" drop zone while dragging) and the tree. */
export function RegistryTree() {
  const roots = useRoots();
  const newRootRefused = useCapabilities().whyNot(null, 'write');
  const workspace = useWorkspace();
  useActionRequests('registry', {
    'new-root': () => {
      if (newRootRefused) notifications.show({ color: 'orange', title: 'Not yours to change', message: newRootRefused, autoClose: 4000 });
      else workspace.openDialog({ kind: 'new-entity', parent: null });
    },
  });

  if (roots.isPending) {
    return (
      <div className={classes.panel}>
        <PanelHeader drag={null} />
        <Center p="md" data-testid="tree-roots-loading">
          <Loader size="sm" />
          <Text size="sm" c="dimmed" ml="sm">
            Loading registry…
          </Text>
        </Center>
      </div>
    );
  }

  if (roots.isError) {
    const { title, message, hint } = describeError(roots.error);
    return (
      <div className={classes.panel}>
        <PanelHeader drag={null} />
        <Alert m="sm" color="red" variant="light" title={title} icon={<IconAlertTriangle size={18} />} data-testid="tree-roots-error">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{message}</Text>
            {hint && (
              <Text size="xs" c="dimmed">
                {hint}
              </Text>
            )}
            <Button size="compact-sm" variant="light" color="red" leftSection={<IconRefresh size={14} />} loading={roots.isFetching} onClick={() => void roots.refetch()}>
              Retry
            </Button>
          </Stack>
        </Alert>
      </div>
    );
  }

  return <LoadedTree roots={roots.data} />;
}

function LoadedTree({ roots }: { roots: readonly TreeNode[] }) {
  const tree = useTreeController();
  const workspace = useWorkspace();
  const { rows, childrenStates, parentOf } = useTreeRows(roots);
  const drag = useTreeDrag({
    rows,
    selection: tree.selection,
    setSelection: tree.setSelection,
    parentOf,
    expand: (id) => {
      tree.expandTimer.start(id);
      tree.setExpanded(id, true);
    },
    onMove: (nodes, target) => workspace.openDialog({ kind: 'move', nodes, target }),
    onRefuse: refuseDrop,
  });

  return (
    <div className={classes.panel}>
      <PanelHeader drag={drag} />
      {roots.length === 0 ? (
        <EmptyRegistry />
      ) : (
        <TreeView rows={rows} childrenStates={childrenStates} parentOf={parentOf} drag={drag} />
      )}
    </div>
  );
}

/** No root to show: the first steps of a registry. */
function EmptyRegistry() {
  const workspace = useWorkspace();
  const refused = useCapabilities().whyNot(null, 'write');
  return (
    <EmptyState
      title="The registry is empty."
      icon={IconBinaryTree2}
      testId="tree-empty"
      actions={
        <>
          <Button size="xs" leftSection={<IconPlus size={14} />} disabled={refused !== null} title={refused ?? undefined} onClick={() => workspace.openDialog({ kind: 'new-entity', parent: null })}>
            New top-level entity
          </Button>
          <Button size="xs" variant="default" leftSection={<IconPackages size={14} />} onClick={() => workspace.openData('packs')}>
            Install a pack
          </Button>
        </>
      }
    >
      {refused === null
        ? 'Create its first top-level entity (a tenant), install a domain pack with its types, or import rows from a file on the Data screen.'
        : 'Nothing here is yours to see yet: an administrator gives you a scope on a root, then it shows here.'}
    </EmptyState>
  );
}

/** "Registry" with quick actions; while dragging, the drop zone for the top level. */
function PanelHeader({ drag }: { drag: TreeDrag | null }) {
  const newRootRefused = useCapabilities().whyNot(null, 'write');
  const workspace = useWorkspace();
  if (drag?.dragging) {
    const state = drag.dropStateOf(TOP_LEVEL_KEY);
    const refusal = drag.dropTarget && !drag.dropTarget.ok ? drag.dropTarget.reason : null;
    return (
      <div className={classes.panelHeader}>
        <div className={classes.topDrop} data-drop={state ?? undefined} data-testid="tree-drop-top-level" {...drag.topLevelHandlers}>
          <IconArrowBarToUp size={14} style={{ flex: '0 0 auto' }} />
          <span className={classes.statusMessage}>{refusal ?? 'Drop here to move to the top level'}</span>
        </div>
      </div>
    );
  }
  return (
    <Group className={classes.panelHeader} justify="space-between" px="md" wrap="nowrap">
      <Text size="xs" fw={600} c="dimmed" tt="uppercase">
        Registry
      </Text>
      <Group gap={4} wrap="nowrap">
        <Tooltip label="Find an entity (Ctrl+K)" openDelay={300}>
          <ActionIcon variant="subtle" color="gray" size="sm" aria-label="Find an entity" onClick={() => workspace.openDialog({ kind: 'palette' })}>
            <IconSearch size={15} />
          </ActionIcon>
        </Tooltip>
        <Tooltip label={newRootRefused ?? 'New top-level entity'} openDelay={300}>
          <ActionIcon
            variant="subtle"
            color="gray"
            size="sm"
            aria-label="New top-level entity"
            disabled={newRootRefused !== null}
            onClick={() => workspace.openDialog({ kind: 'new-entity', parent: null })}
            data-testid="tree-new-root"
          >
            <IconPlus size={15} />
          </ActionIcon>
        </Tooltip>
      </Group>
    </Group>
  );
}
