import { describe, expect, it } from 'vitest';
import { makeApproval, makeExecution, makeStep } from './workflowFixtures';
import { approveCount, canCancel, canRetry, durationMs, formatDuration, nodeStates, stepsOfNode, triggerLabel } from './workflowsModel';

describe('workflowsModel', () => {
  it("takes each node's state from its last step: the latest position, then the latest attempt", () => {
    const states = nodeStates([
      makeStep({ id: 'a', nodeId: 'check', status: 'succeeded', position: 0 }),
      makeStep({ id: 'b', nodeId: 'call', status: 'failed', position: 1, attempt: 1 }),
      makeStep({ id: 'c', nodeId: 'call', status: 'succeeded', position: 1, attempt: 2 }),
      // A loop ran the check again, and it failed this time.
      makeStep({ id: 'd', nodeId: 'check', status: 'failed', position: 2 }),
    ]);
    expect(Object.fromEntries(states)).toEqual({ check: 'failed', call: 'succeeded' });
  });

  it("lists a node's steps in the order they ran", () => {
    const steps = [
      makeStep({ id: 'late', nodeId: 'call', status: 'succeeded', position: 3 }),
      makeStep({ id: 'other', nodeId: 'check', status: 'succeeded', position: 0 }),
      makeStep({ id: 'second', nodeId: 'call', status: 'succeeded', position: 1, attempt: 2 }),
      makeStep({ id: 'first', nodeId: 'call', status: 'failed', position: 1, attempt: 1 }),
    ];
    expect(stepsOfNode(steps, 'call').map((s) => s.id)).toEqual(['first', 'second', 'late']);
  });

  it('cancels only a going run not already asked to stop; retries a failed or cancelled one', () => {
    expect(canCancel(makeExecution({ id: 'r', status: 'queued' }))).toBe(true);
    expect(canCancel(makeExecution({ id: 'r', status: 'running' }))).toBe(true);
    expect(canCancel(makeExecution({ id: 'r', status: 'waiting' }))).toBe(true);
    expect(canCancel(makeExecution({ id: 'r', status: 'running', cancelRequested: true }))).toBe(false);
    expect(canCancel(makeExecution({ id: 'r', status: 'failed' }))).toBe(false);
    expect(canRetry(makeExecution({ id: 'r', status: 'failed' }))).toBe(true);
    expect(canRetry(makeExecution({ id: 'r', status: 'cancelled' }))).toBe(true);
    expect(canRetry(makeExecution({ id: 'r', status: 'succeeded' }))).toBe(false);
    expect(canRetry(makeExecution({ id: 'r', status: 'running' }))).toBe(false);
  });

  it('measures and words durations', () => {
    expect(durationMs('2025-01-01T10:00:00.000Z', '2025-01-01T10:00:00.250Z')).toBe(250);
    expect(durationMs('2025-01-01T10:00:00Z', null)).toBeNull();
    expect(durationMs(null, '2025-01-01T10:00:00Z')).toBeNull();
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(2500)).toBe('2.5 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(245_000)).toBe('4 min 5 s');
    expect(formatDuration(7_380_000)).toBe('2 h 3 min');
  });

  it('counts the votes to approve', () => {
    const vote = (decision: 'approve' | 'reject') => ({ userId: decision, userName: decision, decision, comment: null, createdAt: '2025-01-01T10:00:00Z' });
    expect(approveCount(makeApproval({ id: 'a', votes: [vote('approve'), vote('reject')] }))).toBe(1);
  });

  it('names triggers', () => {
    expect(triggerLabel('entityEvent')).toBe('Entity event');
    expect(triggerLabel(null)).toBe('No trigger');
    expect(triggerLabel('webhook')).toBe('webhook');
  });
});
