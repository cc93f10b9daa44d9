import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ConfigError, TrialFailedError } from '../core/errors.js';
import type { Evaluation, Evaluator, TrialHandle } from '../core/evaluator.js';
import type { Direction, Json } from '../core/types.js';
import { connect, disconnect, parseQueueUrl } from './connection.js';
import {
  CONTROL_TTL_SECONDS,
  DEFAULT_ATTEMPTS,
  DEFAULT_QUEUE_NAME,
  controlKey,
  errorFromInfo,
  jobIdOf,
  parseOutcome,
  parseProgress,
  type TrialControl,
  type TrialJob,
  type TrialOutcome,
} from './protocol.js';

export interface QueueEvaluatorOptions {
  /** redis://[:password@]HOST:PORT[/db] or rediss:// (TLS). */
  readonly url: string;
  readonly queueName?: string;
  readonly experimentId: string;
  /** The experiment's stored config (configToJson): workers build their evaluator from it. */
  readonly config: Json;
  /** Stable for the experiment across resumes, different between stores: e.g. its createdAt. */
  readonly runTag: string;
  /** The signal metric and direction of the evaluator the workers build (the pruner watches them). */
  readonly signal: string;
  readonly direction: Direction;
  /** Starts of a trial (its worker crashing or vanishing each time) before it is recorded failed. */
  readonly attempts?: number;
  /** Per-trial wall-clock limit; a trial over it is recorded failed. */
  readonly timeoutMs?: number;
  /**
   * How often jobs are checked in Redis besides the events (ms, default 1000): events missed while
   * Redis was away are caught up, and jobs a restarted Redis lost are added again.
   */
  readonly pollMs?: number;
  readonly onError?: (message: string) => void;
}

interface Pending {
  readonly trial: TrialHandle;
  readonly data: TrialJob;
  readonly signal: AbortSignal;
  /** The last report step passed on: a trial re-run after its worker died reports its steps again. */
  lastStep: number;
  /** Reports are recorded in order, and all of them before the result. */
  reports: Promise<void>;
  /** Set once the job is in Redis (added, or an existing one re-attached). */
  submitted: boolean;
  settle: (outcome: TrialOutcome | Error) => void;
}

/**
 * The coordinator's evaluator: each trial becomes a BullMQ job (job id from experiment and trial id,
 * so adding it again, as resume does, re-attaches to the job instead of duplicating it), a worker
 * evaluates it, and its answer settles the trial's promise, once, whatever arrives twice. Reports
 * come back as job progress and are acknowledged with the pruner's verdict in a control key.
 */
export class QueueEvaluator implements Evaluator<unknown> {
  readonly signal: string;
  readonly direction: Direction;
  private readonly pending = new Map<string, Pending>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private reconciling = false;
  private readonly watched = new WeakSet<AbortSignal>();

  private constructor(
    private readonly o: QueueEvaluatorOptions,
    private readonly queueName: string,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly control: Redis,
    private readonly clients: readonly Redis[],
  ) {
    this.signal = o.signal;
    this.direction = o.direction;
    events.on('completed', ({ jobId, returnvalue }) => this.finish(jobId, parseOutcome(returnvalue)));
    events.on('failed', ({ jobId, failedReason }) => void this.failed(jobId, failedReason));
    events.on('progress', ({ jobId, data }) => this.progress(jobId, data));
    this.timer = setInterval(() => void this.reconcile(), o.pollMs ?? 1000);
    this.timer.unref();
  }

  static async open(o: QueueEvaluatorOptions): Promise<QueueEvaluator> {
    const location = parseQueueUrl(o.url);
    const attempts = o.attempts ?? DEFAULT_ATTEMPTS;
    if (!Number.isInteger(attempts) || attempts < 1) {
      throw new ConfigError(`attempts: expected a whole number >= 1, found ${attempts}`);
    }
    const name = o.queueName ?? DEFAULT_QUEUE_NAME;
    const onError = o.onError ?? ((m: string) => process.stderr.write(`${m}\n`));
    // One client each: QueueEvents blocks on its stream read, and control writes must not wait behind it.
    const clients = [0, 1, 2].map(() => connect(location, { onError }));
    const [forQueue, forEvents, control] = clients as [Redis, Redis, Redis];
    const queue = new Queue(name, { connection: forQueue });
    const events = new QueueEvents(name, { connection: forEvents });
    // Outages are told once by the connections; these repeat them for every retry (and an 'error'
    // event without a listener would throw).
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return new QueueEvaluator({ ...o, attempts }, name, queue, events, control, clients);
  }

  evaluate(_arch: unknown, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    const jobId = jobIdOf(this.o.experimentId, trial.id);
    const data: TrialJob = {
      experimentId: this.o.experimentId,
      trialId: trial.id,
      sample: trial.sample,
      key: trial.key,
      config: this.o.config,
      runTag: this.o.runTag,
      attempts: this.o.attempts ?? DEFAULT_ATTEMPTS,
      ...(this.o.timeoutMs === undefined ? {} : { timeoutMs: this.o.timeoutMs }),
    };
    return new Promise<Evaluation>((resolve, reject) => {
      const entry: Pending = {
        trial,
        data,
        signal,
        lastStep: -Infinity,
        reports: Promise.resolve(),
        submitted: false,
        settle: (outcome) => {
          if (this.pending.get(jobId) !== entry) return; // settled already: a second answer is dropped
          this.pending.delete(jobId);
          void this.control.del(controlKey(this.queueName, jobId)).catch(() => undefined);
          if (outcome instanceof Error) reject(outcome);
          else if (outcome.kind === 'ok') resolve({ metrics: outcome.metrics, cost: outcome.cost });
          else if (outcome.kind === 'error') reject(errorFromInfo(outcome.error));
          else reject(new TrialFailedError('the trial was aborted'));
        },
      };
      if (signal.aborted) return reject(new TrialFailedError('the coordinator was stopped'));
      this.pending.set(jobId, entry);
      this.watch(signal);
      this.submit(jobId, entry).catch((e: unknown) => entry.settle(e instanceof Error ? e : new Error(String(e))));
    });
  }

  /** One listener per stop signal (the runner's), not one per trial. */
  private watch(signal: AbortSignal): void {
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const [jobId, entry] of [...this.pending]) {
          if (entry.signal !== signal) continue;
          entry.settle(new TrialFailedError('the coordinator was stopped'));
          void this.abortJob(jobId);
        }
      },
      { once: true },
    );
  }

  /** Adds the trial's job, or re-attaches to the one already in Redis (resume after a coordinator crash). */
  private async submit(jobId: string, entry: Pending): Promise<void> {
    const existing = (await this.queue.getJob(jobId)) as Job | undefined;
    if (existing !== undefined && !(await this.reusable(existing, entry.data))) {
      await existing.remove().catch(() => undefined);
    }
    // With the same job id, adding re-attaches to a job still in Redis instead of duplicating it.
    await this.add(jobId, entry);
    entry.submitted = true;
    // A new job's answer comes as an event (QueueEvents listens since open); a job found in Redis
    // may have answered before this coordinator was listening.
    if (existing !== undefined) await this.check(jobId, entry);
  }

  /** A job of this run and trial whose answer still stands (not one a stopped coordinator aborted). */
  private async reusable(job: Job, data: TrialJob): Promise<boolean> {
    const theirs = job.data as Partial<TrialJob>;
    if (theirs.runTag !== data.runTag || theirs.key !== data.key) return false;
    if ((await job.getState()) !== 'completed') return true;
    return parseOutcome(job.returnvalue).kind !== 'aborted';
  }

  /** Looks the job up: settles a finished one, adds again one that Redis lost (a restart). */
  private async check(jobId: string, entry: Pending): Promise<void> {
    const state = await this.queue.getJobState(jobId);
    if (state === 'completed') {
      const job = (await this.queue.getJob(jobId)) as Job | undefined;
      if (job !== undefined) this.finish(jobId, parseOutcome(job.returnvalue));
    } else if (state === 'failed') {
      const job = (await this.queue.getJob(jobId)) as Job | undefined;
      this.fail(jobId, job?.failedReason ?? 'unknown reason');
    } else if (state === 'unknown' && entry.submitted) {
      await this.add(jobId, entry);
    }
  }

  private async add(jobId: string, entry: Pending): Promise<void> {
    await this.queue.add('trial', entry.data, {
      jobId,
      // Thrown errors (a worker that cannot build the evaluator) are retried as often as crashes.
      attempts: entry.data.attempts,
      backoff: { type: 'fixed', delay: 200 },
      // Kept a day, so a coordinator restarted within it re-attaches to finished jobs.
      removeOnComplete: { age: CONTROL_TTL_SECONDS },
      removeOnFail: { age: CONTROL_TTL_SECONDS },
    });
  }

  private async reconcile(): Promise<void> {
    // While Redis is away commands wait for it: one round at a time, not a pile of them.
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      for (const [jobId, entry] of [...this.pending]) {
        if (this.closed) return;
        if (!entry.submitted) continue;
        await this.check(jobId, entry).catch(() => undefined); // the next round tries again
      }
    } finally {
      this.reconciling = false;
    }
  }

  private finish(jobId: string, outcome: TrialOutcome): void {
    const entry = this.pending.get(jobId);
    if (entry === undefined) return;
    // Every report the worker sent before its answer is recorded before the result.
    void entry.reports.then(() => entry.settle(outcome));
  }

  /** A 'failed' event is final (retries emit none); the state is checked in case it is not. */
  private async failed(jobId: string, reason: string): Promise<void> {
    if (!this.pending.has(jobId)) return;
    if ((await this.queue.getJobState(jobId).catch(() => 'unknown')) === 'failed') this.fail(jobId, reason);
  }

  private fail(jobId: string, reason: string): void {
    const entry = this.pending.get(jobId);
    if (entry === undefined) return;
    const error = new TrialFailedError(
      `trial ${entry.trial.id}: ${reason} (after up to ${entry.data.attempts} attempts on workers)`,
    );
    void entry.reports.then(() => entry.settle(error));
  }

  private progress(jobId: string, raw: unknown): void {
    const entry = this.pending.get(jobId);
    const p = parseProgress(raw);
    if (entry === undefined || p === undefined) return;
    entry.reports = entry.reports
      .then(async () => {
        if (p.step > entry.lastStep) {
          entry.lastStep = p.step;
          await entry.trial.report(p.step, p.metrics);
        }
        await this.writeControl(jobId, { ack: p.seq, stop: entry.trial.shouldStop(), abort: false });
      })
      .catch((e: unknown) => this.o.onError?.(`trial ${entry.trial.id}: report: ${String(e)}`));
  }

  private async writeControl(jobId: string, c: TrialControl): Promise<void> {
    await this.control.set(controlKey(this.queueName, jobId), JSON.stringify(c), 'EX', CONTROL_TTL_SECONDS);
  }

  /** Stop: a waiting job is taken back; a running one is told to abort and answers 'aborted'. */
  private async abortJob(jobId: string): Promise<void> {
    try {
      await this.writeControl(jobId, { ack: Number.MAX_SAFE_INTEGER, stop: true, abort: true });
      await this.queue.remove(jobId);
    } catch {
      // Redis away: the worker's lock lapses and resume re-attaches or adds the job again.
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const entry of [...this.pending.values()]) entry.settle(new TrialFailedError('the queue was closed'));
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    await Promise.all(this.clients.map(disconnect));
  }
}
