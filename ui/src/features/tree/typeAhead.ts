// Pure type-ahead: letters typed quickly build a prefix; the focus jumps to
// the next visible row whose name starts with it (case-insensitive).

import type { TreeRow } from './treeModel';

export const TYPE_AHEAD_TIMEOUT_MS = 600;

export type TypeAheadState = { buffer: string; at: number };

export const EMPTY_TYPE_AHEAD: TypeAheadState = { buffer: '', at: -Infinity };

/** True for keys that feed type-ahead (one printable character, no command modifiers). */
export function isTypeAheadKey(key: string, modifiers: { ctrl: boolean; meta: boolean; alt: boolean }, state: TypeAheadState, now: number): boolean {
  if (modifiers.ctrl || modifiers.meta || modifiers.alt) return false;
  if ([...key].length !== 1) return false;
  // A leading space is a key of its own (not part of a name search).
  if (key === ' ') return state.buffer !== '' && now - state.at <= TYPE_AHEAD_TIMEOUT_MS;
  return true;
}

/** Append a key to the buffer, starting over after a pause. */
export function typeAheadInput(state: TypeAheadState, key: string, now: number): TypeAheadState {
  const fresh = now - state.at > TYPE_AHEAD_TIMEOUT_MS;
  return { buffer: (fresh ? '' : state.buffer) + key.toLowerCase(), at: now };
}

function isRepeatOfOneChar(buffer: string): boolean {
  return buffer.length > 1 && [...buffer].every((c) => c === buffer[0]);
}

/**
 * Index of the row to focus for `buffer`, or -1. A one-letter buffer (or one
 * letter repeated, "aaa") cycles through the rows starting with that letter,
 * beginning after the current row; a longer prefix keeps the current row when
 * it still matches.
 */
export function findTypeAheadMatch(rows: readonly TreeRow[], current: number, buffer: string): number {
  if (buffer === '' || rows.length === 0) return -1;
  const cycling = buffer.length === 1 || isRepeatOfOneChar(buffer);
  const prefix = cycling ? buffer[0] : buffer;
  const start = cycling ? current + 1 : Math.max(current, 0);
  for (let step = 0; step < rows.length; step++) {
    const i = (start + step + rows.length) % rows.length;
    const row = rows[i];
    if (row.kind === 'node' && row.node.name.toLowerCase().startsWith(prefix)) return i;
  }
  return -1;
}
