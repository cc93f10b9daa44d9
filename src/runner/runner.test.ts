import { describe, expect, it } from 'vitest';
import { FatalError, InvalidArchitectureError, TrialFailedError } from '../core/errors.js';
import type { Evaluation, Evaluator, TrialHandle } from '../core/evaluator.js';
import type { SearchSpace } from '../core/space.js';
import type { Strategy, StrategyContext } from '../core/strategy.js';
import type { Proposal, Sample, StrategyState, TrialRecord } from '../core/types.js';
import { MemoryStorage } from '../storage/memory.js';
import type { Progress, Reporter } from './reporter.js';
import { Runner, type RunnerOptions } from './runner.js';

/** Two decisions a, b in 0..3; the value is a + b. */
const toySpace: SearchSpace<Sample> = {
  name: 'toy',
  next: (prefix) =>
    !('a' in prefix)
      ? { name: 'a', choices: [0, 1, 2, 3] }
      : !('b' in prefix)
        ? { name: 'b', choices: [0, 1, 2, 3] }
        : null,
  decode: (s) => s,
  key: (s) => `${s.a}${s.b}`,
  toJSON: () => ({ type: 'toy' }),
};

/** Proposes a fixed script of samples, then 'done'; records what it is told. */
class ScriptedStrategy implements Strategy {
  readonly name = 'scripted';
  readonly told: TrialRecord[] = [];
  private i = 0;
  constructor(private readonly script: readonly (Sample | 'wait')[]) {}
  async ask(): Promise<Proposal> {
    const next = this.script[this.i++];
    if (next === undefined) return { kind: 'done' };
    return next === 'wait' ? { kind: 'wait' } : { kind: 'trial', sample: next };
  }
  async tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    this.told.push(trial);
  }
  state(): StrategyState {
    return { strategy: this.name, version: 1, data: { i: this.i } };
  }
  restore(state: StrategyState): void {
    this.i = (state.data as { i: number }).i;
  }
}

class ToyEvaluator implements Evaluator<Sample> {
  readonly signal = 'value';
  readonly direction = 'maximize' as const;
  running = 0;
  maxRunning = 0;
  constructor(
    private readonly behaviour: (s: Sample) => Evaluation | Error = (s) => ({
      metrics: { value: Number(s.a) + Number(s.b) },
      cost: 10,
    }),
    private readonly delayMs = 0,
  ) {}
  async evaluate(arch: Sample, _trial: TrialHandle): Promise<Evaluation> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    this.running--;
    const out = this.behaviour(arch);
    if (out instanceof Error) throw out;
    return out;
  }
}

const s = (a: number, b: number): Sample => ({ a, b });

async function setup(
  script: readonly (Sample | 'wait')[],
  options: Partial<RunnerOptions> = {},
): Promise<{ runner: Runner; storage: MemoryStorage; strategy: ScriptedStrategy; experimentId: string }> {
  const storage = new MemoryStorage();
  const exp = await storage.createExperiment('t', {});
  const strategy = new ScriptedStrategy(script);
  const runner = new Runner({
    experimentId: exp.id,
    storage,
    space: toySpace,
    strategy,
    evaluator: new ToyEvaluator(),
    budget: { trials: 100 },
    ...options,
  });
  return { runner, storage, strategy, experimentId: exp.id };
}

describe('Runner', () => {
  it('evaluates every proposal, stores it, tells the strategy and reports the best', async () => {
    const { runner, storage, strategy, experimentId } = await setup([s(0, 1), s(3, 2), s(1, 1)]);
    const summary = await runner.run();
    expect(summary.stopReason).toBe('done');
    expect(summary.trials).toBe(3);
    expect(summary.best?.key).toBe('32');
    expect(summary.best?.score).toBe(5);
    const trials = await storage.trials(experimentId);
    expect(trials.map((t) => [t.key, t.state, t.score])).toEqual([
      ['01', 'complete', 1],
      ['32', 'complete', 5],
      ['11', 'complete', 2],
    ]);
    expect(strategy.told.map((t) => t.key)).toEqual(['01', '32', '11']);
    expect((await storage.experiment(experimentId)).state).toBe('complete');
  });

  it('stops at the trial budget', async () => {
    const { runner, storage, experimentId } = await setup([s(0, 0), s(0, 1), s(0, 2), s(0, 3)], {
      budget: { trials: 2 },
    });
    const summary = await runner.run();
    expect(summary.stopReason).toBe('budget');
    expect((await storage.trials(experimentId)).length).toBe(2);
  });

  it('counts the evaluation that crosses a simulated-seconds budget, then stops', async () => {
    const { runner } = await setup([s(0, 0), s(0, 1), s(0, 2), s(0, 3)], {
      budget: { simulatedSeconds: 25 },
    });
    const summary = await runner.run();
    expect(summary.trials).toBe(3);
    expect(summary.simulatedSeconds).toBe(30);
  });

  it('negates the signal into the score when minimizing', async () => {
    const evaluator = new ToyEvaluator();
    Object.assign(evaluator, { direction: 'minimize' });
    const { runner } = await setup([s(3, 3), s(0, 1)], { evaluator });
    const summary = await runner.run();
    expect(summary.best?.key).toBe('01');
    expect(summary.best?.score).toBe(-1);
  });

  it('reuses the stored result for a duplicate proposal instead of evaluating again', async () => {
    const { runner, storage, strategy, experimentId } = await setup([s(1, 1), s(2, 2), s(1, 1)]);
    const summary = await runner.run();
    expect(summary.trials).toBe(2);
    expect(summary.duplicates).toBe(1);
    expect((await storage.trials(experimentId)).length).toBe(2);
    expect(strategy.told.map((t) => t.key)).toEqual(['11', '22', '11']);
    expect(strategy.told[2]?.id).toBe(strategy.told[0]?.id);
  });

  it("evaluates duplicates again under duplicates: 'evaluate'", async () => {
    const { runner, storage, experimentId } = await setup([s(1, 1), s(1, 1)], { duplicates: 'evaluate' });
    await runner.run();
    expect((await storage.trials(experimentId)).length).toBe(2);
  });

  it('stops as exhausted when the strategy keeps proposing known architectures', async () => {
    const script = [s(1, 1), ...Array.from({ length: 20 }, () => s(1, 1))];
    const { runner } = await setup(script, { maxConsecutiveDuplicates: 5 });
    const summary = await runner.run();
    expect(summary.stopReason).toBe('exhausted');
    expect(summary.duplicates).toBe(5);
  });

  it('records an invalid architecture with the invalid reward and goes on', async () => {
    const evaluator = new ToyEvaluator((x) =>
      x.a === 0 ? new InvalidArchitectureError('no row') : { metrics: { value: 7 }, cost: 1 },
    );
    const { runner, storage, strategy, experimentId } = await setup([s(0, 1), s(1, 1)], {
      evaluator,
      invalidReward: -3,
    });
    await runner.run();
    const [bad, good] = await storage.trials(experimentId);
    expect(bad?.state).toBe('invalid');
    expect(bad?.score).toBe(-3);
    expect(bad?.error?.code).toBe('E_INVALID_ARCH');
    expect(good?.state).toBe('complete');
    expect(strategy.told.map((t) => t.score)).toEqual([-3, 7]);
  });

  it('gives an invalid architecture the worst score so far by default', async () => {
    const evaluator = new ToyEvaluator((x) =>
      x.a === 0 ? new InvalidArchitectureError('no row') : { metrics: { value: Number(x.b) }, cost: 1 },
    );
    const { runner, strategy } = await setup([s(1, 3), s(1, 2), s(0, 0)], { evaluator });
    await runner.run();
    expect(strategy.told.map((t) => t.score)).toEqual([3, 2, 2]);
  });

  it('treats a proposal outside the space as an invalid trial', async () => {
    const { runner, storage, experimentId } = await setup([{ a: 9, b: 0 }], { invalidReward: 0 });
    await runner.run();
    const [t] = await storage.trials(experimentId);
    expect(t?.state).toBe('invalid');
    expect(t?.error?.message).toContain('decision "a" has 9');
  });

  it('marks a failing trial failed and continues; a FatalError stops the search', async () => {
    const failing = new ToyEvaluator((x) =>
      x.a === 1 ? new TrialFailedError('boom') : { metrics: { value: 1 } },
    );
    const one = await setup([s(1, 0), s(2, 0)], { evaluator: failing });
    const summary = await one.runner.run();
    expect(summary.trials).toBe(2);
    const states = (await one.storage.trials(one.experimentId)).map((t) => t.state);
    expect(states).toEqual(['failed', 'complete']);
    expect(one.strategy.told[0]?.score).toBeUndefined();

    const fatal = new ToyEvaluator(() => new FatalError('disk gone'));
    const two = await setup([s(1, 0), s(2, 0)], { evaluator: fatal });
    await expect(two.runner.run()).rejects.toThrow('disk gone');
    expect((await two.storage.experiment(two.experimentId)).state).toBe('failed');
  });

  it("refuses a strategy that answers 'wait' with nothing running", async () => {
    const { runner } = await setup(['wait']);
    await expect(runner.run()).rejects.toThrow("answered 'wait' while no trial is running");
  });

  it('keeps at most `concurrency` evaluations in flight', async () => {
    const evaluator = new ToyEvaluator(undefined, 5);
    const script = Array.from({ length: 8 }, (_, i) => s(i % 4, Math.floor(i / 4)));
    const { runner } = await setup(script, { evaluator, concurrency: 3 });
    const summary = await runner.run();
    expect(summary.trials).toBe(8);
    expect(evaluator.maxRunning).toBe(3);
  });

  it('resumes: re-runs trials left running, keeps finished ones, restores the strategy', async () => {
    const storage = new MemoryStorage();
    const exp = await storage.createExperiment('t', {});
    const first = await storage.createTrial(exp.id, { sample: s(1, 1), key: '11' });
    await storage.finish(first.id, { state: 'complete', metrics: { value: 2 }, score: 2, cost: 10 });
    await storage.createTrial(exp.id, { sample: s(2, 2), key: '22' });
    await storage.saveStrategyState(exp.id, { strategy: 'scripted', version: 1, data: { i: 2 } });
    const strategy = new ScriptedStrategy([s(1, 1), s(2, 2), s(3, 3)]);
    const evaluator = new ToyEvaluator();
    const summary = await new Runner({
      experimentId: exp.id,
      storage,
      space: toySpace,
      strategy,
      evaluator,
      budget: { trials: 10 },
    }).run();
    const trials = await storage.trials(exp.id);
    expect(trials.map((t) => [t.key, t.state])).toEqual([
      ['11', 'complete'],
      ['22', 'complete'],
      ['33', 'complete'],
    ]);
    expect(strategy.told.map((t) => t.key)).toEqual(['22', '33']);
    expect(summary.simulatedSeconds).toBe(30);
    expect(summary.best?.key).toBe('33');
  });

  it('after a stop request, records nothing more and puts trials in flight back in the queue', async () => {
    const stop = new AbortController();
    const evaluator = new ToyEvaluator(undefined, 5);
    const script = [s(0, 0), s(0, 1), s(0, 2), s(0, 3), s(1, 0)];
    const { runner, storage, strategy, experimentId } = await setup(script, {
      evaluator,
      concurrency: 2,
      signal: stop.signal,
      reporters: [{ onTrialEnd: (t) => void (t.key === '00' && stop.abort()) }],
    });
    const summary = await runner.run();
    expect(summary.stopReason).toBe('aborted');
    const trials = await storage.trials(experimentId);
    expect(trials.map((t) => [t.key, t.state])).toEqual([
      ['00', 'complete'],
      ['01', 'queued'],
    ]);
    expect(strategy.told.map((t) => t.key)).toEqual(['00']);
    expect((await storage.experiment(experimentId)).state).toBe('interrupted');
  });

  it('sends events to reporters in order', async () => {
    const events: string[] = [];
    const reporter: Reporter = {
      onExperimentStart: (_e, info) => events.push(`start ${info.signal} ${info.resumed}`),
      onTrialStart: (t) => events.push(`trial ${t.key}`),
      onTrialEnd: (t, p: Progress) => events.push(`end ${t.key} ${p.trials} ${p.best?.key}`),
      onDuplicate: (t) => events.push(`dup ${t.key}`),
      onExperimentEnd: (sum) => events.push(`done ${sum.stopReason}`),
    };
    const { runner } = await setup([s(0, 1), s(0, 1), s(2, 2)], {
      reporters: [reporter],
      budget: { trials: 2 },
    });
    await runner.run();
    expect(events).toEqual([
      'start value false',
      'trial 01',
      'end 01 1 01',
      'dup 01',
      'trial 22',
      'end 22 2 22',
      'done budget',
    ]);
  });
});
