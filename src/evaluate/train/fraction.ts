import { ConfigError } from '../../core/errors.js';
import { hashString } from '../../core/rng.js';
import { subset, type Dataset } from '../../data/dataset.js';
import { splitIndices } from '../../data/split.js';

/**
 * A seeded, stratified share of `data` (each class keeps its proportion), for proxy training. The
 * whole dataset when `fraction` is 1. The draw's stream is derived from the seed and a label of its
 * own, so it is independent of the data section's train/validation split even with the same seed.
 */
export function trainingFraction(data: Dataset, fraction: number, seed: number): Dataset {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new RangeError(`dataFraction must be in (0, 1], found ${fraction}`);
  }
  if (fraction === 1) return data;
  // splitIndices' "valid" part is the share left out; its train part is what we keep.
  const kept = splitIndices(data.y, {
    valid: 1 - fraction,
    test: 0,
    seed: (seed ^ hashString('train-fraction')) >>> 0,
  }).train;
  if (kept.length === 0) {
    throw new ConfigError(
      `evaluator.dataFraction ${fraction} of the ${data.count} training samples keeps none; raise it`,
    );
  }
  return subset(data, kept, `${data.source} (${Math.round(fraction * 100)}%)`);
}
