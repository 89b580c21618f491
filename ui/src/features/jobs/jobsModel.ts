// Pure state of the background jobs this window shows (moves of large
// subtrees, bulk edits of many entities, exports, rewraps of secrets,
// imports of readings, imports of rows).
import type { AppError, ImportReport, JobProgress, JobState, SyncReport, TreeNode } from '../../bindings';
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
  /** What a finished import of readings stored or refused. */
  imported: ImportReport | null;
  /** What a finished import of rows wrote (or, failed, why it wrote nothing). */
  rowsImported: SyncReport | null;
};

export type JobsState = readonly JobView[];

export type JobsAction =
  | { type: 'started'; jobId: string; total: number; label: string }
  | { type: 'progress'; progress: JobProgress }
  | { type: 'cancelling'; jobId: string; cancelling: boolean }
  | { type: 'dismiss'; jobId: string };

function blank(jobId: string, total: number, label: string): JobView {
  return { jobId, label, done: 0, total, status: 'running', cancelling: false, error: null, node: null, path: null, rewrap: null, imported: null, rowsImported: null };
}

/** The label of a job heard of only through its events. */
function labelOf(state: JobState): string {
  if (state.state === 'rewrapped') return 'Rewrapping secrets';
  if (state.state === 'imported') return 'Importing readings';
  if (state.state === 'rowsImported') return 'Importing rows';
  return 'Moving entities';
}

/**
 * How a job's state shows: finished edits, exports, rewraps and imports read
 * as done; an import that stored nothing (readings aborted on bad records,
 * rows not `completed`) as failed.
 */
function statusOf(state: JobState): JobView['status'] {
  switch (state.state) {
    case 'edited':
    case 'exported':
    case 'rewrapped':
      return 'committed';
    case 'imported':
      return state.report.committed ? 'committed' : 'failed';
    case 'rowsImported':
      return state.report.status === 'completed' ? 'committed' : 'failed';
    default:
      return state.state;
  }
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
      const existing = state.find((j) => j.jobId === jobId) ?? blank(jobId, total, labelOf(jobState));
      const next: JobView = { ...existing, done, total, status: statusOf(jobState) };
      if (jobState.state === 'committed') next.node = jobState.node;
      if (jobState.state === 'failed') next.error = jobState.error;
      if (jobState.state === 'exported') next.path = jobState.path;
      if (jobState.state === 'rewrapped') next.rewrap = { rewrapped: jobState.rewrapped, keyVersion: jobState.keyVersion, remaining: jobState.remaining };
      if (jobState.state === 'imported') next.imported = jobState.report;
      if (jobState.state === 'rowsImported') next.rowsImported = jobState.report;
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

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/**
 * A finished import in words: "Imported 1,200 readings (3 already present,
 * 2 bad rows)", or when it stored nothing "Nothing imported: 2 bad rows
 * (first: line 4: not a number)".
 */
export function importSummary(report: ImportReport): string {
  const bad = plural(report.problemCount, 'bad row', 'bad rows');
  if (!report.committed) {
    const first = report.problems[0];
    return first ? `Nothing imported: ${bad} (first: line ${first.line}: ${first.message})` : `Nothing imported: ${bad}`;
  }
  return `Imported ${plural(report.inserted, 'reading', 'readings')} (${formatCount(report.alreadyPresent)} already present, ${bad})`;
}

/**
 * A finished import of rows in words: "Imported: 10 created, 3 updated, 87
 * unchanged" (with what it deleted and the rows it skipped, when any), or
 * when it wrote nothing "Import failed: nothing was written (4 rows with
 * errors)".
 */
export function rowsImportSummary(report: SyncReport): string {
  const { diff } = report;
  const withErrors = plural(diff.errorRows, 'row with errors', 'rows with errors');
  if (report.status !== 'completed') {
    if (diff.errorRows > 0) return `Import failed: nothing was written (${withErrors})`;
    const first = diff.errors[0];
    return first ? `Import failed: nothing was written (${first.message})` : 'Import failed: nothing was written';
  }
  const parts = [`${formatCount(diff.created)} created`, `${formatCount(diff.updated)} updated`, `${formatCount(diff.unchanged)} unchanged`];
  if (diff.deleted > 0) parts.push(`${formatCount(diff.deleted)} deleted`);
  const skipped = diff.errorRows > 0 ? ` · ${withErrors} skipped` : '';
  return `Imported: ${parts.join(', ')}${skipped}`;
}

/** 0..100 for a progress bar. */
export function jobPercent(job: Pick<JobView, 'done' | 'total'>): number {
  if (job.total <= 0) return 0;
  return Math.min(100, Math.max(0, (job.done / job.total) * 100));
}
