import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { errorInfo } from '../core/errors.js';
import type { TrialHandle } from '../core/evaluator.js';
import type { Metrics } from '../core/types.js';
import { connect, disconnect, hangUp, parseQueueUrl, pause, untilReady, whenDown } from './connection.js';
import { PartsCache, type WorkerParts } from './parts.js';
import {
  DEFAULT_QUEUE_NAME,
  controlKey,
  identityOf,
  parseControl,
  type TrialControl,
  type TrialJob,
  type TrialOutcome,
} from './protocol.js';

export interface WorkerOptions {
  /** redis://[:password@]HOST:PORT[/db] or rediss:// (TLS). */
  readonly url: string;
  readonly queueName?: string;
  /** Trials evaluated at once by this process (default 1). */
  readonly concurrency?: number;
  /**
   * How long a trial's lock lasts without renewal (ms, default 30000): a worker that dies loses its
   * trial to another worker about this long after (see `lockSettings`).
   */
  readonly lockMs?: number;
  /** How long a report waits for the coordinator's verdict before going on without it (ms). */
  readonly ackTimeoutMs?: number;
  /** How often a running trial looks for the coordinator's abort (ms). */
  readonly controlPollMs?: number;
  /** Builds (and keeps) each experiment's evaluator; tests and the benchmark pass their own. */
  readonly parts?: PartsCache;
  readonly log?: (line: string) => void;
  /**
   * Aborted (a Ctrl-C) while Redis is still out of reach: startWorker gives up waiting for it and
   * throws a StoppedError instead of waiting for ever.
   */
  readonly stop?: AbortSignal;
}

export interface RunningWorker {
  /**
   * Finishes the trials in hand, then disconnects. With Redis out of reach (now, or while they finish)
   * their answers could not be delivered, so it leaves at once: their locks lapse and another worker,
   * or the resumed coordinator, runs them again.
   */
  close(): Promise<void>;
}

export interface LockSettings {
  readonly lockDuration: number;
  readonly lockRenewTime: number;
  readonly stalledInterval: number;
  /** When a dead worker's trial goes back to the queue, in ms after its death: [earliest, latest]. */
  readonly handOnMs: readonly [number, number];
}

/**
 * BullMQ's lock settings for a trial lock of `lockMs`. The lock is renewed every tenth of it (BullMQ's
 * lock manager ticks every lockRenewTime / 2 and renews what it last renewed over lockRenewTime / 2
 * ago), so a worker that dies leaves a lock that lapses 0.9 to 1.0 x lockMs later; the stalled-job check
 * runs every tenth of it as well (Redis lets one check through per interval, whatever the number of
 * workers), and moves the trial back to the queue at the first check after the lapse. So the trial is
 * handed on 0.9 to 1.1 x lockMs after the death: 27 to 33 s at the default 30 s.
 */
export function lockSettings(lockMs: number): LockSettings {
  const tenth = Math.max(20, Math.floor(lockMs / 10));
  return {
    lockDuration: lockMs,
    lockRenewTime: tenth,
    stalledInterval: tenth,
    handOnMs: [lockMs - tenth, lockMs + tenth],
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Takes trial jobs from the queue and evaluates them until closed. */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const location = parseQueueUrl(o.url);
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const name = o.queueName ?? DEFAULT_QUEUE_NAME;
  const parts = o.parts ?? new PartsCache();
  const lock = lockSettings(o.lockMs ?? 30_000);
  const clients = [connect(location, { onError: log }), connect(location, { onError: log })] as const;
  const [forWorker, control] = clients;
  const hand: InHand = { running: new Set(), left: false };
  const worker = new Worker<TrialJob, TrialOutcome>(
    name,
    async (job) => {
      const data = job.data;
      // Stalled jobs come back without an error; counting starts is what catches a trial that kills
      // every worker it runs on (BullMQ's own stall limit is set out of the way below).
      if (job.attemptsStarted > data.attempts) {
        throw new UnrecoverableError(
          `started ${job.attemptsStarted - 1} times without an answer (its worker crashed or lost the lock each time)`,
        );
      }
      return runTrial(job, await parts.get(data.config, data.experimentId), control, name, o, hand);
    },
    {
      connection: forWorker,
      concurrency: o.concurrency ?? 1,
      lockDuration: lock.lockDuration,
      lockRenewTime: lock.lockRenewTime,
      stalledInterval: lock.stalledInterval,
      maxStalledCount: 1_000_000,
    },
  );
  // After leaving, what BullMQ fails to send on the ended connections is expected, not news.
  worker.on('error', (e) => hand.left || log(`worker: ${e.message}`));
  worker.on('failed', (job, e) => hand.left || log(`trial ${job?.data.trialId ?? '?'}: ${e.message}`));
  // Leaving without waiting for anything Redis would have to answer: BullMQ is told to close (so its
  // loops stop retrying), every connection, BullMQ's copies included, ends at once, and the trials in
  // hand are stopped (their answers could not go anywhere; their locks lapse and they run elsewhere).
  const leave = async (): Promise<void> => {
    hand.left = true;
    const closing = worker.close(true).catch(() => undefined);
    hangUp(clients);
    for (const trial of hand.running) trial.abort();
    await Promise.race([closing, pause(200)]);
    await parts.close();
  };
  try {
    await untilReady(worker.waitUntilReady(), o.stop, 'naslab worker');
  } catch (e) {
    await leave();
    throw e;
  }
  return {
    async close() {
      const finished = worker.close().then(
        () => 'finished' as const,
        () => 'finished' as const,
      );
      const lost = whenDown(clients);
      const how = await Promise.race([finished, lost.promise.then(() => 'lost' as const)]);
      lost.cancel();
      if (how === 'lost') return leave();
      await parts.close();
      await Promise.all(clients.map(disconnect));
    },
  };
}

/** The trials a worker has in hand, each stopped through its controller when the worker leaves. */
interface InHand {
  readonly running: Set<AbortController>;
  left: boolean;
}

/** One trial: the evaluator runs with a handle whose reports and stop verdicts go through Redis. */
async function runTrial(
  job: Job<TrialJob, TrialOutcome>,
  { space, evaluator }: WorkerParts,
  client: Redis,
  queueName: string,
  o: WorkerOptions,
  hand: InHand,
): Promise<TrialOutcome> {
  const data = job.data;
  const jobId = job.id ?? '';
  // Named in every report and in the answer: the coordinator checks that they are for its job.
  const trial = identityOf(jobId, data);
  const key = controlKey(queueName, jobId);
  const read = async (): Promise<TrialControl> => parseControl(await client.get(key));
  // Read on every report and polled between: a job is only started after the coordinator added it,
  // and a stopped coordinator takes back the jobs still waiting.
  let control: TrialControl = { ack: 0, stop: false, abort: false };
  const controller = new AbortController();
  hand.running.add(controller);
  let timedOut = false;
  let polling = false;
  const poll = setInterval(() => {
    if (polling) return; // Redis away: one read waits for it, not one per tick
    polling = true;
    void read()
      .then((c) => {
        control = c;
        if (c.abort) controller.abort();
      })
      .catch(() => undefined)
      .finally(() => (polling = false));
  }, o.controlPollMs ?? 250);
  const timer =
    data.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, data.timeoutMs);
  let seq = 0;
  const handle: TrialHandle = {
    id: data.trialId,
    sample: data.sample,
    key: data.key,
    report: async (step: number, metrics: Metrics) => {
      const mine = ++seq;
      await job.updateProgress({ step, metrics, seq: mine, trial });
      // The pruner judges on the coordinator: wait (briefly) for its verdict on this report.
      const deadline = Date.now() + (o.ackTimeoutMs ?? 10_000);
      for (let wait = 1; Date.now() < deadline; wait = Math.min(wait * 2, 50)) {
        control = await read();
        if (control.ack >= mine || control.abort) break;
        await sleep(wait);
      }
      if (control.abort) controller.abort();
    },
    shouldStop: () => control.stop || controller.signal.aborted,
  };
  // An evaluator that ignores its signal still loses the race: the answer goes back on time.
  const stopped = new Promise<never>((_, reject) =>
    controller.signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }),
  );
  stopped.catch(() => undefined);
  try {
    const result = await Promise.race([
      evaluator.evaluate(space.decode(data.sample), handle, controller.signal),
      stopped,
    ]);
    return { kind: 'ok', metrics: result.metrics, cost: result.cost ?? 0, trial };
  } catch (e) {
    // Not the trial's outcome: the worker left (no answer can reach Redis anyway).
    if (hand.left) throw new Error('the worker stopped before the trial ended', { cause: e });
    if (control.abort) return { kind: 'aborted', trial };
    if (timedOut) {
      const message = `timed out after ${data.timeoutMs} ms (the per-trial timeout)`;
      return { kind: 'error', error: { code: 'E_TRIAL_FAILED', message }, trial };
    }
    return { kind: 'error', error: errorInfo(e), trial };
  } finally {
    hand.running.delete(controller);
    clearInterval(poll);
    if (timer !== undefined) clearTimeout(timer);
  }
}
