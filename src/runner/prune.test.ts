import { describe, expect, it } from 'vitest';
import type { Evaluation, Evaluator, TrialHandle } from '../core/evaluator.js';
import type { Storage } from '../core/storage.js';
import type { TrialRecord } from '../core/types.js';
import { prunerConfigSchema } from '../prune/config.js';
import { createPruning } from '../prune/registry.js';
import { declaredSpaceFromConfig } from '../space/declared.js';
import { MemoryStorage } from '../storage/memory.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { createStrategy } from '../strategy/registry.js';
import type { Reporter } from './reporter.js';
import { Runner } from './runner.js';

const STEPS = 9;
/**
 * Final quality of the 16 architectures, in the grid's order (trial number = 4a + b). With the median
 * rule (3 startup trials, judged from step 3) the reference median after each completion is worked out
 * by hand below: trials 3, 5, 8, 10, 12, 14 and 15 fall under it.
 */
const QUALITY = [0.5, 0.7, 0.6, 0.2, 0.8, 0.3, 0.66, 0.9, 0.1, 0.75, 0.4, 0.85, 0.55, 0.95, 0.35, 0.72];
const MEDIAN_PRUNED = [3, 5, 8, 10, 12, 14, 15];

const space = declaredSpaceFromConfig(
  'toy',
  [
    { name: 'a', choices: [0, 1, 2, 3] },
    { name: 'b', choices: [0, 1, 2, 3] },
  ],
  'test',
);

/**
 * Trains for STEPS steps along q * (1 - 0.7^t), reporting each; like the train evaluator it asks
 * shouldStop() before every step after the first, and returns what it reached.
 */
class CurveEvaluator implements Evaluator {
  readonly signal = 'acc';
  readonly direction = 'maximize' as const;
  steps = 0;
  async evaluate(_arch: unknown, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    const q = QUALITY[Number(trial.sample['a']) * 4 + Number(trial.sample['b'])]!;
    let acc = 0;
    let t = 0;
    while (t < STEPS && !(t > 0 && trial.shouldStop()) && !signal.aborted) {
      t++;
      this.steps++;
      acc = q * (1 - 0.7 ** t);
      await trial.report(t, { acc, loss: 1 - acc });
    }
    return { metrics: { acc, steps: t }, cost: t };
  }
}

interface Run {
  readonly trials: readonly TrialRecord[];
  readonly steps: number;
}

async function search(
  pruner: unknown,
  options: { storage?: Storage; experimentId?: string; reporters?: Reporter[]; signal?: AbortSignal } = {},
): Promise<Run & { storage: Storage; experimentId: string }> {
  const storage = options.storage ?? new MemoryStorage();
  const experimentId = options.experimentId ?? (await storage.createExperiment('t', {})).id;
  const evaluator = new CurveEvaluator();
  const config = pruner === undefined ? undefined : prunerConfigSchema.parse(pruner);
  await new Runner({
    experimentId,
    storage,
    space,
    strategy: createStrategy('grid', {}, space, 0),
    evaluator,
    budget: { trials: 100 },
    pruning: createPruning(config, evaluator, { seed: 0 }),
    reporters: options.reporters,
    signal: options.signal,
  }).run();
  return { trials: await storage.trials(experimentId), steps: evaluator.steps, storage, experimentId };
}

const numbersIn = (trials: readonly TrialRecord[], state: string) =>
  trials.filter((t) => t.state === state).map((t) => t.number);

async function reportCounts(storage: Storage, trials: readonly TrialRecord[]): Promise<number[]> {
  return Promise.all(trials.map(async (t) => (await storage.reports(t.id)).length));
}

const MEDIAN = { type: 'median', startupTrials: 3, warmupSteps: 2 };

describe('Runner with a pruner', () => {
  it('stops the bad trials (state pruned, fewer steps, their score kept) and spends fewer steps', async () => {
    const pruned = await search(MEDIAN);
    expect(numbersIn(pruned.trials, 'pruned')).toEqual(MEDIAN_PRUNED);
    expect(pruned.trials.length).toBe(16);
    const counts = await reportCounts(pruned.storage, pruned.trials);
    // Judged first at step 3 (after the warm-up of 2), and stopped right there.
    expect(counts).toEqual(pruned.trials.map((t) => (MEDIAN_PRUNED.includes(t.number) ? 3 : STEPS)));
    const third = pruned.trials[3]!;
    expect(third.score).toBeCloseTo(0.2 * (1 - 0.7 ** 3), 12);
    expect(third.metrics['steps']).toBe(3);
    expect(pruned.steps).toBe(9 * STEPS + 7 * 3);

    const whole = await search(undefined);
    expect(numbersIn(whole.trials, 'complete')).toHaveLength(16);
    expect(whole.steps).toBe(16 * STEPS);
    expect(pruned.steps).toBeLessThan(whole.steps);
  });

  it('watches another report metric, negated when minimized', async () => {
    const run = await search({ ...MEDIAN, metric: 'loss', direction: 'minimize' });
    // loss = 1 - acc: the same ordering, the same verdicts.
    expect(numbersIn(run.trials, 'pruned')).toEqual(MEDIAN_PRUNED);
  });

  it('leaves a trial complete when the verdict came on its last report (nothing left to stop)', async () => {
    const run = await search({ ...MEDIAN, warmupSteps: STEPS - 1 });
    expect(numbersIn(run.trials, 'pruned')).toEqual([]);
    expect(run.steps).toBe(16 * STEPS);
  });

  it('runs successive halving: the stopped trials end at a rung', async () => {
    const run = await search({ type: 'successive-halving', minResource: 1, eta: 3, maxResource: STEPS });
    const counts = await reportCounts(run.storage, run.trials);
    const pruned = run.trials.filter((t) => t.state === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) expect([1, 3]).toContain(counts[t.number]);
    // The first trial is alone at every rung: it always goes on.
    expect(run.trials[0]?.state).toBe('complete');
    expect(run.steps).toBeLessThan(16 * STEPS);
  });

  it('resumed after a stop in the middle of a trial, ends as the uninterrupted search', async () => {
    const view = async (r: Run & { storage: Storage }) => {
      const counts = await reportCounts(r.storage, r.trials);
      return r.trials.map((t) => [t.number, t.key, t.state, t.score, counts[t.number]]);
    };
    const whole = await search(MEDIAN, { storage: SqliteStorage.open(':memory:') });

    // Stopped during trial 9's second step: trials 0-8 are finished, 9 is put back in the queue.
    const storage = SqliteStorage.open(':memory:');
    const stop = new AbortController();
    const first = await search(MEDIAN, {
      storage,
      signal: stop.signal,
      reporters: [{ onTrialReport: (t, step) => void (t.number === 9 && step === 2 && stop.abort()) }],
    });
    expect(first.trials.map((t) => t.state)).toEqual(
      [...Array<string>(9).fill('complete'), 'queued'].map((s, n) =>
        MEDIAN_PRUNED.includes(n) ? 'pruned' : s,
      ),
    );
    // A fresh runner, strategy and pruner: the pruner's state comes back from the stored reports.
    // Without it, trial 10 would meet no completed trials and run to the end.
    const resumed = await search(MEDIAN, { storage, experimentId: first.experimentId });
    expect(await view(resumed)).toEqual(await view(whole));
    expect(numbersIn(resumed.trials, 'pruned')).toEqual(MEDIAN_PRUNED);
  });
});
