import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { errorInfo } from '../core/errors.js';
import type { TrialHandle } from '../core/evaluator.js';
import type { Metrics } from '../core/types.js';
import { connect, disconnect, parseQueueUrl } from './connection.js';
import { PartsCache, type WorkerParts } from './parts.js';
import {
  DEFAULT_QUEUE_NAME,
  controlKey,
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
   * trial to another worker about this long after, plus half of it (the stalled-job check).
   */
  readonly lockMs?: number;
  /** How long a report waits for the coordinator's verdict before going on without it (ms). */
  readonly ackTimeoutMs?: number;
  /** How often a running trial looks for the coordinator's abort (ms). */
  readonly controlPollMs?: number;
  /** Builds (and keeps) each experiment's evaluator; tests and the benchmark pass their own. */
  readonly parts?: PartsCache;
  readonly log?: (line: string) => void;
}

export interface RunningWorker {
  /** Finishes the trials in hand, then disconnects. */
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Takes trial jobs from the queue and evaluates them until closed. */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const location = parseQueueUrl(o.url);
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const name = o.queueName ?? DEFAULT_QUEUE_NAME;
  const parts = o.parts ?? new PartsCache();
  const lockMs = o.lockMs ?? 30_000;
  const [forWorker, control] = [connect(location, { onError: log }), connect(location, { onError: log })] as const;
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
      return runTrial(job, await parts.get(data.config, data.experimentId), control, name, o);
    },
    {
      connection: forWorker,
      concurrency: o.concurrency ?? 1,
      lockDuration: lockMs,
      stalledInterval: Math.max(100, Math.floor(lockMs / 2)),
      maxStalledCount: 1_000_000,
    },
  );
  worker.on('error', (e) => log(`worker: ${e.message}`));
  worker.on('failed', (job, e) => log(`trial ${job?.data.trialId ?? '?'}: ${e.message}`));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await parts.close();
      await Promise.all([disconnect(forWorker), disconnect(control)]);
    },
  };
}

/** One trial: the evaluator runs with a handle whose reports and stop verdicts go through Redis. */
async function runTrial(
  job: Job<TrialJob, TrialOutcome>,
  { space, evaluator }: WorkerParts,
  client: Redis,
  queueName: string,
  o: WorkerOptions,
): Promise<TrialOutcome> {
  const data = job.data;
  const key = controlKey(queueName, job.id ?? '');
  const read = async (): Promise<TrialControl> => parseControl(await client.get(key));
  // Read on every report and polled between: a job is only started after the coordinator added it,
  // and a stopped coordinator takes back the jobs still waiting.
  let control: TrialControl = { ack: 0, stop: false, abort: false };
  const controller = new AbortController();
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
      await job.updateProgress({ step, metrics, seq: mine });
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
    return { kind: 'ok', metrics: result.metrics, cost: result.cost ?? 0 };
  } catch (e) {
    if (control.abort) return { kind: 'aborted' };
    if (timedOut) {
      const message = `timed out after ${data.timeoutMs} ms (the per-trial timeout)`;
      return { kind: 'error', error: { code: 'E_TRIAL_FAILED', message } };
    }
    return { kind: 'error', error: errorInfo(e) };
  } finally {
    clearInterval(poll);
    if (timer !== undefined) clearTimeout(timer);
  }
}
