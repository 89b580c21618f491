import type { TrashItem } from '../../bindings';

/** Restore is refused while the parent is deleted too. */
export function restoreBlockedReason(item: TrashItem): string | null {
  return item.parentDeleted ? 'Its parent is in the trash too: restore its parent first.' : null;
}

/** Purging is possible once the retention period has passed. */
export function isPurgeable(item: TrashItem, now: number = Date.now()): boolean {
  const from = new Date(item.purgeableFrom).getTime();
  return Number.isNaN(from) || from <= now;
}
