import { Rng } from '../core/rng.js';
import { type Dataset, subset } from './dataset.js';

export interface SplitOptions {
  /** Fractions of the samples for validation and test; the rest is training data. */
  readonly valid: number;
  readonly test: number;
  readonly seed: number;
  /** Keep each class's share the same in every split (default true). */
  readonly stratify?: boolean;
}

export interface SplitIndices {
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;
}

/**
 * Divides `total` among groups in proportion to their sizes so the parts add up exactly (largest
 * remainder): per-class rounding alone would make the split sizes drift from the fractions asked for.
 */
function apportion(total: number, sizes: readonly number[], capacity: readonly number[]): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (total * s) / sum);
  const parts = exact.map((e, g) => Math.min(Math.floor(e), capacity[g] as number));
  let left = total - parts.reduce((a, b) => a + b, 0);
  // Ties go to the lower group index, so the result is a pure function of the inputs.
  const order = exact
    .map((e, g) => g)
    .sort((a, b) => {
      const ra = (exact[a] as number) - Math.floor(exact[a] as number);
      const rb = (exact[b] as number) - Math.floor(exact[b] as number);
      return rb - ra || a - b;
    });
  while (left > 0) {
    let gave = false;
    for (const g of order) {
      if (left === 0) break;
      if ((parts[g] as number) < (capacity[g] as number)) {
        parts[g] = (parts[g] as number) + 1;
        left--;
        gave = true;
      }
    }
    if (!gave) break;
  }
  return parts;
}

function sorted(indices: number[]): Int32Array {
  return Int32Array.from(indices).sort();
}

/**
 * Seeded train/validation/test indices. The split sizes are round(n x fraction) exactly; with
 * `stratify` each class is shuffled on its own and contributes its share to every split.
 */
export function splitIndices(labels: Int32Array, options: SplitOptions): SplitIndices {
  const { valid, test } = options;
  if (!(valid >= 0 && test >= 0 && valid + test < 1)) {
    throw new RangeError(
      `split fractions valid=${valid}, test=${test} must be >= 0 and add up to less than 1`,
    );
  }
  const n = labels.length;
  const nTest = Math.round(n * test);
  const nValid = Math.round(n * valid);
  const rng = Rng.derive(options.seed, 'data-split');
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = options.stratify === false ? 0 : (labels[i] as number);
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(i);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const members = keys.map((k) => rng.shuffle(groups.get(k) as number[]));
  const sizes = members.map((m) => m.length);
  const testParts = apportion(nTest, sizes, sizes);
  const validParts = apportion(
    nValid,
    sizes,
    sizes.map((s, g) => s - (testParts[g] as number)),
  );
  const out = { train: [] as number[], valid: [] as number[], test: [] as number[] };
  members.forEach((m, g) => {
    const t = testParts[g] as number;
    const v = validParts[g] as number;
    out.test.push(...m.slice(0, t));
    out.valid.push(...m.slice(t, t + v));
    out.train.push(...m.slice(t + v));
  });
  return { train: sorted(out.train), valid: sorted(out.valid), test: sorted(out.test) };
}

export interface Splits {
  readonly train: Dataset;
  readonly valid: Dataset;
  readonly test: Dataset;
}

/** Splits one dataset three ways (see splitIndices). */
export function splitDataset(data: Dataset, options: SplitOptions): Splits {
  const idx = splitIndices(data.y, options);
  return {
    train: subset(data, idx.train, `${data.source} (train)`),
    valid: subset(data, idx.valid, `${data.source} (valid)`),
    test: subset(data, idx.test, `${data.source} (test)`),
  };
}
