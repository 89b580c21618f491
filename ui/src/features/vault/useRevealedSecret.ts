import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RevealedSecret } from '../../bindings';
import { revealSecret, vaultStatusQuery } from './api';
import { CLIPBOARD_MS, REVEAL_MS } from './vaultModel';

/**
 * One revealed value, in this component's state only: it hides itself after
 * REVEAL_MS, on Hide, on unmount, and when the vault locks.
 */
export function useRevealedSecret() {
  const [revealed, setRevealed] = useState<RevealedSecret | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const status = useQuery(vaultStatusQuery);
  const locked = status.data?.locked === true;

  const hide = useCallback(() => {
    clearTimeout(timer.current);
    setRevealed(null);
  }, []);

  const reveal = useCallback(async (secretId: string, version: number | null, reason: string) => {
    const value = await revealSecret(secretId, version, reason);
    clearTimeout(timer.current);
    setRevealed(value);
    timer.current = setTimeout(() => setRevealed(null), REVEAL_MS);
    return value;
  }, []);

  useEffect(() => () => clearTimeout(timer.current), []);
  // The vault locked (here, in another window, or when idle): nothing stays shown.
  useEffect(() => {
    if (locked) hide();
  }, [locked, hide]);

  return { revealed, reveal, hide };
}

// One timer for the whole window: the clipboard is cleared even after the
// value was hidden or its screen closed.
let clipboardTimer: ReturnType<typeof setTimeout> | undefined;

/** Copies a value and clears the clipboard after CLIPBOARD_MS, saying so. */
export async function copySecretValue(value: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(value);
  } catch {
    notifications.show({ color: 'red', title: 'Could not copy', message: 'The clipboard is not available.' });
    return;
  }
  clearTimeout(clipboardTimer);
  clipboardTimer = setTimeout(() => {
    clipboardTimer = undefined;
    void navigator.clipboard.writeText('').catch(() => undefined);
  }, CLIPBOARD_MS);
  notifications.show({ color: 'teal', title: 'Copied', message: `The clipboard is cleared in ${CLIPBOARD_MS / 1000} seconds.`, autoClose: 4000 });
}
