import { describe, expect, it } from 'vitest';
import { ExpandTimer, recordExpandMetric } from './expandMetrics';

describe('ExpandTimer', () => {
  it('records the time from start to the frame after the children rendered', () => {
    let now = 100;
    const frames: (() => void)[] = [];
    const recorded: number[] = [];
    const timer = new ExpandTimer(() => now, (cb) => frames.push(cb), (ms) => recorded.push(ms));
    timer.start('a');
    timer.start('b');
    now = 130;
    timer.settle((id) => (id === 'a' ? 'loaded' : 'pending'));
    expect(recorded).toEqual([]);
    now = 145;
    frames.shift()!();
    expect(recorded).toEqual([45]);
    expect(timer.pendingCount).toBe(1);
    timer.settle(() => 'failed');
    expect(frames).toEqual([]);
    expect(timer.pendingCount).toBe(0);
  });

  it('cancel forgets an expansion', () => {
    const recorded: number[] = [];
    const timer = new ExpandTimer(() => 0, (cb) => cb(), (ms) => recorded.push(ms));
    timer.start('a');
    timer.cancel('a');
    timer.settle(() => 'loaded');
    expect(recorded).toEqual([]);
  });

  it('recordExpandMetric creates window.__ecoMetrics.expand', () => {
    delete window.__ecoMetrics;
    recordExpandMetric(12);
    recordExpandMetric(7);
    expect(window.__ecoMetrics).toEqual({ expand: [12, 7] });
  });
});
