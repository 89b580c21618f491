// Pure state of the background jobs this window shows (moves of large
// subtrees, bulk edits of many entities, exports, rewraps of secrets).
import type { AppError, JobProgress, TreeNode } from '../../bindings';
import { formatCount } from '../../shared/format';

export type JobView = {
  jobId: string;
  label: string;
  done: number;
  total: number;
  status: 'running' | 'committed' | 'cancelled' | 'failed';
  cancelling: boolean;
  error: AppError | null;
  node: TreeNode | null;
  /** Where an export wrote its file. */
  path: string | null;
  /** What a finished rewrap moved, and to which key version. */
  rewrap: { rewrapped: number; keyVersion: number; remaining: number } | null;
};

export type JobsState = readonly JobView[];

export type JobsAction =
  | { type: 'started'; jobId: string; total: number; label: string }
  | { type: 'progress'; progress: JobProgress }
  | { type: 'cancelling'; jobId: string; cancelling: boolean }
  | { type: 'dismiss'; jobId: string };

function blank(jobId: string, total: number, label: string): JobView {
  return { jobId, label, done: 0, total, status: 'running', cancelling: false, error: null, node: null, path: null, rewrap: null };
}

export function jobsReducer(state: JobsState, action: JobsAction): JobsState {
  switch (action.type) {
    case 'started': {
      if (state.some((j) => j.jobId === action.jobId)) {
        return state.map((j) => (j.jobId === action.jobId ? { ...j, label: action.label } : j));
      }
      return [...state, blank(action.jobId, action.total, action.label)];
    }
    case 'progress': {
      const { jobId, done, total, state: jobState } = action.progress;
      const existing = state.find((j) => j.jobId === jobId) ?? blank(jobId, total, jobState.state === 'rewrapped' ? 'Rewrapping secrets' : 'Moving entities');
      // A committed bulk edit, a finished export or rewrap shows like a committed move: done.
      const status = jobState.state === 'edited' || jobState.state === 'exported' || jobState.state === 'rewrapped' ? 'committed' : jobState.state;
      const next: JobView = { ...existing, done, total, status };
      if (jobState.state === 'committed') next.node = jobState.node;
      if (jobState.state === 'failed') next.error = jobState.error;
      if (jobState.state === 'exported') next.path = jobState.path;
      if (jobState.state === 'rewrapped') next.rewrap = { rewrapped: jobState.rewrapped, keyVersion: jobState.keyVersion, remaining: jobState.remaining };
      if (jobState.state !== 'running') next.cancelling = false;
      return state.some((j) => j.jobId === jobId) ? state.map((j) => (j.jobId === jobId ? next : j)) : [...state, next];
    }
    case 'cancelling':
      return state.map((j) => (j.jobId === action.jobId ? { ...j, cancelling: action.cancelling } : j));
    case 'dismiss':
      return state.filter((j) => j.jobId !== action.jobId);
  }
}

/** A finished rewrap in words: "Rewrapped 12 secret versions to key version 3 · 2 left". */
export function rewrapSummary(rewrap: NonNullable<JobView['rewrap']>): string {
  const moved = `Rewrapped ${formatCount(rewrap.rewrapped)} secret ${rewrap.rewrapped === 1 ? 'version' : 'versions'} to key version ${rewrap.keyVersion}`;
  return rewrap.remaining > 0 ? `${moved} · ${formatCount(rewrap.remaining)} left` : moved;
}

/** 0..100 for a progress bar. */
export function jobPercent(job: Pick<JobView, 'done' | 'total'>): number {
  if (job.total <= 0) return 0;
  return Math.min(100, Math.max(0, (job.done / job.total) * 100));
}
