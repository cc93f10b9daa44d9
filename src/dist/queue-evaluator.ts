import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ConfigError, TrialFailedError } from '../core/errors.js';
import type { Evaluation, Evaluator, TrialHandle } from '../core/evaluator.js';
import type { Direction, Json } from '../core/types.js';
import { connect, disconnect, hangUp, parseQueueUrl, pause, untilReady } from './connection.js';
import {
  CONTROL_TTL_SECONDS,
  DEFAULT_ATTEMPTS,
  DEFAULT_QUEUE_NAME,
  attachKey,
  controlKey,
  errorFromInfo,
  identityMismatch,
  identityOf,
  jobIdOf,
  newCoordinatorId,
  parseOutcome,
  parseProgress,
  runKeyOf,
  type TrialControl,
  type TrialIdentity,
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
  /**
   * Stable for the experiment across resumes, different between stores: e.g. its creation time and the
   * store's path. A resumed coordinator re-attaches only to jobs of its own tag.
   */
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
  /**
   * Aborted (a Ctrl-C) while Redis is still out of reach: open gives up and throws a StoppedError
   * instead of waiting for ever.
   */
  readonly stop?: AbortSignal;
}

interface Pending {
  readonly trial: TrialHandle;
  /** The job this trial waits for: its own, or one a previous coordinator of the store added. */
  jobId: string;
  data: TrialJob;
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
 * The coordinator's evaluator: each trial becomes a BullMQ job, a worker evaluates it, and its answer
 * settles the trial's promise, once, whatever arrives twice. Reports come back as job progress and are
 * acknowledged with the pruner's verdict in a control key.
 *
 * Several coordinators (other stores, whose experiment and trial ids are the same small numbers) may
 * share the queue, so a job id carries this coordinator's random id (`jobIdOf`), and so does every key
 * derived from it; answers and reports name their job and are checked against it. A resumed
 * coordinator finds the jobs its store's previous run added through a per-experiment index in Redis
 * (`attachKey`) and re-attaches to those whose data is its trial's, instead of running them again.
 */
export class QueueEvaluator implements Evaluator<unknown> {
  readonly signal: string;
  readonly direction: Direction;
  /** This process's id in job ids: new at every start. */
  readonly coordinator = newCoordinatorId();
  private readonly pending = new Map<string, Pending>();
  private readonly runKey: string;
  private jobs = 0;
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
    this.runKey = runKeyOf(o.experimentId, o.runTag, o.config);
    events.on('completed', ({ jobId, returnvalue }) => this.finish(jobId, parseOutcome(returnvalue)));
    events.on('failed', ({ jobId }) => void this.failed(jobId));
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
    try {
      await untilReady(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), o.stop, '--queue');
    } catch (e) {
      // Redis never answered: nothing to wait for, the connections end at once.
      await abandon(queue, events, clients);
      throw e;
    }
    return new QueueEvaluator({ ...o, attempts, onError }, name, queue, events, control, clients);
  }

  evaluate(_arch: unknown, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    const data: TrialJob = {
      experimentId: this.o.experimentId,
      trialId: trial.id,
      sample: trial.sample,
      key: trial.key,
      config: this.o.config,
      runTag: this.o.runTag,
      coordinator: this.coordinator,
      attempts: this.o.attempts ?? DEFAULT_ATTEMPTS,
      ...(this.o.timeoutMs === undefined ? {} : { timeoutMs: this.o.timeoutMs }),
    };
    return new Promise<Evaluation>((resolve, reject) => {
      const entry: Pending = {
        trial,
        jobId: jobIdOf(this.coordinator, this.o.experimentId, trial.id, ++this.jobs),
        data,
        signal,
        lastStep: -Infinity,
        reports: Promise.resolve(),
        submitted: false,
        settle: (outcome) => {
          const jobId = entry.jobId;
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
      this.pending.set(entry.jobId, entry);
      this.watch(signal);
      this.submit(entry).catch((e: unknown) => entry.settle(e instanceof Error ? e : new Error(String(e))));
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

  /**
   * Re-attaches to the job this experiment's store added for the trial before (resume after a
   * coordinator crash, or the trial evaluated again), or adds a new one.
   */
  private async submit(entry: Pending): Promise<void> {
    const index = attachKey(this.queueName, this.runKey);
    const noted = await this.control.hget(index, entry.trial.id);
    const existing = noted === null ? undefined : ((await this.queue.getJob(noted)) as Job | undefined);
    if (existing?.id !== undefined && (await this.reusable(existing, entry.data))) {
      if (this.pending.get(entry.jobId) !== entry) return; // settled (stopped) meanwhile
      this.pending.delete(entry.jobId);
      entry.jobId = existing.id;
      entry.data = existing.data as TrialJob;
      this.pending.set(entry.jobId, entry);
      entry.submitted = true;
      // It may have answered before this coordinator was listening.
      await this.check(entry.jobId, entry);
      return;
    }
    // Noted before the job exists: a crash in between leaves a note of a missing job, never a job
    // that resume cannot find. A job found but not reusable is left alone: it may be another's.
    if (this.pending.get(entry.jobId) !== entry) return; // settled (stopped) meanwhile
    await Promise.all([
      this.control.hset(index, entry.trial.id, entry.jobId),
      this.control.expire(index, CONTROL_TTL_SECONDS),
    ]);
    await this.add(entry.jobId, entry);
    entry.submitted = true;
  }

  /**
   * A job of this experiment (the same store) and this trial whose answer still stands (not one a
   * stopped coordinator aborted).
   */
  private async reusable(job: Job, data: TrialJob): Promise<boolean> {
    const theirs = job.data as Partial<TrialJob>;
    if (
      theirs.runTag !== data.runTag ||
      theirs.experimentId !== data.experimentId ||
      theirs.trialId !== data.trialId ||
      theirs.key !== data.key ||
      typeof theirs.coordinator !== 'string'
    ) {
      return false;
    }
    if ((await job.getState()) !== 'completed') return true;
    return parseOutcome(job.returnvalue).kind !== 'aborted';
  }

  private identity(entry: Pending): TrialIdentity {
    return identityOf(entry.jobId, entry.data);
  }

  /**
   * The answer if it names this entry's job; otherwise a failed trial saying so (loudly: the store
   * must never record another trial's result as this one's).
   */
  private verified(entry: Pending, outcome: TrialOutcome): TrialOutcome {
    const wrong = identityMismatch(this.identity(entry), outcome.trial);
    if (wrong === undefined) return outcome;
    const said = outcome.kind === 'error' ? ` (it said: ${outcome.error.message})` : '';
    const message = `trial ${entry.trial.id}: refused the answer found for job ${entry.jobId}: ${wrong}${said}`;
    this.o.onError?.(message);
    return { kind: 'error', error: { code: 'E_TRIAL_FAILED', message } };
  }

  /** Looks the job up: settles a finished one, adds again one that Redis lost (a restart). */
  private async check(jobId: string, entry: Pending): Promise<void> {
    const state = await this.queue.getJobState(jobId);
    if (state === 'completed') {
      const job = (await this.queue.getJob(jobId)) as Job | undefined;
      if (job !== undefined) this.finish(jobId, parseOutcome(job.returnvalue));
    } else if (state === 'failed') {
      const job = (await this.queue.getJob(jobId)) as Job | undefined;
      this.fail(jobId, job);
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
    const checked = this.verified(entry, outcome);
    // Every report the worker sent before its answer is recorded before the result.
    void entry.reports.then(() => entry.settle(checked));
  }

  /** A 'failed' event is final (retries emit none); the state is checked in case it is not. */
  private async failed(jobId: string): Promise<void> {
    if (!this.pending.has(jobId)) return;
    const job = (await this.queue.getJob(jobId).catch(() => undefined)) as Job | undefined;
    if ((await job?.getState().catch(() => 'unknown')) === 'failed') this.fail(jobId, job);
  }

  /** The job failed on the workers: the trial fails with its reason, if the job is this trial's. */
  private fail(jobId: string, job: Job | undefined): void {
    const entry = this.pending.get(jobId);
    if (entry === undefined) return;
    const found = job?.id === undefined ? undefined : identityOf(job.id, job.data as TrialJob);
    const wrong = identityMismatch(this.identity(entry), found);
    const error = new TrialFailedError(
      wrong === undefined
        ? `trial ${entry.trial.id}: ${job?.failedReason ?? 'unknown reason'} (after up to ${entry.data.attempts} attempts on workers)`
        : `trial ${entry.trial.id}: refused the failure found for job ${jobId}: ${wrong}`,
    );
    void entry.reports.then(() => entry.settle(error));
  }

  private progress(jobId: string, raw: unknown): void {
    const entry = this.pending.get(jobId);
    const p = parseProgress(raw);
    if (entry === undefined || p === undefined) return;
    const wrong = identityMismatch(this.identity(entry), p.trial);
    if (wrong !== undefined) {
      this.o.onError?.(`trial ${entry.trial.id}: ignored a report for job ${jobId}: ${wrong}`);
      return;
    }
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
    // With Redis away, BullMQ's close would wait for it for ever: the connections end at once instead,
    // and what is left undone (taking back waiting jobs) is what resume does anyway. With Redis there,
    // the close is orderly, but bounded all the same (Redis may go while it runs).
    if (this.clients.every((c) => c.status === 'ready')) {
      const closed = Promise.allSettled([this.events.close(), this.queue.close()]).then(() => true);
      if (await Promise.race([closed, pause(3000).then(() => false)])) {
        await Promise.all(this.clients.map(disconnect));
        return;
      }
    }
    await abandon(this.queue, this.events, this.clients);
  }
}

/**
 * Leaves Redis without waiting for it: BullMQ is told to close (so its loops stop retrying) and every
 * connection, its copies included, ends at once.
 */
async function abandon(queue: Queue, events: QueueEvents, clients: readonly Redis[]): Promise<void> {
  const closing = Promise.allSettled([events.close(), queue.close()]);
  hangUp(clients);
  await Promise.race([closing, pause(200)]);
}
