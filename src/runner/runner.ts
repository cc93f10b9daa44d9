import { FatalError, InvalidArchitectureError, errorInfo } from '../core/errors.js';
import type { Evaluator, TrialHandle } from '../core/evaluator.js';
import type { SearchSpace } from '../core/space.js';
import type { Storage, TrialResult } from '../core/storage.js';
import { DIAGNOSTICS_STEP, type Strategy, type StrategyContext } from '../core/strategy.js';
import type { Direction, Metrics, Sample, TrialRecord } from '../core/types.js';
import type { Pruning } from '../prune/pruner.js';
import { validateSample } from '../space/walk.js';
import { BudgetTracker } from './budget.js';
import { EventLoopYielder } from './yield.js';
import type { Budget, Reporter, RunSummary, StopReason } from './reporter.js';

export type DuplicatePolicy = 'reuse' | 'evaluate';

export interface RunnerOptions {
  readonly experimentId: string;
  readonly storage: Storage;
  readonly space: SearchSpace<unknown>;
  readonly strategy: Strategy;
  readonly evaluator: Evaluator<unknown>;
  readonly budget: Budget;
  /** Trials evaluated at once (default 1). */
  readonly concurrency?: number;
  /** 'reuse' (default): a repeated architecture is not evaluated again; its stored result is told. */
  readonly duplicates?: DuplicatePolicy;
  /** Stop after this many duplicate proposals in a row: the strategy has run out of new architectures. */
  readonly maxConsecutiveDuplicates?: number;
  /** Score told for an invalid architecture; default: the worst score seen so far (0 before any). */
  readonly invalidReward?: number;
  readonly reporters?: readonly Reporter[];
  readonly signal?: AbortSignal;
  /** Early stopping: reports feed the pruner, `shouldStop()` asks it (src/prune). */
  readonly pruning?: Pruning;
}

/**
 * Owns the search loop: asks the strategy, evaluates, records, tells, until the budget is spent or the
 * strategy is done. Storage is the source of truth: a runner started on an experiment that already has
 * trials (resume) rebuilds its state from them and re-runs the trials that were left unfinished.
 */
export class Runner {
  private readonly o: RunnerOptions;
  private readonly concurrency: number;
  private readonly direction: Direction;
  private readonly reporters: readonly Reporter[];
  private readonly history: TrialRecord[] = [];
  private readonly byKey = new Map<string, TrialRecord>();
  private readonly pendingByKey = new Map<string, Promise<TrialRecord>>();
  private readonly inflight = new Set<Promise<TrialRecord>>();
  private readonly abort = new AbortController();
  private budget!: BudgetTracker;
  private created = 0;
  private duplicates = 0;
  private consecutiveDuplicates = 0;
  private best: TrialRecord | undefined;
  private worstScore: number | undefined;
  private fatal: unknown;
  private lock: Promise<void> = Promise.resolve();
  /** Trials whose evaluation ended after a stop request: put back in the queue for resume. */
  private readonly discarded: TrialRecord[] = [];

  constructor(options: RunnerOptions) {
    this.o = options;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.direction = options.evaluator.direction;
    this.reporters = options.reporters ?? [];
    options.signal?.addEventListener('abort', () => this.abort.abort(options.signal?.reason), { once: true });
  }

  async run(): Promise<RunSummary> {
    const { storage, experimentId } = this.o;
    const experiment = await storage.experiment(experimentId);
    const previous = await storage.trials(experimentId);
    const unfinished: TrialRecord[] = [];
    let simulated = 0;
    for (const t of previous) {
      if (t.state === 'running' || t.state === 'queued') unfinished.push(t);
      else {
        simulated += t.cost;
        this.remember(t);
      }
    }
    this.created = previous.length;
    this.budget = new BudgetTracker(this.o.budget, this.created, simulated);
    const saved = await storage.loadStrategyState(experimentId);
    if (saved) this.o.strategy.restore(saved);
    await this.replayPruner(previous);
    for (const t of unfinished) if (t.state === 'running') await storage.requeue(t.id);
    await storage.setExperimentState(experimentId, 'running');
    const info = {
      budget: this.o.budget,
      resumed: previous.length > 0,
      signal: this.o.evaluator.signal,
      direction: this.direction,
    };
    for (const r of this.reporters) r.onExperimentStart?.(experiment, info);

    let stopReason: StopReason = 'budget';
    try {
      for (const t of unfinished) await this.waitForSlot().then(() => this.launch(t));
      stopReason = await this.loop();
      await this.drain();
      for (const t of this.discarded) await storage.requeue(t.id);
    } catch (e) {
      this.fatal ??= e;
    }
    if (this.fatal !== undefined) stopReason = 'fatal';
    else if (this.abort.signal.aborted) stopReason = 'aborted';
    const final = stopReason === 'fatal' ? 'failed' : stopReason === 'aborted' ? 'interrupted' : 'complete';
    await storage.setExperimentState(experimentId, final);
    const summary: RunSummary = {
      experimentId,
      stopReason,
      trials: this.created,
      duplicates: this.duplicates,
      simulatedSeconds: this.budget.simulatedSeconds,
      wallSeconds: this.budget.wallSeconds(),
      best: this.best,
    };
    for (const r of this.reporters) r.onExperimentEnd?.(summary);
    if (this.fatal !== undefined) throw this.fatal;
    return summary;
  }

  private async loop(): Promise<StopReason> {
    const yielder = new EventLoopYielder();
    for (;;) {
      await yielder.maybeYield();
      if (this.fatal !== undefined || this.abort.signal.aborted) return 'aborted';
      if (this.budget.exhausted()) return 'budget';
      if (this.inflight.size >= this.concurrency) {
        await this.waitForAny();
        continue;
      }
      const step = await this.serial(() => this.askOnce());
      if (step === 'continue') continue;
      if (step === 'wait') {
        await this.waitForAny();
        continue;
      }
      if (typeof step === 'string') return step;
      // A proposal equal to an architecture still being evaluated: its result is told when it exists.
      const original = await step.pending;
      if (original.finishedAt === undefined) continue; // discarded by a stop request
      if (await this.serial(() => this.reuse(original))) return 'exhausted';
    }
  }

  /**
   * One ask and its consequence, under the strategy lock: the strategy state saved with a new trial is
   * exactly the state after this ask.
   */
  private async askOnce(): Promise<
    'continue' | 'wait' | 'done' | 'exhausted' | { pending: Promise<TrialRecord> }
  > {
    const { strategy, space } = this.o;
    const proposal = await strategy.ask(this.context());
    if (proposal.kind === 'done') return 'done';
    if (proposal.kind === 'wait') {
      if (this.inflight.size === 0) {
        throw new FatalError(`strategy "${strategy.name}" answered 'wait' while no trial is running`);
      }
      return 'wait';
    }
    const key = space.key(proposal.sample);
    if (this.o.duplicates !== 'evaluate') {
      const original = this.byKey.get(key);
      if (original !== undefined) return (await this.reuse(original)) ? 'exhausted' : 'continue';
      const pending = this.pendingByKey.get(key);
      if (pending !== undefined) return { pending };
    }
    this.consecutiveDuplicates = 0;
    const state = this.o.storage.durable ? strategy.state() : undefined;
    const trial = await this.o.storage.createTrial(
      this.o.experimentId,
      { sample: proposal.sample, key },
      state,
    );
    this.created++;
    this.budget.started();
    this.launch(trial);
    return 'continue';
  }

  /** Tells a stored result again for a repeated proposal; true when the strategy seems exhausted. */
  private async reuse(original: TrialRecord): Promise<boolean> {
    this.duplicates++;
    for (const r of this.reporters) r.onDuplicate?.(original);
    await this.o.strategy.tell(original, this.context());
    if (this.o.storage.durable) {
      await this.o.storage.saveStrategyState(this.o.experimentId, this.o.strategy.state());
    }
    return ++this.consecutiveDuplicates >= (this.o.maxConsecutiveDuplicates ?? 1000);
  }

  /**
   * Runs `section` after every earlier one has finished. Every strategy call and the store write that
   * records its effect happen in one section, so the strategy state in the store always matches the
   * trials in the store, whatever the concurrency: a kill at any moment resumes consistently.
   */
  private serial<T>(section: () => Promise<T>): Promise<T> {
    const run = this.lock.then(section);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private launch(trial: TrialRecord): void {
    const running = this.evaluate(trial);
    this.inflight.add(running);
    this.pendingByKey.set(trial.key, running);
    void running
      .catch((e: unknown) => {
        this.fatal ??= e;
      })
      .finally(() => {
        this.inflight.delete(running);
        this.pendingByKey.delete(trial.key);
      });
  }

  private async evaluate(trial: TrialRecord): Promise<TrialRecord> {
    const { storage, evaluator, space, strategy } = this.o;
    for (const r of this.reporters) r.onTrialStart?.(trial);
    let stopped = false;
    const handle: TrialHandle = {
      id: trial.id,
      sample: trial.sample,
      key: trial.key,
      report: async (step: number, metrics: Metrics) => {
        await storage.report(trial.id, step, metrics);
        this.feedPruner(trial, step, metrics);
        for (const r of this.reporters) r.onTrialReport?.(trial, step, metrics);
      },
      // Remembered once said: the trial is 'pruned' only if its evaluator heard the verdict (a verdict
      // on its last report, with nothing left to stop, leaves it complete).
      shouldStop: () => (stopped ||= this.o.pruning?.pruner.shouldStop(trial) ?? false),
    };
    const result = await this.score(trial.sample, () =>
      evaluator.evaluate(space.decode(trial.sample), handle, this.abort.signal),
    );
    // After a stop request an evaluation is not recorded, even if it completed: the trial stays
    // unfinished and `naslab resume` runs it again, so the resumed search sees the same trials in
    // flight as the uninterrupted one would have.
    if (result === undefined || this.abort.signal.aborted) {
      this.discarded.push(trial);
      return trial;
    }
    // A pruned trial keeps the score it reached: the strategy learns from it like from any other.
    const outcome: TrialResult =
      stopped && result.state === 'complete' ? { ...result, state: 'pruned' } : result;
    const stored = await this.serial(async () => {
      const finished: TrialRecord = { ...trial, ...outcome, finishedAt: Date.now() };
      await strategy.tell(finished, this.context());
      // The strategy's learner after this result, at the step evaluators leave to it.
      const diagnostics = strategy.diagnostics?.();
      if (diagnostics !== undefined) await storage.report(trial.id, DIAGNOSTICS_STEP, diagnostics);
      const record = await storage.finish(trial.id, outcome, storage.durable ? strategy.state() : undefined);
      this.o.pruning?.pruner.finish(record, outcome.state);
      return record;
    });
    this.budget.finished(stored.cost);
    this.remember(stored);
    const progress = this.budget.progress(this.best);
    for (const r of this.reporters) r.onTrialEnd?.(stored, progress);
    return stored;
  }

  /** Runs one evaluation and turns its outcome (or its error) into a trial result. */
  private async score(
    sample: Sample,
    run: () => Promise<{ metrics: Metrics; cost?: number }>,
  ): Promise<TrialResult | undefined> {
    try {
      validateSample(this.o.space, sample);
      const { metrics, cost = 0 } = await run();
      const value = metrics[this.o.evaluator.signal];
      if (value === undefined || !Number.isFinite(value)) {
        throw new InvalidArchitectureError(
          `the evaluator returned no finite "${this.o.evaluator.signal}" (the objective's signal metric)`,
        );
      }
      const score = this.direction === 'maximize' ? value : -value;
      return { state: 'complete', metrics, score, cost };
    } catch (e) {
      if (e instanceof FatalError) throw e;
      if (this.abort.signal.aborted) return undefined;
      const error = errorInfo(e);
      if (e instanceof InvalidArchitectureError) {
        return {
          state: 'invalid',
          metrics: {},
          score: this.o.invalidReward ?? this.worstScore ?? 0,
          cost: 0,
          error,
        };
      }
      return { state: 'failed', metrics: {}, cost: 0, error };
    }
  }

  /** Gives the pruner a report's value of its metric, made "higher is better". */
  private feedPruner(trial: TrialRecord, step: number, metrics: Metrics): void {
    const pruning = this.o.pruning;
    const value = pruning === undefined ? undefined : metrics[pruning.metric];
    if (pruning === undefined || value === undefined || !Number.isFinite(value)) return;
    pruning.pruner.report(trial, step, pruning.direction === 'maximize' ? value : -value);
  }

  /**
   * Resume: the pruner's state is a function of what it was told, so replaying every finished trial's
   * stored reports, in trial order, rebuilds it as the interrupted run had it. Unfinished trials are
   * left out: they run again and report anew.
   */
  private async replayPruner(previous: readonly TrialRecord[]): Promise<void> {
    const pruner = this.o.pruning?.pruner;
    if (pruner === undefined) return;
    for (const t of previous) {
      if (t.state === 'running' || t.state === 'queued') continue;
      for (const r of await this.o.storage.reports(t.id)) this.feedPruner(t, r.step, r.metrics);
      pruner.finish(t, t.state);
    }
  }

  private remember(t: TrialRecord): void {
    this.history.push(t);
    // A pruned trial's partial result stands for its architecture too: training it again for a
    // repeated proposal would spend the budget on an architecture already judged worse than others.
    if (t.state === 'complete' || t.state === 'invalid' || t.state === 'pruned') {
      if (!this.byKey.has(t.key)) this.byKey.set(t.key, t);
    }
    if (t.state === 'complete' && t.score !== undefined) {
      if (this.best === undefined || t.score > (this.best.score ?? -Infinity)) this.best = t;
      if (this.worstScore === undefined || t.score < this.worstScore) this.worstScore = t.score;
    }
  }

  private context(): StrategyContext {
    return {
      space: this.o.space,
      direction: this.direction,
      progress: this.budget.progress(this.best).fraction,
      history: this.history,
      running: this.inflight.size,
    };
  }

  private async waitForSlot(): Promise<void> {
    while (this.inflight.size >= this.concurrency) await this.waitForAny();
  }

  private async waitForAny(): Promise<void> {
    if (this.inflight.size === 0) return;
    await Promise.race(this.inflight).catch(() => undefined);
  }

  private async drain(): Promise<void> {
    while (this.inflight.size > 0) await this.waitForAny();
  }
}
