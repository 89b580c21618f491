import type { Query } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { executionQuery, executionsQuery, RUN_POLL_MS } from './api';
import type { Execution, ExecutionDetail, ExecutionStatus } from './types';
import { makeExecution, makeExecutionDetail } from './workflowFixtures';

const ALL_RUNS = { workflowId: null, statuses: [], entityId: null, limit: 200 };

/** The refresh interval a query's options give for the data it holds. */
function intervalFor<T>(refetchInterval: unknown, data: T | undefined): number | false | undefined {
  if (typeof refetchInterval !== 'function') throw new Error('expected an interval computed from the data');
  return refetchInterval({ state: { data } } as Query<T>);
}

const runs = (...statuses: ExecutionStatus[]): Execution[] => statuses.map((status, i) => makeExecution({ id: `run-${i}`, status }));
const detail = (status: ExecutionStatus): ExecutionDetail => makeExecutionDetail(makeExecution({ id: 'run-1', status }));

describe('run polling', () => {
  it('refreshes a list every 2 s while one of its runs is queued, running or waiting', () => {
    const { refetchInterval } = executionsQuery(ALL_RUNS);
    expect(intervalFor(refetchInterval, runs('succeeded', 'queued'))).toBe(RUN_POLL_MS);
    expect(intervalFor(refetchInterval, runs('failed', 'running'))).toBe(RUN_POLL_MS);
    expect(intervalFor(refetchInterval, runs('waiting'))).toBe(RUN_POLL_MS);
    expect(intervalFor(refetchInterval, runs('succeeded', 'failed', 'cancelled'))).toBe(false);
    expect(intervalFor(refetchInterval, [])).toBe(false);
    expect(RUN_POLL_MS).toBe(2000);
  });

  it('refreshes one run every 2 s until it is final', () => {
    const { refetchInterval } = executionQuery('run-1');
    expect(intervalFor(refetchInterval, detail('running'))).toBe(RUN_POLL_MS);
    expect(intervalFor(refetchInterval, detail('waiting'))).toBe(RUN_POLL_MS);
    expect(intervalFor(refetchInterval, detail('succeeded'))).toBe(false);
    expect(intervalFor(refetchInterval, detail('cancelled'))).toBe(false);
  });

  it('keys each filter apart', () => {
    expect(executionsQuery(ALL_RUNS).queryKey).not.toEqual(executionsQuery({ ...ALL_RUNS, statuses: ['failed'] }).queryKey);
    expect(executionsQuery(ALL_RUNS).queryKey).toEqual(executionsQuery({ ...ALL_RUNS }).queryKey);
  });
});
