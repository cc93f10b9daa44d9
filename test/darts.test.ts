import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../src/core/types.js';
import { DARTS_PHASES } from '../src/evaluate/darts/index.js';
import { parseExperimentConfig } from '../src/runner/config.js';
import { resumeExperiment, startExperiment } from '../src/runner/experiment.js';
import { CellSpace } from '../src/space/cell.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { SqliteStorage } from '../src/storage/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-darts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A few seconds of DARTS on the bundled Fashion-MNIST subset: a small cell, 2 epochs of 8 steps. */
const space = {
  type: 'cell',
  input: [1, 28, 28],
  classes: 10,
  blocks: 2,
  channels: 4,
  ops: ['identity', 'sepconv3x3', 'maxpool3x3'],
} as const;
const config = {
  seed: 3,
  space,
  evaluator: {
    type: 'darts',
    data: { type: 'fashion-mnist' },
    batchSize: 32,
    trainBatches: 8,
    retrain: { epochs: 1, batchSize: 32, lr: 0.01 },
  },
  strategy: { name: 'darts', options: { epochs: 2, archLr: 0.05 } },
  budget: { trials: 100 },
};

/** A trial without its timings (the only thing a resumed run may change). */
const view = (t: TrialRecord) => {
  const { seconds: _s, train_seconds: _t, ...metrics } = t.metrics;
  return [t.number, t.key, t.state, metrics];
};

describe('darts configuration', () => {
  it('pairs strategy darts with evaluator darts over a cell space, and says so otherwise', async () => {
    const storage = new MemoryStorage();
    const train = { type: 'train', data: { type: 'fashion-mnist' } };
    await expect(
      startExperiment(parseExperimentConfig({ ...config, evaluator: train }, 'test'), storage),
    ).rejects.toThrow(/strategy darts needs evaluator: \{ type: darts/);
    await expect(
      startExperiment(parseExperimentConfig({ ...config, strategy: 'random' }, 'test'), storage),
    ).rejects.toThrow(/evaluator darts needs strategy darts/);
    const chain = { type: 'chain', input: [1, 28, 28], classes: 10 };
    await expect(
      startExperiment(parseExperimentConfig({ ...config, space: chain }, 'test'), storage),
    ).rejects.toThrow(/evaluator darts relaxes the cell space/);
  });
});

describe('darts end to end', () => {
  it('searches two epochs, then retrains the discretised cell with the train evaluator', async () => {
    const storage = new MemoryStorage();
    const summary = await startExperiment(parseExperimentConfig(config, 'test'), storage);
    expect(summary.stopReason).toBe('done');
    const trials = await storage.trials(summary.experimentId);
    for (const t of trials) expect(t.state, t.error?.message).toBe('complete');
    expect(trials.map((t) => t.metrics.darts_phase)).toEqual([0, 0, 1]);
    const [first, second, retrained] = trials as [TrialRecord, TrialRecord, TrialRecord];
    expect([first.metrics.epoch, second.metrics.epoch]).toEqual([1, 2]);
    for (const t of [first, second]) {
      expect(t.metrics.train_loss).toBeGreaterThan(0);
      expect(t.metrics.valid_acc).toBeGreaterThan(0);
      // The architecture weights moved away from uniform: log(4 ops) = 1.386 at the start.
      expect(t.metrics.alpha_entropy).toBeLessThan(Math.log(4));
      expect((await storage.reports(t.id)).length).toBeGreaterThan(0);
    }
    expect(second.metrics.alpha_entropy).toBeLessThan(first.metrics.alpha_entropy as number);
    // The retrained architecture is an ordinary cell-space sample whose key the space accepts.
    const cell = new CellSpace(space);
    expect(cell.key(retrained.sample)).toBe(retrained.key);
    expect(cell.sampleFromKey(retrained.key)).toBeDefined();
    expect(retrained.metrics.darts_phase).toBe(DARTS_PHASES.retrain);
    expect(retrained.metrics.test_acc).toBeGreaterThan(0.3); // 10 classes: chance is 0.1
    expect((await storage.experiment(summary.experimentId)).name).toBe('cell-darts-darts');
  }, 720_000);

  it('stopped mid-epoch and resumed, ends with the same trials as an uninterrupted run', async () => {
    // One block per cell keeps the three runs' session builds short.
    const options = { ...config.strategy.options, retrain: false };
    const small = { ...config, space: { ...space, blocks: 1 }, strategy: { name: 'darts', options } };
    const parsed = parseExperimentConfig(small, 'test');
    const whole = SqliteStorage.open(join(dir, 'whole.db'));
    const reference = await startExperiment(parsed, whole);
    const expected = (await whole.trials(reference.experimentId)).map(view);
    await whole.close();

    const path = join(dir, 'stopped.db');
    const stopped = SqliteStorage.open(path);
    const stop = new AbortController();
    // Stop during epoch 2: it is left unfinished, and resume runs it again from the saved state.
    const first = await startExperiment(parsed, stopped, {
      signal: stop.signal,
      reporters: [{ onTrialReport: (t) => (t.number === 1 ? stop.abort() : undefined) }],
    });
    expect(first.stopReason).toBe('aborted');
    await stopped.close();
    const reopened = SqliteStorage.open(path);
    const resumed = await resumeExperiment(first.experimentId, reopened);
    expect(resumed.stopReason).toBe('done');
    expect((await reopened.trials(first.experimentId)).map(view)).toEqual(expected);
    await reopened.close();
  }, 960_000);
});
