import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { ExperimentsEvent, TrialsEvent } from '../web/api-types.js';
import type { ChangeFeed } from './change-feed.js';
import type { ExperimentStats } from './read-store.js';
import type { DashboardData } from './views.js';

/** A comment line every so often keeps proxies and browsers from dropping an idle stream. */
const KEEP_ALIVE_MS = 15_000;

/** The open live-update streams, so closing the server can end them (they never end on their own). */
export class StreamRegistry {
  private readonly enders = new Set<() => void>();

  add(end: () => void): () => void {
    this.enders.add(end);
    return () => this.enders.delete(end);
  }

  endAll(): void {
    for (const end of [...this.enders]) end();
    this.enders.clear();
  }
}

function trialsEvent(stats: ExperimentStats): TrialsEvent {
  const t = stats.trials;
  return {
    experimentId: stats.id,
    trials: t.trials,
    complete: t.complete,
    finished: t.finished,
    reports: t.reports,
    state: stats.state,
  };
}

/** What must differ for an experiment to count as changed: any trial created, finished, requeued or reported. */
function fingerprint(stats: ExperimentStats | undefined): string {
  if (stats === undefined) return 'gone';
  const t = stats.trials;
  return `${stats.state}|${t.trials}|${t.finished}|${t.queued}|${t.lastId}|${t.reports}`;
}

function listFingerprint(all: readonly ExperimentStats[]): string {
  return all.map((s) => `${s.id}:${s.updatedAt}:${fingerprint(s)}`).join(',');
}

interface Deps {
  readonly feed: ChangeFeed;
  readonly data: DashboardData;
  readonly streams: StreamRegistry;
}

/**
 * GET /api/events[?experiment=ID]: server-sent events. On connect, and then whenever the poll sees a
 * change: `event: trials` with that experiment's counters (only with ?experiment=) and
 * `event: experiments` with the whole list (as GET /api/experiments returns it).
 */
export function eventsHandler(c: Context, deps: Deps): Response {
  const experimentId = c.req.query('experiment');
  return streamSSE(c, async (stream: SSEStreamingApi) => {
    let lastTrials: string | undefined;
    let lastList: string | undefined;
    // Events go out one at a time, in poll order, even when a write waits on a slow client.
    let queue = Promise.resolve();
    const send = async (all: readonly ExperimentStats[]): Promise<void> => {
      if (stream.aborted || stream.closed) return;
      if (experimentId !== undefined) {
        const mine = all.find((s) => s.id === experimentId);
        const print = fingerprint(mine);
        if (mine !== undefined && print !== lastTrials) {
          lastTrials = print;
          await stream.writeSSE({ event: 'trials', data: JSON.stringify(trialsEvent(mine)) });
        }
      }
      const list = listFingerprint(all);
      if (list !== lastList) {
        lastList = list;
        const payload: ExperimentsEvent = { experiments: await deps.data.experiments() };
        await stream.writeSSE({ event: 'experiments', data: JSON.stringify(payload) });
      }
    };
    const enqueue = (all: readonly ExperimentStats[]): void => {
      queue = queue.then(() => send(all)).catch(() => undefined);
    };

    let wake: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (wake = resolve));
    const unsubscribe = deps.feed.subscribe(enqueue);
    const unregister = deps.streams.add(() => wake());
    stream.onAbort(() => wake());
    try {
      // The state at connect: nothing that changed between the page's fetch and this stream is missed.
      deps.feed.current().then(enqueue, () => undefined);
      while (!stream.aborted) {
        let timer: NodeJS.Timeout | undefined;
        const tick = new Promise<'tick'>(
          (resolve) => (timer = setTimeout(() => resolve('tick'), KEEP_ALIVE_MS)),
        );
        const why = await Promise.race([tick, ended.then(() => 'end' as const)]);
        clearTimeout(timer);
        if (why === 'end') break;
        await stream.write(': keep-alive\n\n');
      }
    } finally {
      unsubscribe();
      unregister();
    }
  });
}
