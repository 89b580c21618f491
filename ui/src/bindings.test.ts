import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, it, vi } from 'vitest';
import { commands, events, type AppError, type StartupEvent } from './bindings';
import { makeNode } from './test/fixtures';

describe('bindings', () => {
  it('listChildren invokes list_children with camelCase paging args and wraps data as ok', async () => {
    const child = makeNode({ id: 'c1', name: 'Child', parentId: 'p1' });
    const seen: unknown[] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return { nodes: [child], nextCursor: null };
    });
    await expect(commands.listChildren('p1', 'after-x', 500)).resolves.toEqual({ status: 'ok', data: { nodes: [child], nextCursor: null } });
    expect(seen).toEqual([['list_children', { parentId: 'p1', after: 'after-x', limit: 500 }]]);
  });

  it('mutations wrap their input', async () => {
    const seen: unknown[] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });
    await commands.renameEntity({ id: 'e', expectedUpdatedAt: 'v1', name: 'N' });
    expect(seen).toEqual([['rename_entity', { input: { id: 'e', expectedUpdatedAt: 'v1', name: 'N' } }]]);
  });

  it('turns a rejected non-Error value into status error', async () => {
    const error: AppError = { type: 'Database', data: { message: 'connection refused' } };
    mockIPC(() => {
      throw error;
    });
    await expect(commands.listRoots()).resolves.toEqual({ status: 'error', error });
  });

  it('rethrows Error instances', async () => {
    mockIPC(() => {
      throw new TypeError('ipc broken');
    });
    await expect(commands.listRoots()).rejects.toThrow('ipc broken');
  });

  it('startupStatus returns the value as-is', async () => {
    mockIPC((cmd) => (cmd === 'startup_status' ? { state: 'starting', message: 'x' } : null));
    await expect(commands.startupStatus()).resolves.toEqual({ state: 'starting', message: 'x' });
  });

  it('startupEvent listens on "startup-event"', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const handler = vi.fn();
    const unlisten = await events.startupEvent.listen(handler);
    const payload: StartupEvent = { status: { state: 'starting', message: 'hello' } };
    await emit('startup-event', payload);
    await emit('other-event', payload);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0][0]).toMatchObject({ event: 'startup-event', payload });
    unlisten();
    await emit('startup-event', payload);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});
