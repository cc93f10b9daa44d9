import { Rng } from '../../core/rng.js';
import { Nb201Space } from '../../space/nb201.js';
import { randomSample } from '../../space/walk.js';
import { OneHotEncoder } from './encode.js';

/**
 * A seeded synthetic regression over nb201's one-hot encoding: an additive term per (edge, op) plus
 * two pairwise interactions, plus a little noise, in accuracy-like units (around 70, spread ~5).
 */
export function syntheticOneHot(
  trainSize: number,
  testSize: number,
  seed: number,
): { X: number[][]; y: number[]; testX: number[][]; testY: number[] } {
  const rng = new Rng(seed);
  const space = new Nb201Space();
  const encoder = new OneHotEncoder(space);
  const weights = Array.from({ length: encoder.size }, () => rng.normal() * 2);
  const f = (x: readonly number[]): number => {
    let v = 70;
    x.forEach((xi, i) => (v += xi * weights[i]!));
    return v + 4 * x[3]! * x[28]! - 3 * x[8]! * x[13]!;
  };
  const draw = (n: number): { X: number[][]; y: number[] } => {
    const X = Array.from({ length: n }, () => encoder.encode(randomSample(space, rng)));
    return { X, y: X.map((x) => f(x) + 0.1 * rng.normal()) };
  };
  const train = draw(trainSize);
  const test = draw(testSize);
  return { X: train.X, y: train.y, testX: test.X, testY: test.y };
}
