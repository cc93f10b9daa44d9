import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../src/core/types.js';
import { exportModel } from '../src/export/index.js';
import { parseExperimentConfig } from '../src/runner/config.js';
import { resumeExperiment, startExperiment } from '../src/runner/experiment.js';
import { SqliteStorage } from '../src/storage/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-eas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A tiny EAS run on 10% of the bundled Fashion-MNIST subset (240 training images, 600 validation):
 * the start network trains 1 epoch from scratch, then episodes of 2 children, 2 transformations each,
 * 1 epoch from their parent's weights.
 */
const CONFIG = {
  name: 'eas-test',
  seed: 3,
  space: {
    type: 'morph',
    base: { type: 'chain', input: [1, 28, 28], classes: 10, convFilters: [8], fcSizes: [16] },
    start: 'C(8,3,1)-P(max,2,2)-FC(16)-T',
    widths: [8, 12, 16],
  },
  evaluator: { type: 'train', data: { type: 'fashion-mnist' }, epochs: 1, dataFraction: 0.1, workers: 0 },
  strategy: { name: 'eas', options: { children: 2, steps: 2, baseEpochs: 1, hidden: 8 } },
  budget: { trials: 5 },
};

const view = (t: TrialRecord) => [t.number, t.key, t.state, t.score, t.metrics['inherited_acc']];

async function run(db: string, stopAfter?: number): Promise<readonly TrialRecord[]> {
  const storage = SqliteStorage.open(db);
  try {
    const stop = new AbortController();
    let finished = 0;
    await startExperiment(parseExperimentConfig(CONFIG, 'test'), storage, {
      signal: stop.signal,
      reporters: [{ onTrialEnd: () => void (++finished === stopAfter && stop.abort()) }],
    });
    return await storage.trials('1');
  } finally {
    await storage.close();
  }
}

describe('eas end to end', () => {
  const whole = join(dir, 'whole.db');

  it('grows children from their parent weights: before training they score what the parent scored', async () => {
    const trials = await run(whole);
    expect(trials.map((t) => t.state)).toEqual(['complete', 'complete', 'complete', 'complete', 'complete']);
    const [start, ...children] = trials;
    expect(start!.key).toBe('C(8,3,1)-P(max,2,2)-FC(16)-T');
    expect(start!.metrics['inherited_acc']).toBeUndefined();
    // Episode 1 grows from the start network, episode 2 from the best of the first three trials.
    const best = [...trials.slice(0, 3)].sort((a, b) => b.score! - a.score! || a.number - b.number)[0]!;
    for (const [i, child] of children.entries()) {
      const parent = i < 2 ? start! : best;
      expect(child.key.startsWith(parent.key === start!.key ? `${start!.key} + ` : `${parent.key} + `)).toBe(
        true,
      );
      expect(child.key.split(' + ').length - parent.key.split(' + ').length).toBe(2);
      // Function preservation: the inherited weights give the parent's validation accuracy (600 samples;
      // a float rounding may flip at most one prediction).
      expect(Math.abs(child.metrics['inherited_acc']! - parent.metrics['valid_acc']!)).toBeLessThanOrEqual(
        1 / 600 + 1e-9,
      );
      expect(child.metrics['valid_acc']).toBeGreaterThan(0.1);
    }
  }, 480_000);

  it('resumes exactly: a run stopped after 3 trials and resumed equals the uninterrupted one', async () => {
    const cut = join(dir, 'cut.db');
    const partial = await run(cut, 3);
    expect(partial.length).toBeLessThan(5);
    const storage = SqliteStorage.open(cut);
    await resumeExperiment('1', storage);
    const resumed = await storage.trials('1');
    await storage.close();
    const storageWhole = SqliteStorage.open(whole);
    const reference = await storageWhole.trials('1');
    await storageWhole.close();
    expect(resumed.map(view)).toEqual(reference.map(view));
  }, 480_000);

  it('exports the best network: export rebuilds it from the stored sample and retrains it', async () => {
    const storage = SqliteStorage.open(whole);
    try {
      const out = join(dir, 'model');
      const result = await exportModel(storage, { experimentId: '1', out, retrainEpochs: 1 });
      expect(result.status).toBe('written');
      const description = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      const trials = await storage.trials('1');
      const best = [...trials].sort((a, b) => b.score! - a.score! || a.number - b.number)[0]!;
      expect(JSON.stringify(description)).toContain(best.key);
    } finally {
      await storage.close();
    }
  }, 480_000);
});
