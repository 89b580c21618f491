import { useEffect } from 'react';

/** Where focus goes while a dialog, menu or popover is open: not a place to come back to. */
const OVERLAY = '[role="dialog"], [role="alertdialog"], [role="menu"], [role="listbox"]';

/**
 * Gives the focus back when the element holding it disappears: a dialog
 * closed (the app's dialogs leave the page when they close), a menu that ran
 * its item. The focus returns to where it was before the dialog took it
 * (the tree, the button that opened it), unless something else took it since.
 */
export function FocusReturn() {
  useEffect(() => {
    let lastFocused: Element | null = null;
    let before: HTMLElement | null = null;
    const onFocusIn = (event: FocusEvent) => {
      const target = event.target;
      if (!(target instanceof HTMLElement)) return;
      lastFocused = target;
      if (!target.closest(OVERLAY)) before = target;
    };
    const observer = new MutationObserver(() => {
      if (lastFocused === null || lastFocused.isConnected) return;
      const active = document.activeElement;
      if (active !== null && active !== document.body) return;
      lastFocused = null;
      if (before?.isConnected) before.focus({ preventScroll: true });
    });
    document.addEventListener('focusin', onFocusIn);
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      document.removeEventListener('focusin', onFocusIn);
      observer.disconnect();
    };
  }, []);
  return null;
}
