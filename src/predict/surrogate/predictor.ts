import { ConfigError } from '../../core/errors.js';

/** A prediction with its uncertainty, in the units of the training targets. */
export interface Prediction {
  readonly mean: number;
  /** Standard deviation of the prediction (the model's uncertainty, not the data's noise). */
  readonly std: number;
}

/**
 * A surrogate from an architecture's feature vector to its accuracy. Every predictor normalises its
 * inputs and targets internally, so callers pass raw encodings and raw accuracies.
 */
export interface Predictor {
  /** Trains from scratch on rows of features and their targets (a second call replaces the first). */
  fit(X: readonly (readonly number[])[], y: readonly number[]): void;
  predict(x: readonly number[]): Prediction;
}

/** Throws a ConfigError naming the problem unless X and y are a non-empty, rectangular, finite dataset. */
export function checkTrainingData(
  X: readonly (readonly number[])[],
  y: readonly number[],
  who: string,
): void {
  if (X.length === 0) throw new ConfigError(`${who}.fit: no training rows; pass at least one`);
  if (X.length !== y.length) {
    throw new ConfigError(`${who}.fit: ${X.length} feature rows but ${y.length} targets; pass one per row`);
  }
  const width = X[0]!.length;
  X.forEach((row, i) => {
    if (row.length !== width) {
      throw new ConfigError(`${who}.fit: row ${i} has ${row.length} features, row 0 has ${width}`);
    }
    if (!row.every(Number.isFinite)) throw new ConfigError(`${who}.fit: row ${i} has a non-finite feature`);
  });
  y.forEach((v, i) => {
    if (!Number.isFinite(v))
      throw new ConfigError(`${who}.fit: target ${i} is ${v}; drop rows without a value`);
  });
}

/** Throws when predict is called before fit or with the wrong width. */
export function checkQuery(x: readonly number[], width: number | undefined, who: string): number {
  if (width === undefined) throw new ConfigError(`${who}.predict: call fit first`);
  if (x.length !== width) {
    throw new ConfigError(`${who}.predict: ${x.length} features, but it was fitted on ${width}`);
  }
  return width;
}

/** Targets standardised to mean 0, std 1, so learning rates and kernel priors suit any accuracy scale. */
export class TargetScale {
  readonly mean: number;
  readonly std: number;

  constructor(y: readonly number[]) {
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    const variance = y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length;
    this.mean = mean;
    // Constant targets: any scale works; 1 keeps predictions exact.
    this.std = variance > 0 ? Math.sqrt(variance) : 1;
  }

  forward(v: number): number {
    return (v - this.mean) / this.std;
  }

  back(prediction: Prediction): Prediction {
    return { mean: prediction.mean * this.std + this.mean, std: prediction.std * this.std };
  }
}

/**
 * Input scaling: 0/1 columns (one-hot and path indicators) are kept as they are, since they already sit
 * on a unit scale and z-scoring would let the rarest indicator dominate distances; any other column
 * (a 12-epoch accuracy, a parameter count) is z-scored so it counts about as much as one indicator
 * flip. Constant columns become 0.
 */
export class FeatureScale {
  private readonly shift: Float64Array;
  private readonly factor: Float64Array;

  constructor(X: readonly (readonly number[])[]) {
    const width = X[0]!.length;
    this.shift = new Float64Array(width);
    this.factor = new Float64Array(width).fill(1);
    for (let c = 0; c < width; c++) {
      let binary = true;
      let sum = 0;
      for (const row of X) {
        const v = row[c]!;
        if (v !== 0 && v !== 1) binary = false;
        sum += v;
      }
      if (binary) continue;
      const mean = sum / X.length;
      let squares = 0;
      for (const row of X) squares += (row[c]! - mean) ** 2;
      const std = Math.sqrt(squares / X.length);
      this.shift[c] = mean;
      this.factor[c] = std > 0 ? 1 / std : 0;
    }
  }

  apply(x: readonly number[]): Float64Array {
    const out = new Float64Array(x.length);
    for (let c = 0; c < x.length; c++) out[c] = (x[c]! - this.shift[c]!) * this.factor[c]!;
    return out;
  }
}
