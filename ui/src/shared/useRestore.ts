import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeError } from '../ipc/errors';

/**
 * Restores something deleted: `busy` while it runs, a notification naming
 * `name` when the core refuses. Resolves to the restore's result, or
 * undefined when it failed.
 */
export function useRestore<T>(restore: () => Promise<T>, name: string) {
  const [busy, setBusy] = useState(false);
  const run = async (): Promise<T | undefined> => {
    setBusy(true);
    try {
      return await restore();
    } catch (error) {
      const { title, message } = describeError(error);
      notifications.show({ color: 'red', title: `Could not restore "${name}": ${title}`, message });
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, restore: run };
}
