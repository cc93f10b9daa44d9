import { describe, expect, it } from 'vitest';
import { parseExperimentConfig } from '../src/runner/config.js';
import { resumeExperiment, startExperiment } from '../src/runner/experiment.js';
import { MemoryStorage } from '../src/storage/memory.js';

const config = {
  seed: 3,
  space: {
    type: 'chain',
    input: [1, 28, 28],
    classes: 10,
    maxLayers: 2,
    poolKinds: ['max'],
    convFilters: [8],
  },
  evaluator: { type: 'train', data: { type: 'fashion-mnist' }, epochs: 1, dataFraction: 0.2 },
  strategy: 'random',
  budget: { trials: 3 },
};

describe('a search that trains its candidates', () => {
  it('trains each architecture on ONNX Runtime, records per-epoch reports and the metrics', async () => {
    const storage = new MemoryStorage();
    const summary = await startExperiment(parseExperimentConfig(config, 'test'), storage);
    expect(summary.trials).toBe(3);
    const trials = await storage.trials(summary.experimentId);
    for (const t of trials) {
      expect(t.state).toBe('complete');
      expect(t.metrics.valid_acc).toBeGreaterThan(0.2); // 10 classes: chance is 0.1
      expect(t.metrics.params).toBeGreaterThan(0);
      expect(await storage.reports(t.id)).toHaveLength(1);
    }
    expect(summary.best?.metrics.valid_acc).toBe(Math.max(...trials.map((t) => t.metrics.valid_acc ?? 0)));
    const experiment = await storage.experiment(summary.experimentId);
    expect(experiment.name).toBe('chain-train-random');
    await expect(resumeExperiment(summary.experimentId, storage)).rejects.toThrow('already complete');
  }, 240_000);

  it('refuses a training config without a network space', async () => {
    const bad = parseExperimentConfig({ ...config, space: undefined }, 'test');
    await expect(startExperiment(bad, new MemoryStorage())).rejects.toThrow(
      'training needs a space that builds networks',
    );
  });
});
