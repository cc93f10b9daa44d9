import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../src/core/types.js';
import { ENAS_PHASES } from '../src/evaluate/enas/index.js';
import { parseExperimentConfig } from '../src/runner/config.js';
import { resumeExperiment, startExperiment } from '../src/runner/experiment.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { SqliteStorage } from '../src/storage/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-enas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A few seconds of ENAS on the bundled Fashion-MNIST subset: 3 epochs of 6 batches, 3 candidates. */
const config = {
  seed: 4,
  space: { type: 'macro', input: [1, 28, 28], classes: 10, layers: 3, channels: 4, reductions: [0, 1] },
  evaluator: {
    type: 'enas',
    data: { type: 'fashion-mnist' },
    batchSize: 32,
    trainBatches: 6,
    rewardBatch: 64,
    rankSamples: 200,
    retrain: { epochs: 1, batchSize: 32, lr: 0.01 },
  },
  strategy: {
    name: 'enas',
    options: { epochs: 3, controllerSteps: 2, controllerBatch: 3, candidates: 3, hidden: 16 },
  },
  budget: { trials: 100 },
};

/** A trial without its timings (the only thing a resumed run may change). */
const view = (t: TrialRecord) => {
  const { seconds: _s, train_seconds: _t, ...metrics } = t.metrics;
  return [t.number, t.key, t.state, metrics];
};

describe('enas end to end', () => {
  it('runs epochs, ranks candidates with the shared weights and retrains the best from scratch', async () => {
    const storage = new MemoryStorage();
    const summary = await startExperiment(parseExperimentConfig(config, 'test'), storage);
    expect(summary.stopReason).toBe('done');
    const trials = await storage.trials(summary.experimentId);
    expect(trials.map((t) => t.metrics.enas_phase)).toEqual([0, 0, 0, 1, 1, 1, 2]);
    for (const t of trials) expect(t.state, t.error?.message).toBe('complete');
    const epochs = trials.slice(0, 3);
    expect(epochs.map((t) => t.metrics.epoch)).toEqual([1, 2, 3]);
    for (const t of epochs) {
      expect(t.metrics.train_loss).toBeGreaterThan(0);
      expect(t.metrics.reward).toBeGreaterThanOrEqual(0);
      expect(await storage.reports(t.id)).toHaveLength(2);
    }
    const candidates = trials.slice(3, 6);
    expect(new Set(candidates.map((t) => t.key)).size).toBe(3);
    const best = candidates.reduce((a, b) => ((b.score ?? 0) > (a.score ?? 0) ? b : a));
    const retrained = trials[6] as TrialRecord;
    expect(retrained.key).toBe(best.key);
    expect(retrained.metrics.test_acc).toBeGreaterThan(0.3); // 10 classes: chance is 0.1
    expect(retrained.metrics.enas_phase).toBe(ENAS_PHASES.retrain);
    expect((await storage.experiment(summary.experimentId)).name).toBe('macro-enas-enas');
  }, 480_000);

  it('stopped mid-run and resumed, ends with the same trials as an uninterrupted run', async () => {
    const options = { ...config.strategy.options, epochs: 2, candidates: 2, retrain: false };
    const parsed = parseExperimentConfig({ ...config, strategy: { name: 'enas', options } }, 'test');
    const whole = SqliteStorage.open(join(dir, 'whole.db'));
    const reference = await startExperiment(parsed, whole);
    const expected = (await whole.trials(reference.experimentId)).map(view);
    await whole.close();

    const path = join(dir, 'stopped.db');
    const stopped = SqliteStorage.open(path);
    const stop = new AbortController();
    // Stop while epoch 2 trains: it is left unfinished, and resume runs it again from the saved state.
    const first = await startExperiment(parsed, stopped, {
      signal: stop.signal,
      reporters: [{ onTrialReport: (t, step) => (t.number === 1 && step === 1 ? stop.abort() : undefined) }],
    });
    expect(first.stopReason).toBe('aborted');
    expect((await stopped.trials(first.experimentId)).filter((t) => t.state === 'complete')).toHaveLength(1);
    await stopped.close();

    const reopened = SqliteStorage.open(path);
    const resumed = await resumeExperiment(first.experimentId, reopened);
    expect(resumed.stopReason).toBe('done');
    expect((await reopened.trials(first.experimentId)).map(view)).toEqual(expected);
    await reopened.close();
  }, 720_000);

  it('refuses strategy enas without its evaluator, and the enas evaluator with another strategy', async () => {
    const storage = new MemoryStorage();
    const chain = { ...config, evaluator: { type: 'benchmark' }, space: undefined };
    await expect(startExperiment(parseExperimentConfig(chain, 'test'), storage)).rejects.toThrow(
      /strategy enas needs evaluator/,
    );
    const random = { ...config, strategy: 'random' };
    await expect(startExperiment(parseExperimentConfig(random, 'test'), storage)).rejects.toThrow(
      /evaluator enas needs strategy enas/,
    );
  }, 240_000);
});
