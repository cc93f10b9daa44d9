/**
 * A fast evaluator (a table lookup) resolves every promise at once, so a search would run as one long
 * chain of microtasks and starve the event loop: no signal handler (Ctrl-C), timer (progress bar) or
 * I/O callback would run until the search ends. Yielding a macrotask turn every `intervalMs` keeps the
 * process responsive for about 2% of the throughput.
 */
export class EventLoopYielder {
  private last = performance.now();
  constructor(private readonly intervalMs = 50) {}

  async maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.last < this.intervalMs) return;
    await new Promise<void>((resolve) =>
      typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
    );
    this.last = performance.now();
  }
}
