import { type Dataset, sampleSize } from './dataset.js';
import type { Splits } from './split.js';

/**
 * Per-channel standardisation: x' = (raw x inputScale - mean[c]) / std[c]. Channels are the first axis
 * of an image sample [C, H, W]; for a tabular sample [F] every feature is its own channel. Stored with
 * an experiment so an exported model can say what its input expects.
 */
export interface Normalization {
  readonly inputScale: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Below this a channel is constant: dividing by its std would blow noise up, so it is only centred. */
const MIN_STD = 1e-6;

function layout(shape: readonly number[]): { channels: number; spatial: number } {
  const channels = shape[0] as number;
  return { channels, spatial: sampleSize(shape) / channels };
}

/** Mean and (population) std of each channel, in float64 with two passes for accuracy. */
export function computeNormalization(data: Dataset): Normalization {
  const { channels, spatial } = layout(data.shape);
  const size = channels * spatial;
  if (data.count === 0) throw new RangeError(`${data.source}: cannot compute statistics of an empty dataset`);
  const n = data.count * spatial;
  const sums = new Float64Array(channels);
  for (let i = 0; i < data.count; i++) {
    for (let c = 0; c < channels; c++) {
      const start = i * size + c * spatial;
      let sum = 0;
      for (let k = start; k < start + spatial; k++) sum += data.x[k] as number;
      sums[c] = (sums[c] as number) + sum;
    }
  }
  const mean = Array.from(sums, (s) => s / n);
  const squares = new Float64Array(channels);
  for (let i = 0; i < data.count; i++) {
    for (let c = 0; c < channels; c++) {
      const m = mean[c] as number;
      const start = i * size + c * spatial;
      let sum = 0;
      for (let k = start; k < start + spatial; k++) {
        const d = (data.x[k] as number) - m;
        sum += d * d;
      }
      squares[c] = (squares[c] as number) + sum;
    }
  }
  const std = Array.from(squares, (s) => {
    const sd = Math.sqrt(s / n);
    return sd < MIN_STD ? 1 : sd;
  });
  return { inputScale: data.inputScale, mean, std };
}

/**
 * The dataset standardised with given statistics: into a new array, or with `inPlace` into its own
 * (the full Fashion-MNIST is 188 MB of floats: a loader that owns its splits need not copy them again).
 */
export function applyNormalization(data: Dataset, norm: Normalization, inPlace = false): Dataset {
  const { channels, spatial } = layout(data.shape);
  if (norm.mean.length !== channels || norm.std.length !== channels) {
    throw new RangeError(
      `${data.source}: normalisation has ${norm.mean.length} channels, the data ${channels}`,
    );
  }
  const x = inPlace ? data.x : new Float32Array(data.x.length);
  const size = channels * spatial;
  for (let start = 0; start < x.length; start += size) {
    for (let c = 0; c < channels; c++) {
      const m = norm.mean[c] as number;
      const s = norm.std[c] as number;
      const from = start + c * spatial;
      for (let k = from; k < from + spatial; k++) x[k] = ((data.x[k] as number) - m) / s;
    }
  }
  return { ...data, x };
}

/**
 * Statistics from the training split only, applied to all three: computing them on validation or
 * test data would leak those samples into training.
 */
export function normalizeSplits(
  splits: Splits,
  inPlace = false,
): Splits & { readonly normalization: Normalization } {
  const normalization = computeNormalization(splits.train);
  return {
    train: applyNormalization(splits.train, normalization, inPlace),
    valid: applyNormalization(splits.valid, normalization, inPlace),
    test: applyNormalization(splits.test, normalization, inPlace),
    normalization,
  };
}
