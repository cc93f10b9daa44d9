/** One server-sent event as received. */
export interface ReceivedEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * A minimal EventSource for tests (Node has none): reads the stream, splits it into events, and lets a
 * test wait for the first event that matches.
 */
export class EventStream {
  readonly received: ReceivedEvent[] = [];
  private readonly controller = new AbortController();
  private waiters: (() => void)[] = [];
  private buffer = '';
  /** Resolves when the server ends the stream (or close() is called). */
  readonly ended: Promise<void>;
  status = 0;
  contentType = '';

  constructor(url: URL | string, headers: Record<string, string> = {}) {
    this.ended = this.read(url, headers);
  }

  private async read(url: URL | string, headers: Record<string, string>): Promise<void> {
    try {
      const response = await fetch(url, { headers, signal: this.controller.signal });
      this.status = response.status;
      this.contentType = response.headers.get('content-type') ?? '';
      if (response.body === null) return;
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        this.buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        this.split();
      }
    } catch (e) {
      if (!this.controller.signal.aborted) throw e;
    } finally {
      this.notify();
    }
  }

  private split(): void {
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) this.received.push({ event, data: data.join('\n') });
    }
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** The first event named `event` whose parsed data passes `test`, waiting up to `timeoutMs`. */
  async next<T>(event: string, test: (data: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      for (; seen < this.received.length; seen++) {
        const e = this.received[seen] as ReceivedEvent;
        if (e.event !== event) continue;
        const data = JSON.parse(e.data) as T;
        if (test(data)) return data;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no "${event}" event passed the test within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.controller.abort();
  }
}
