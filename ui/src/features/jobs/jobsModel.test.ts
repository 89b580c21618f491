import { describe, expect, it } from 'vitest';
import { makeNode } from '../../test/fixtures';
import type { ImportReport, SyncReport } from '../../bindings';
import { importSummary, jobPercent, jobsReducer, rewrapSummary, rowsImportSummary, type JobsState } from './jobsModel';

describe('jobsReducer', () => {
  it('tracks a started job through progress to committed', () => {
    let state: JobsState = jobsReducer([], { type: 'started', jobId: 'j1', total: 20_000, label: 'Moving "Site"' });
    expect(state[0]).toMatchObject({ jobId: 'j1', done: 0, total: 20_000, status: 'running' });
    state = jobsReducer(state, { type: 'progress', progress: { jobId: 'j1', done: 5_000, total: 20_000, state: { state: 'running' } } });
    expect(jobPercent(state[0])).toBe(25);
    state = jobsReducer(state, { type: 'cancelling', jobId: 'j1', cancelling: true });
    const node = makeNode({ id: 'site', name: 'Site' });
    state = jobsReducer(state, { type: 'progress', progress: { jobId: 'j1', done: 20_000, total: 20_000, state: { state: 'committed', node, oldParentId: null } } });
    expect(state[0]).toMatchObject({ status: 'committed', node, cancelling: false, label: 'Moving "Site"' });
    expect(jobsReducer(state, { type: 'dismiss', jobId: 'j1' })).toEqual([]);
  });

  it('shows jobs it only hears about through events, and failures', () => {
    const state = jobsReducer([], {
      type: 'progress',
      progress: { jobId: 'j2', done: 10, total: 100, state: { state: 'failed', error: { type: 'Database', data: { message: 'gone' } } } },
    });
    expect(state[0]).toMatchObject({ jobId: 'j2', status: 'failed', label: 'Moving entities', error: { type: 'Database' } });
  });

  it('a committed bulk edit reads as done', () => {
    let state = jobsReducer([], { type: 'started', jobId: 'b1', total: 8_000, label: 'Setting status on 8,000 entities' });
    state = jobsReducer(state, { type: 'progress', progress: { jobId: 'b1', done: 8_000, total: 8_000, state: { state: 'edited', changed: 8_000 } } });
    expect(state[0]).toMatchObject({ status: 'committed', done: 8_000, label: 'Setting status on 8,000 entities' });
  });

  it('a finished export reads as done and keeps where it wrote', () => {
    let state = jobsReducer([], { type: 'started', jobId: 'e1', total: 120_000, label: 'Exporting "Pumps"' });
    expect(state[0].path).toBeNull();
    state = jobsReducer(state, {
      type: 'progress',
      progress: { jobId: 'e1', done: 118_000, total: 120_000, state: { state: 'exported', rows: 118_000, path: '/home/me/Downloads/pumps.csv' } },
    });
    expect(state[0]).toMatchObject({ status: 'committed', done: 118_000, path: '/home/me/Downloads/pumps.csv' });
  });

  it('a finished rewrap reads as done and keeps what it moved', () => {
    let state = jobsReducer([], { type: 'started', jobId: 'r1', total: 14, label: 'Rewrapping secrets of "North"' });
    state = jobsReducer(state, { type: 'progress', progress: { jobId: 'r1', done: 12, total: 14, state: { state: 'rewrapped', rewrapped: 12, keyVersion: 3, remaining: 2 } } });
    expect(state[0]).toMatchObject({ status: 'committed', done: 12, rewrap: { rewrapped: 12, keyVersion: 3, remaining: 2 } });
    expect(rewrapSummary(state[0].rewrap!)).toBe('Rewrapped 12 secret versions to key version 3 · 2 left');
    expect(rewrapSummary({ rewrapped: 1, keyVersion: 2, remaining: 0 })).toBe('Rewrapped 1 secret version to key version 2');
    // Heard of only through its last event.
    expect(jobsReducer([], { type: 'progress', progress: { jobId: 'r2', done: 1, total: 1, state: { state: 'rewrapped', rewrapped: 1, keyVersion: 2, remaining: 0 } } })[0].label).toBe('Rewrapping secrets');
  });

  const report = (over: Partial<ImportReport>): ImportReport => ({
    records: 0,
    inserted: 0,
    alreadyPresent: 0,
    seriesCreated: 0,
    problemCount: 0,
    problems: [],
    committed: true,
    rollupDays: 0,
    ...over,
  });

  it('a finished import reads as done and keeps its report', () => {
    let state = jobsReducer([], { type: 'started', jobId: 'i1', total: 4096, label: 'Importing readings from "meters.csv"' });
    const done = report({ records: 1205, inserted: 1200, alreadyPresent: 3, problemCount: 2, problems: [{ line: 7, kind: 'badValue', message: 'not a number' }] });
    state = jobsReducer(state, { type: 'progress', progress: { jobId: 'i1', done: 4096, total: 4096, state: { state: 'imported', report: done } } });
    expect(state[0]).toMatchObject({ status: 'committed', imported: done, label: 'Importing readings from "meters.csv"' });
    expect(importSummary(done)).toBe('Imported 1,200 readings (3 already present, 2 bad rows)');
    expect(importSummary(report({ inserted: 1, problemCount: 1 }))).toBe('Imported 1 reading (0 already present, 1 bad row)');
  });

  it('an import aborted on bad rows stored nothing: failed, with the first problem', () => {
    const aborted = report({ records: 10, problemCount: 3, committed: false, problems: [{ line: 4, kind: 'badTime', message: 'not a time' }] });
    const state = jobsReducer([], { type: 'progress', progress: { jobId: 'i2', done: 10, total: 10, state: { state: 'imported', report: aborted } } });
    expect(state[0]).toMatchObject({ status: 'failed', label: 'Importing readings', error: null });
    expect(importSummary(aborted)).toBe('Nothing imported: 3 bad rows (first: line 4: not a time)');
    expect(importSummary(report({ problemCount: 1, committed: false }))).toBe('Nothing imported: 1 bad row');
  });

  const syncReport = (status: string, over: Partial<SyncReport['diff']> = {}): SyncReport => ({
    runId: 'run-1',
    dryRun: false,
    status,
    mapping: null,
    diff: { total: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, errorRows: 0, createdRows: [], updatedRows: [], deletedRows: [], errors: [], ...over },
  });

  it('a finished import of rows reads as done and keeps its report', () => {
    let state = jobsReducer([], { type: 'started', jobId: 's1', total: 2048, label: 'Importing "parts.csv" as Part' });
    const done = syncReport('completed', { total: 100, created: 10, updated: 3, unchanged: 87 });
    state = jobsReducer(state, { type: 'progress', progress: { jobId: 's1', done: 2048, total: 2048, state: { state: 'rowsImported', report: done } } });
    expect(state[0]).toMatchObject({ status: 'committed', rowsImported: done, label: 'Importing "parts.csv" as Part' });
    expect(rowsImportSummary(done)).toBe('Imported: 10 created, 3 updated, 87 unchanged');
    expect(rowsImportSummary(syncReport('completed', { created: 1, deleted: 2, errorRows: 1 }))).toBe('Imported: 1 created, 0 updated, 0 unchanged, 2 deleted · 1 row with errors skipped');
  });

  it('an import of rows that wrote nothing reads as failed', () => {
    const failed = syncReport('failed', { total: 20, errorRows: 4 });
    const state = jobsReducer([], { type: 'progress', progress: { jobId: 's2', done: 20, total: 20, state: { state: 'rowsImported', report: failed } } });
    expect(state[0]).toMatchObject({ status: 'failed', label: 'Importing rows', error: null, rowsImported: failed });
    expect(rowsImportSummary(failed)).toBe('Import failed: nothing was written (4 rows with errors)');
    expect(rowsImportSummary(syncReport('failed', { errors: [{ line: 1, column: null, message: 'no name column' }] }))).toBe('Import failed: nothing was written (no name column)');
  });

  it('jobPercent is bounded', () => {
    expect(jobPercent({ done: 5, total: 0 })).toBe(0);
    expect(jobPercent({ done: 150, total: 100 })).toBe(100);
  });
});
