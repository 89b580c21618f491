import { describe, expect, it } from 'vitest';
import type { TrashItem } from '../../bindings';
import { isPurgeable, restoreBlockedReason } from './trashRules';

const item: TrashItem = {
  id: 't',
  parentId: 'p',
  typeKey: 'room',
  typeName: 'Room',
  icon: 'door',
  name: 'Room',
  pathLabel: 'site.room',
  deletedAt: '2025-03-01T00:00:00Z',
  deletedCount: 3,
  parentDeleted: false,
  purgeableFrom: '2025-03-31T00:00:00Z',
};

describe('trash rules', () => {
  it('restore is blocked while the parent is deleted', () => {
    expect(restoreBlockedReason(item)).toBeNull();
    expect(restoreBlockedReason({ ...item, parentDeleted: true })).toMatch(/restore its parent first/);
  });

  it('purge opens at purgeableFrom', () => {
    expect(isPurgeable(item, Date.parse('2025-03-30T23:59:59Z'))).toBe(false);
    expect(isPurgeable(item, Date.parse('2025-03-31T00:00:00Z'))).toBe(true);
  });
});
