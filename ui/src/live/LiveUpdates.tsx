import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { events } from '../bindings';
import { ChangeApplier } from './applyChange';

const ApplierContext = createContext<ChangeApplier | null>(null);

/**
 * Subscribes once to `registry-changed` and invalidates exactly the queries a
 * change makes stale. Children use `useChangeApplier` to apply their own
 * changes at once (the event echo is then skipped).
 */
export function LiveUpdatesProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const applier = useMemo(() => new ChangeApplier(client), [client]);

  useEffect(() => {
    let active = true;
    const unlisten = events.registryChanged
      .listen((event) => {
        if (active) applier.applyEvent(event.payload.change);
      })
      .catch(() => null);
    return () => {
      active = false;
      void unlisten.then((fn) => fn?.());
    };
  }, [applier]);

  return <ApplierContext.Provider value={applier}>{children}</ApplierContext.Provider>;
}

export function useChangeApplier(): ChangeApplier {
  const applier = useContext(ApplierContext);
  if (!applier) throw new Error('useChangeApplier outside LiveUpdatesProvider');
  return applier;
}
