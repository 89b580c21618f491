import { Kbd, Menu } from '@mantine/core';
import { IconArrowsMove, IconClipboardCopy, IconCloudDownload, IconHistory, IconId, IconListDetails, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import type { TreeNode } from '../../bindings';
import { useCapabilities } from '../people';

export type ContextAction = 'new-child' | 'rename' | 'move' | 'bulk-edit' | 'delete' | 'copy-id' | 'copy-path' | 'history' | 'offline';

export type ContextMenuState = { x: number; y: number; node: TreeNode; targets: TreeNode[] };

type Props = {
  menu: ContextMenuState | null;
  onAction: (action: ContextAction, menu: ContextMenuState) => void;
  onClose: () => void;
};

/** Right-click / Shift+F10 menu of a tree row, at the pointer (or the row). */
export function TreeContextMenu({ menu, onAction, onClose }: Props) {
  const { whyNot } = useCapabilities();
  if (!menu) return null;
  const many = menu.targets.length > 1;
  // Changes need write on every target's root (the database checks it too).
  const readOnly = menu.targets.map((node) => whyNot(node, 'write')).find((reason) => reason !== null) ?? null;
  const item = (action: ContextAction) => ({
    onClick: () => onAction(action, menu),
    'data-testid': `ctx-${action}`,
  });
  const change = (action: ContextAction) => ({ ...item(action), disabled: readOnly !== null });
  // The key is shown beside the item and announced as its shortcut, not as part of its name.
  const keys = (shown: string, aria: string) => ({
    rightSection: (
      <Kbd size="xs" aria-hidden="true">
        {shown}
      </Kbd>
    ),
    'aria-keyshortcuts': aria,
  });
  return (
    <Menu opened onChange={(opened) => !opened && onClose()} position="bottom-start" offset={2} shadow="md" width={240} returnFocus={false}>
      <Menu.Target>
        <div style={{ position: 'fixed', left: menu.x, top: menu.y, width: 1, height: 1, pointerEvents: 'none' }} aria-hidden="true" />
      </Menu.Target>
      <Menu.Dropdown data-testid="tree-context-menu">
        <Menu.Label>{many ? `${menu.targets.length} selected` : menu.node.name}</Menu.Label>
        {readOnly && (
          <Menu.Label c="orange" data-testid="ctx-read-only" style={{ whiteSpace: 'normal' }}>
            {readOnly}
          </Menu.Label>
        )}
        <Menu.Item leftSection={<IconPlus size={16} />} {...keys('Ctrl+N', 'Control+N')} {...change('new-child')}>
          New child…
        </Menu.Item>
        <Menu.Item leftSection={<IconPencil size={16} />} {...keys('F2', 'F2')} {...change('rename')}>
          Rename
        </Menu.Item>
        <Menu.Item leftSection={<IconArrowsMove size={16} />} {...change('move')}>
          {many ? `Move ${menu.targets.length} to…` : 'Move to…'}
        </Menu.Item>
        <Menu.Item leftSection={<IconListDetails size={16} />} {...keys('Ctrl+E', 'Control+E')} {...change('bulk-edit')}>
          Bulk edit…
        </Menu.Item>
        <Menu.Item leftSection={<IconTrash size={16} />} {...keys('Del', 'Delete')} color="red" {...change('delete')}>
          {many ? `Delete ${menu.targets.length}` : 'Delete'}
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item leftSection={<IconId size={16} />} {...item('copy-id')}>
          Copy ID
        </Menu.Item>
        <Menu.Item leftSection={<IconClipboardCopy size={16} />} {...item('copy-path')}>
          Copy path
        </Menu.Item>
        <Menu.Item leftSection={<IconHistory size={16} />} {...item('history')}>
          Show history
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item leftSection={<IconCloudDownload size={16} />} onClick={() => onAction('offline', menu)} data-testid="offline-make-available">
          Make available offline…
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
