// Click-to-painted timing of expanding a node, for the end-to-end test:
// window.__ecoMetrics.expand collects the milliseconds of each expansion.

declare global {
  interface Window {
    __ecoMetrics?: { expand?: number[] };
  }
}

export type ExpandStatus = 'pending' | 'loaded' | 'failed';

export class ExpandTimer {
  private readonly started = new Map<string, number>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly nextFrame: (callback: () => void) => void = (callback) => requestAnimationFrame(() => callback()),
    private readonly record: (ms: number) => void = recordExpandMetric,
  ) {}

  /** The user asked to expand `id`. */
  start(id: string): void {
    this.started.set(id, this.now());
  }

  /** The node was collapsed again before its children showed. */
  cancel(id: string): void {
    this.started.delete(id);
  }

  get pendingCount(): number {
    return this.started.size;
  }

  /**
   * Call after each commit (layout effect): records every started expansion
   * whose first page is now in the DOM, on the next animation frame.
   */
  settle(statusOf: (id: string) => ExpandStatus): void {
    for (const [id, startedAt] of this.started) {
      const status = statusOf(id);
      if (status === 'pending') continue;
      this.started.delete(id);
      if (status === 'loaded') this.nextFrame(() => this.record(this.now() - startedAt));
    }
  }
}

export function recordExpandMetric(ms: number): void {
  const metrics = (window.__ecoMetrics ??= {});
  (metrics.expand ??= []).push(ms);
}
