import type { ExperimentStats, ReadStore } from './read-store.js';

export type StatsListener = (stats: readonly ExperimentStats[]) => void;

/** How often the store is polled while a browser listens. */
export const POLL_MS = 1000;

/**
 * Polls the store's counters (ReadStore.statsSync: aggregates, no row decoding) once per interval for
 * all live-update connections together, and only while at least one is open: N open tabs cost the
 * running search the same as one, and none cost nothing.
 */
export class ChangeFeed {
  private readonly listeners = new Set<StatsListener>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;

  constructor(
    private readonly store: ReadStore,
    private readonly intervalMs = POLL_MS,
  ) {}

  /** Calls `listener` with every poll's counters; returns the unsubscribe function. */
  subscribe(listener: StatsListener): () => void {
    this.listeners.add(listener);
    this.schedule();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.cancel();
    };
  }

  /** Open subscriptions (a closed connection must leave none behind). */
  get subscribers(): number {
    return this.listeners.size;
  }

  /** The counters now (a connection's first events). */
  current(): Promise<ExperimentStats[]> {
    return this.store.read('poll for changes', () => this.store.statsSync());
  }

  stop(): void {
    this.stopped = true;
    this.listeners.clear();
    this.cancel();
  }

  private cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One timer at a time, re-armed after each poll, so a slow read never stacks polls up. */
  private schedule(): void {
    if (this.stopped || this.timer !== undefined || this.polling || this.listeners.size === 0) return;
    this.timer = setTimeout(() => void this.poll(), this.intervalMs);
    // An idle poll must not keep a process (a test, a closing CLI) alive on its own.
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    this.polling = true;
    try {
      const stats = await this.current();
      for (const listener of [...this.listeners]) listener(stats);
    } catch {
      // The database went away or is damaged: the next poll tries again; API requests report it.
    } finally {
      this.polling = false;
      this.schedule();
    }
  }
}
