import { z } from 'zod';
import type { Metrics } from '../core/types.js';
import type { Objective } from './objectives.js';

/**
 * The exponents of MnasNet's reward (Tan et al. 2019, eq. 2): w = alpha when the latency meets the
 * target, beta when it exceeds it.
 */
export interface MnasExponents {
  readonly alpha: number;
  readonly beta: number;
}

/** Soft constraint: the paper's alpha = beta = -0.07 (5% more accuracy is worth 2x the latency). */
export const MNAS_SOFT: MnasExponents = { alpha: -0.07, beta: -0.07 };
/** Hard constraint: no reward for beating the target, a steep penalty (1/LAT) beyond it. */
export const MNAS_HARD: MnasExponents = { alpha: 0, beta: -1 };

/** MnasNet's reward ACC x (LAT / T)^w. Throws RangeError for a non-positive latency or target. */
export function mnasReward(
  accuracy: number,
  latency: number,
  target: number,
  exponents: MnasExponents = MNAS_SOFT,
): number {
  if (!(latency > 0) || !Number.isFinite(latency)) {
    throw new RangeError(`MnasNet reward: the latency must be a positive number, got ${latency}`);
  }
  if (!(target > 0) || !Number.isFinite(target)) {
    throw new RangeError(`MnasNet reward: the target T must be a positive number, got ${target}`);
  }
  const w = latency <= target ? exponents.alpha : exponents.beta;
  return accuracy * Math.pow(latency / target, w);
}

/** The `mnas` reward as a config gives it: which metrics, the target, and the variant or exponents. */
export const mnasRewardSchema = z.strictObject({
  accuracy: z.string().min(1).describe('the accuracy metric (higher is better)'),
  latency: z.string().min(1).describe('the latency (or other cost) metric'),
  target: z.number().positive().describe('the target T, in the latency metric units'),
  variant: z.enum(['soft', 'hard']).default('soft').describe('soft: w = -0.07; hard: 0 / -1'),
});
export type MnasRewardSpec = z.output<typeof mnasRewardSchema>;

/** The MnasNet reward of a trial's metrics; undefined when a metric is missing or not positive/finite. */
export function mnasRewardOf(metrics: Metrics, spec: MnasRewardSpec): number | undefined {
  const accuracy = metrics[spec.accuracy];
  const latency = metrics[spec.latency];
  if (accuracy === undefined || !Number.isFinite(accuracy)) return undefined;
  if (latency === undefined || !(latency > 0) || !Number.isFinite(latency)) return undefined;
  return mnasReward(accuracy, latency, spec.target, spec.variant === 'hard' ? MNAS_HARD : MNAS_SOFT);
}

/** One term of a weighted sum. */
export interface WeightedObjective extends Objective {
  readonly weight: number;
}

/** The range a metric is normalised over. */
export interface MetricRange {
  readonly min: number;
  readonly max: number;
}

/**
 * A weighted sum of normalised objectives, higher is better (a reward): each metric maps linearly to
 * [0, 1] over its range, 1 at its best end (max for maximised metrics, min for minimised ones); a
 * degenerate range (max <= min) maps to 0.5. Values outside the range extrapolate. Undefined when a
 * metric is missing or not finite.
 */
export function weightedSum(
  metrics: Metrics,
  terms: readonly WeightedObjective[],
  ranges: Readonly<Record<string, MetricRange>>,
): number | undefined {
  let sum = 0;
  for (const term of terms) {
    const value = metrics[term.metric];
    if (value === undefined || !Number.isFinite(value)) return undefined;
    const range = ranges[term.metric];
    if (range === undefined) {
      throw new RangeError(`weightedSum: no range given for metric "${term.metric}"`);
    }
    const span = range.max - range.min;
    let normalised = 0.5;
    if (span > 0) {
      normalised = term.direction === 'maximize' ? (value - range.min) / span : (range.max - value) / span;
    }
    sum += term.weight * normalised;
  }
  return sum;
}
