import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Rng } from '../src/core/rng.js';
import type { SearchSpace } from '../src/core/space.js';
import type { Strategy, StrategyContext } from '../src/core/strategy.js';
import type { Proposal, StrategyState, TrialRecord } from '../src/core/types.js';
import { runBench } from '../src/runner/bench.js';
import { parseExperimentConfig } from '../src/runner/config.js';
import { resumeExperiment, startExperiment } from '../src/runner/experiment.js';
import { randomSample, mutate } from '../src/space/walk.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { defineStrategy } from '../src/strategy/define.js';
import { registerStrategy, strategyNames } from '../src/strategy/registry.js';

/**
 * A strategy that exists only in this file: greedy local search (mutate the best so far, or a random
 * walk while nothing is known). Registering it is the only step: run, resume and bench reach it through
 * the registry with no other edit anywhere.
 */
class GreedyWalk implements Strategy {
  readonly name = 'test-greedy-walk';
  private best: { sample: TrialRecord['sample']; score: number } | undefined;

  constructor(
    private readonly space: SearchSpace<unknown>,
    private readonly rng: Rng,
    private readonly explore: number,
  ) {}

  ask(_ctx: StrategyContext): Promise<Proposal> {
    const fresh = this.best === undefined || this.rng.float() < this.explore;
    const sample = fresh
      ? randomSample(this.space, this.rng)
      : mutate(this.space, this.best!.sample, this.rng);
    return Promise.resolve({ kind: 'trial', sample });
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    if (trial.score !== undefined && (this.best === undefined || trial.score > this.best.score)) {
      this.best = { sample: trial.sample, score: trial.score };
    }
    return Promise.resolve();
  }

  state(): StrategyState {
    return { strategy: this.name, version: 1, data: { rng: this.rng.state(), best: this.best ?? null } };
  }

  restore(state: StrategyState): void {
    const data = state.data as { rng: ReturnType<Rng['state']>; best: GreedyWalk['best'] | null };
    this.rng.setState(data.rng);
    this.best = data.best ?? undefined;
  }
}

registerStrategy(
  defineStrategy({
    name: 'test-greedy-walk',
    description: 'greedy local search, defined in a test',
    options: z.strictObject({ explore: z.number().min(0).max(1).default(0.2) }),
    create: ({ space, options, rng }) => new GreedyWalk(space, rng, options.explore),
  }),
);

const dir = mkdtempSync(join(tmpdir(), 'naslab-extension-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (trials: number) =>
  parseExperimentConfig(
    { strategy: { name: 'test-greedy-walk', options: { explore: 0.3 } }, seed: 5, budget: { trials } },
    'test',
  );

const view = (t: TrialRecord) => `${t.number}:${t.key}:${t.state}:${t.score}`;

describe('a strategy registered from outside the tree', () => {
  it('is listed with the built-in ones', () => {
    expect(strategyNames()).toContain('test-greedy-walk');
  });

  it('runs, and a resumed run equals the uninterrupted one', async () => {
    const whole = SqliteStorage.open(join(dir, 'whole.db'));
    const summary = await startExperiment(config(40), whole);
    const expected = (await whole.trials(summary.experimentId)).map(view);
    await whole.close();
    expect(expected).toHaveLength(40);

    const cut = SqliteStorage.open(join(dir, 'cut.db'));
    const stop = new AbortController();
    let finished = 0;
    const first = await startExperiment(config(40), cut, {
      signal: stop.signal,
      reporters: [{ onTrialEnd: () => void (++finished === 15 && stop.abort()) }],
    });
    expect(first.stopReason).not.toBe('budget');
    await cut.close();
    const reopened = SqliteStorage.open(join(dir, 'cut.db'));
    await resumeExperiment(first.experimentId, reopened);
    expect((await reopened.trials(first.experimentId)).map(view)).toEqual(expected);
    await reopened.close();
  });

  it('runs under bench, and summarises its runs', async () => {
    const result = await runBench({
      benchmark: 'nb201',
      strategy: 'test-greedy-walk',
      options: { explore: 0.3 },
      runs: 3,
      budget: { trials: 30 },
    });
    expect(result.strategy).toBe('test-greedy-walk');
    expect(result.evaluationsPerRun.mean).toBe(30);
    expect(result.metrics['valid_acc_200ep']?.n).toBe(3);
  });
});
