import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, type ReactNode } from 'react';
import { events } from '../../bindings';
import { useChangeApplier } from '../../live/LiveUpdates';
import { cancelJob } from './api';
import { jobsReducer, type JobsState } from './jobsModel';

type JobsApi = {
  jobs: JobsState;
  track: (jobId: string, total: number, label: string) => void;
  cancel: (jobId: string) => Promise<void>;
  dismiss: (jobId: string) => void;
};

const JobsContext = createContext<JobsApi | null>(null);

/** Follows `job-progress` events; a committed move invalidates like a move event. */
export function JobsProvider({ children }: { children: ReactNode }) {
  const [jobs, dispatch] = useReducer(jobsReducer, []);
  const applier = useChangeApplier();

  useEffect(() => {
    let active = true;
    const unlisten = events.jobProgress
      .listen((event) => {
        if (!active) return;
        const progress = event.payload;
        dispatch({ type: 'progress', progress });
        if (progress.state.state === 'committed') {
          // Like a change of our own: the matching registry-changed echo is then skipped.
          applier.applyLocal({ kind: 'moved', node: progress.state.node, oldParentId: progress.state.oldParentId });
        }
      })
      .catch(() => null);
    return () => {
      active = false;
      void unlisten.then((fn) => fn?.());
    };
  }, [applier]);

  const track = useCallback((jobId: string, total: number, label: string) => dispatch({ type: 'started', jobId, total, label }), []);
  const dismiss = useCallback((jobId: string) => dispatch({ type: 'dismiss', jobId }), []);
  const cancel = useCallback(async (jobId: string) => {
    dispatch({ type: 'cancelling', jobId, cancelling: true });
    try {
      const stopped = await cancelJob(jobId);
      // False: the job had finished already; its final event says how.
      if (!stopped) dispatch({ type: 'cancelling', jobId, cancelling: false });
    } catch {
      dispatch({ type: 'cancelling', jobId, cancelling: false });
    }
  }, []);

  const api = useMemo(() => ({ jobs, track, cancel, dismiss }), [jobs, track, cancel, dismiss]);
  return <JobsContext.Provider value={api}>{children}</JobsContext.Provider>;
}

export function useJobs(): JobsApi {
  const api = useContext(JobsContext);
  if (!api) throw new Error('useJobs outside JobsProvider');
  return api;
}
