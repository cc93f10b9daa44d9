import type { Storage } from '../core/storage.js';
import { parseExperimentConfig } from '../runner/config.js';
import { startExperiment } from '../runner/experiment.js';

/**
 * A small training search for export tests: 3 random chain networks (at most 2 layers, 8 filters),
 * 1 epoch on 10% of the bundled Fashion-MNIST subset's training split (240 images), validation 600,
 * test 1,000. About a second on 2 cores.
 */
export const SMALL_TRAIN_CONFIG = {
  name: 'export-fixture',
  seed: 1,
  space: {
    type: 'chain',
    input: [1, 28, 28],
    classes: 10,
    maxLayers: 2,
    poolKinds: ['max'],
    convFilters: [8],
  },
  evaluator: { type: 'train', data: { type: 'fashion-mnist' }, epochs: 1, dataFraction: 0.1 },
  strategy: 'random',
  budget: { trials: 3 },
};

/** A tabular search (nothing trained): export must refuse it. */
export const TABULAR_CONFIG = {
  name: 'tabular-fixture',
  evaluator: { type: 'benchmark', benchmark: 'nb201' },
  strategy: 'random',
  budget: { trials: 2 },
};

/** Runs a config to its end in `storage` and returns the experiment id. */
export async function runFixture(storage: Storage, config: object): Promise<string> {
  const summary = await startExperiment(parseExperimentConfig(config, 'export fixture'), storage);
  return summary.experimentId;
}
