import { describe, expect, it } from 'vitest';
import { makeNode } from '../../test/fixtures';
import { keyToCommand, type KeyInput, type TreeCommand } from './treeKeyboard';
import { flattenTree, type ChildrenState } from './treeModel';

const a = makeNode({ id: 'a', name: 'A', hasChildren: true });
const a1 = makeNode({ id: 'a1', parentId: 'a', name: 'A1', hasChildren: true });
const a2 = makeNode({ id: 'a2', parentId: 'a', name: 'A2' });
const b = makeNode({ id: 'b', name: 'B', hasChildren: true });
const c = makeNode({ id: 'c', name: 'C' });

const children: Record<string, ChildrenState> = {
  a: { status: 'success', nodes: [a1, a2], pages: 1, more: { status: 'none' } },
  a1: { status: 'pending' },
};
// Rows: A(expanded), A1(expanded), (loading A1), A2, B, C
const rows = flattenTree([a, b, c], new Set(['a', 'a1']), (id) => children[id]);

function run(key: string | KeyInput, focusId: string | null) {
  return summary(keyToCommand(typeof key === 'string' ? { key } : key, rows, focusId));
}

function summary(command: TreeCommand | null) {
  if (!command) return null;
  switch (command.type) {
    case 'focus':
      return `focus:${command.row.node.id}${command.mode === 'replace' ? '' : `:${command.mode}`}`;
    case 'expand':
    case 'collapse':
    case 'open':
    case 'toggle-selected':
    case 'rename':
    case 'context-menu':
      return `${command.type}:${command.row.node.id}`;
    default:
      return command.type;
  }
}

describe('keyToCommand', () => {
  it('ArrowDown / ArrowUp move between node rows, skipping status rows', () => {
    expect(run('ArrowDown', 'a')).toBe('focus:a1');
    expect(run('ArrowDown', 'a1')).toBe('focus:a2');
    expect(run('ArrowUp', 'a2')).toBe('focus:a1');
    expect(run('ArrowUp', 'a')).toBeNull();
    expect(run('ArrowDown', 'c')).toBeNull();
  });

  it('Shift extends, Ctrl moves the focus only', () => {
    expect(run({ key: 'ArrowDown', shift: true }, 'a')).toBe('focus:a1:extend');
    expect(run({ key: 'End', shift: true }, 'a')).toBe('focus:c:extend');
    expect(run({ key: 'ArrowUp', mod: true }, 'b')).toBe('focus:a2:focus-only');
    expect(run({ key: ' ', mod: true }, 'b')).toBe('toggle-selected:b');
    expect(run({ key: 'ArrowRight', shift: true }, 'b')).toBeNull();
  });

  it('picks the first or last row when nothing is focused', () => {
    expect(run('ArrowDown', null)).toBe('focus:a');
    expect(run('ArrowUp', null)).toBe('focus:c');
    expect(run('ArrowDown', 'not-visible')).toBe('focus:a');
    expect(run('ArrowLeft', null)).toBeNull();
  });

  it('Home / End jump to the ends', () => {
    expect(run('Home', 'b')).toBe('focus:a');
    expect(run('End', 'a1')).toBe('focus:c');
  });

  it('ArrowRight expands a collapsed node, then moves to its first child', () => {
    expect(run('ArrowRight', 'b')).toBe('expand:b');
    expect(run('ArrowRight', 'a')).toBe('focus:a1');
    expect(run('ArrowRight', 'a1')).toBeNull();
    expect(run('ArrowRight', 'c')).toBeNull();
  });

  it('ArrowLeft collapses an expanded node, else moves to the parent', () => {
    expect(run('ArrowLeft', 'a')).toBe('collapse:a');
    expect(run('ArrowLeft', 'a1')).toBe('collapse:a1');
    expect(run('ArrowLeft', 'a2')).toBe('focus:a');
    expect(run('ArrowLeft', 'b')).toBeNull();
  });

  it('maps the command keys', () => {
    expect(run('Enter', 'a2')).toBe('open:a2');
    expect(run('F2', 'a2')).toBe('rename:a2');
    expect(run('Delete', 'a2')).toBe('delete');
    expect(run('Insert', 'a2')).toBe('new-child');
    expect(run({ key: 'n', mod: true }, 'a2')).toBe('new-child');
    expect(run({ key: 'n', mod: true }, null)).toBe('new-child');
    expect(run({ key: 'a', mod: true }, 'a2')).toBe('select-all');
    expect(run({ key: 'F10', shift: true }, 'b')).toBe('context-menu:b');
    expect(run('F10', 'b')).toBeNull();
    expect(run('ContextMenu', 'b')).toBe('context-menu:b');
  });

  it('leaves letters (type-ahead), Tab and Alt combinations alone', () => {
    expect(run('x', 'a2')).toBeNull();
    expect(run(' ', 'a2')).toBeNull();
    expect(run('Tab', 'a2')).toBeNull();
    expect(run({ key: 'ArrowDown', alt: true }, 'a')).toBeNull();
  });

  it('reports the row index of the target', () => {
    const command = keyToCommand({ key: 'ArrowDown' }, rows, 'a1');
    expect(command?.type === 'focus' && command.index).toBe(3);
  });
});
