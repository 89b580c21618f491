import { useEffect, useState } from 'react';
import { commands, events, type StartupStatus } from '../../bindings';

const INITIAL: StartupStatus = { state: 'starting', message: 'Connecting to the backend…' };

function unexpectedFailure(error: unknown): StartupStatus {
  const message = error instanceof Error ? error.message : String(error);
  return { state: 'failed', error: { type: 'Startup', data: { message: `Could not reach the backend: ${message}` } } };
}

/**
 * Current backend startup status: asks once on mount and then follows
 * `startup-event`. An event always wins over the initial answer, which may
 * have been computed before the event was sent.
 */
export function useStartupStatus(): StartupStatus {
  const [status, setStatus] = useState<StartupStatus>(INITIAL);

  useEffect(() => {
    let active = true;
    let sawEvent = false;

    const unlisten = events.startupEvent
      .listen((event) => {
        if (!active) return;
        sawEvent = true;
        setStatus(event.payload.status);
      })
      .catch((error: unknown) => {
        if (active) setStatus(unexpectedFailure(error));
        return null;
      });

    commands
      .startupStatus()
      .then((initial) => {
        if (active && !sawEvent) setStatus(initial);
      })
      .catch((error: unknown) => {
        if (active && !sawEvent) setStatus(unexpectedFailure(error));
      });

    return () => {
      active = false;
      void unlisten.then((fn) => fn?.());
    };
  }, []);

  return status;
}
