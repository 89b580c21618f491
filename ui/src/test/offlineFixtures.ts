// Offline test data: overviews, kept subtrees, outbox entries, and the
// offline events as the backend sends them.
import { emit } from '@tauri-apps/api/event';
import { act } from '@testing-library/react';
import type { OfflineChanged, OfflineOverview, OfflineProgress, OfflineScope, OutboxEntry } from '../bindings';
import { ONLINE_OVERVIEW } from './fixtures';

export const plantScope: OfflineScope = {
  rootId: 'plant',
  name: 'Plant North',
  pathLabel: 'plant_north',
  state: 'ready',
  reason: null,
  addedAt: '2026-03-01T08:00:00Z',
  refreshedAt: '2026-03-02T09:00:00Z',
  entities: 5012,
  values: 48100,
};

export const depotScope: OfflineScope = {
  rootId: 'depot',
  name: 'Depot',
  pathLabel: 'depot',
  state: 'revoked',
  reason: 'Your access to this root was removed',
  addedAt: '2026-03-01T08:00:00Z',
  refreshedAt: '2026-03-01T08:00:00Z',
  entities: 0,
  values: 0,
};

/** An overview over ONLINE_OVERVIEW, with its status changed by `status`. */
export function overviewWith(over: Partial<Omit<OfflineOverview, 'status'>> & { status?: Partial<OfflineOverview['status']> } = {}): OfflineOverview {
  return {
    ...ONLINE_OVERVIEW,
    ...over,
    status: { ...ONLINE_OVERVIEW.status, ...over.status },
  };
}

/** Offline since `since`, keeping Plant North, with `pending` edits waiting. */
export function offlineOverview(since: string, pending = 3, pendingEntities: string[] = []): OfflineOverview {
  return overviewWith({ connection: { online: false, since }, status: { scopes: [plantScope], pending, fileBytes: 12_345_678 }, pendingEntities });
}

/** A setValues edit of a number and a text value that met a change on the server. */
export const valuesConflict: OutboxEntry = {
  seq: 7,
  mutationId: 'm-7',
  createdAt: '2026-03-02T10:00:00Z',
  scopeId: 'plant',
  entityId: 'boiler',
  entityName: 'Boiler 1',
  kind: 'setValues',
  mutation: {
    kind: 'setValues',
    input: {
      entityId: 'boiler',
      edits: [
        { definitionId: 'def-power', expectedUpdatedAt: '2026-03-01T00:00:00Z', value: { type: 'number', value: '12.5' } },
        { definitionId: 'def-note', expectedUpdatedAt: null, value: { type: 'text', value: 'checked' } },
        { definitionId: 'def-active', expectedUpdatedAt: null, value: { type: 'boolean', value: true } },
      ],
    },
  },
  status: 'conflict',
  reason: 'Power was changed on the server since you read it',
  fields: [
    { key: 'def-power', label: 'Power (kW)', theirs: '14', mine: '12.5' },
    { key: 'def-note', label: 'Note', theirs: null, mine: 'checked' },
  ],
  attempts: 1,
};

export const renameConflict: OutboxEntry = {
  seq: 8,
  mutationId: 'm-8',
  createdAt: '2026-03-02T10:05:00Z',
  scopeId: 'plant',
  entityId: 'hall',
  entityName: 'Hall A',
  kind: 'rename',
  mutation: { kind: 'rename', input: { id: 'hall', expectedUpdatedAt: '2026-03-01T00:00:00Z', name: 'Hall Alpha' } },
  status: 'conflict',
  reason: 'Renamed on the server meanwhile',
  fields: [{ key: 'name', label: 'Name', theirs: 'Hall One', mine: 'Hall Alpha' }],
  attempts: 1,
};

export const pendingMove: OutboxEntry = {
  seq: 3,
  mutationId: 'm-3',
  createdAt: '2026-03-02T09:30:00Z',
  scopeId: 'plant',
  entityId: 'pump',
  entityName: 'Pump 4',
  kind: 'move',
  mutation: { kind: 'move', input: { id: 'pump', expectedUpdatedAt: '2026-03-01T00:00:00Z', newParentId: 'hall' } },
  status: 'pending',
  reason: null,
  fields: [],
  attempts: 0,
};

export const refusedDelete: OutboxEntry = {
  seq: 5,
  mutationId: 'm-5',
  createdAt: '2026-03-02T09:40:00Z',
  scopeId: 'plant',
  entityId: 'valve',
  entityName: null,
  kind: 'delete',
  mutation: { kind: 'delete', input: { id: 'valve', expectedUpdatedAt: '2026-03-01T00:00:00Z' } },
  status: 'refused',
  reason: 'You may no longer change this root',
  fields: [],
  attempts: 1,
};

/** Send an `offline-changed` event as the backend would. */
export async function sendOfflineChanged(payload: OfflineChanged) {
  await act(async () => {
    await emit('offline-changed', payload);
  });
}

/** Send an `offline-progress` event as the backend would. */
export async function sendOfflineProgress(payload: OfflineProgress) {
  await act(async () => {
    await emit('offline-progress', payload);
  });
}
