import { describe, expect, it } from 'vitest';
import { memoryKey, parseMemory, readMemory, serializeMemory, writeMemory, type RememberedWorkspace } from './workspaceMemory';

const remembered: RememberedWorkspace = {
  view: 'data',
  detailTab: 'history',
  dataTab: 'runs',
  openedViewId: 'view-1',
  panes: { 'workflows.tab': 'approvals' },
  selectedId: 'room-7',
};

describe('the workspace kept for the next start', () => {
  it('reads back what it wrote', () => {
    expect(parseMemory(serializeMemory(remembered))).toEqual(remembered);
  });

  it('counts unreadable, foreign or older text as nothing kept', () => {
    expect(parseMemory(null)).toBeNull();
    expect(parseMemory('not json')).toBeNull();
    expect(parseMemory('[1,2]')).toBeNull();
    expect(parseMemory(JSON.stringify({ ...remembered, version: 0 })), 'another version is not guessed at').toBeNull();
  });

  it('replaces each unknown part by its default and keeps the rest', () => {
    const text = JSON.stringify({ version: 1, view: 'gone-screen', detailTab: 'links', dataTab: 7, openedViewId: '', panes: { a: 'b', c: 3 }, selectedId: 42 });
    expect(parseMemory(text)).toEqual({ view: 'registry', detailTab: 'links', dataTab: 'packs', openedViewId: null, panes: { a: 'b' }, selectedId: null });
  });

  it('keys a database by kind and address, whoever signs in', () => {
    const alice = memoryKey({ kind: 'external', display: 'postgres://alice@db.example.org:5432/registry', serverVersion: '16', appVersion: '0.1.0', schemaVersion: '20261202000001', replica: false });
    const bob = memoryKey({ kind: 'external', display: 'postgres://bob@db.example.org:5432/registry', serverVersion: '17', appVersion: '0.1.0', schemaVersion: '20261202000001', replica: false });
    expect(alice).toBe(bob);
    expect(alice).toBe('eco-studio.workspace:external:postgres://db.example.org:5432/registry');
    const local = memoryKey({ kind: 'embedded', display: 'local database in /home/ada/.local/share/eco-studio/cluster', serverVersion: '17', appVersion: '0.1.0', schemaVersion: '20261202000001', replica: false });
    expect(local).not.toBe(alice);
  });

  it('survives a storage that refuses', () => {
    const refusing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('full');
      },
    } as unknown as Storage;
    expect(readMemory(refusing, 'k')).toBeNull();
    expect(() => writeMemory(refusing, 'k', remembered)).not.toThrow();
    expect(readMemory(null, 'k')).toBeNull();
  });
});
