/**
 * Learning-curve extrapolation (Domhan et al. 2015): fit every family to a trial's partial validation
 * curve, combine the fits, and predict the value at a later epoch with an uncertainty. `shouldStop` is
 * the decision a curve pruner makes from it: stop when P(final > best so far) < threshold.
 */
import { z } from 'zod';
import { Rng } from '../../core/rng.js';
import { parseConfig } from '../../core/validate.js';
import { CurvePrediction, logWeights, normalise, type CurveMember, type RejectedFit } from './ensemble.js';
import { CURVE_FAMILIES, CURVE_FAMILY_NAMES, type CurveFamilyName } from './families.js';
import { fitFamily, predictFit, type CurveFit } from './fit.js';

const familyName = z.enum(CURVE_FAMILY_NAMES as [CurveFamilyName, ...CurveFamilyName[]]);

export const extrapolateOptionsSchema = z
  .object({
    /** Which families to fit (default: all eight). */
    families: z.array(familyName).min(1).optional(),
    /** The epoch of each point (default 1, 2, ..., n): for curves reported at uneven steps. */
    epochs: z.array(z.number().positive()).optional(),
    /** Least-squares starts per family: the data-driven guess plus seeded random ones. */
    starts: z.number().int().min(1).max(50).default(4),
    maxIterations: z.number().int().min(1).max(10_000).default(100),
    /** Smallest residual standard deviation assumed, in accuracy units. */
    noiseFloor: z.number().positive().max(0.5).default(1e-3),
    weighting: z.enum(['bic', 'inverse-mse', 'uniform']).default('bic'),
    seed: z.number().int().default(0),
  })
  .strict();

export type ExtrapolateOptions = z.input<typeof extrapolateOptionsSchema>;

/** Spread reported when nothing could be fitted: wide enough that no pruner acts on it. */
const FALLBACK_STD = 0.5;

function checkCurve(
  curve: readonly number[],
  epochs: readonly number[] | undefined,
  target: number,
): number[] {
  if (curve.length === 0) throw new RangeError('extrapolate: the curve is empty; report at least one value');
  curve.forEach((y, i) => {
    if (!Number.isFinite(y) || y < 0 || y > 1) {
      throw new RangeError(
        `extrapolate: curve[${i}] is ${y}; values must be finite accuracies in [0, 1] (divide percentages by 100)`,
      );
    }
  });
  const xs = epochs ? [...epochs] : curve.map((_, i) => i + 1);
  if (xs.length !== curve.length) {
    throw new RangeError(
      `extrapolate: options.epochs has ${xs.length} entries for ${curve.length} curve values`,
    );
  }
  xs.forEach((x, i) => {
    if (i > 0 && !(x > xs[i - 1]!))
      throw new RangeError(`extrapolate: options.epochs must increase (index ${i})`);
  });
  if (!Number.isFinite(target) || target < xs[xs.length - 1]!) {
    throw new RangeError(
      `extrapolate: targetEpoch ${target} must be finite and at least the last epoch observed`,
    );
  }
  return xs;
}

/** Predict the curve's value at `targetEpoch` from the values observed so far (curve[i] at epoch i + 1). */
export function extrapolate(
  curve: readonly number[],
  targetEpoch: number,
  options: ExtrapolateOptions = {},
): CurvePrediction {
  const opts = parseConfig(extrapolateOptionsSchema, options, 'curve extrapolation options');
  const xs = checkCurve(curve, opts.epochs, targetEpoch);
  const rng = Rng.derive(opts.seed, 'curves');
  const wanted = opts.families ?? CURVE_FAMILY_NAMES;
  const accepted: { fit: CurveFit; value: number; std: number; k: number }[] = [];
  const rejected: RejectedFit[] = [];
  for (const family of CURVE_FAMILIES.filter((f) => wanted.includes(f.name))) {
    const k = family.params.length;
    // Fewer points than parameters + 1 leaves no residual to judge the fit by.
    if (curve.length <= k) {
      rejected.push({ family: family.name, reason: 'too-few-points' });
      continue;
    }
    const fit = fitFamily(family, xs, curve, { ...opts, rng });
    if (!fit) {
      rejected.push({ family: family.name, reason: 'no-finite-fit' });
      continue;
    }
    const { value, std } = predictFit(family, fit, targetEpoch);
    if (!Number.isFinite(value) || value < -1e-9 || value > 1 + 1e-9) {
      rejected.push({ family: family.name, reason: 'out-of-range' });
      continue;
    }
    accepted.push({ fit, value: Math.min(1, Math.max(0, value)), std, k });
  }
  if (accepted.length === 0) {
    return new CurvePrediction(targetEpoch, [], rejected, {
      mean: curve[curve.length - 1]!,
      std: FALLBACK_STD,
    });
  }
  const weights = normalise(
    logWeights(
      accepted.map((a) => ({ sse: a.fit.sse, n: a.fit.n, k: a.k })),
      opts.weighting,
      opts.noiseFloor,
    ),
  );
  const members: CurveMember[] = accepted.map((a, i) => ({
    family: a.fit.family,
    params: a.fit.params,
    sse: a.fit.sse,
    sigma: a.fit.sigma,
    value: a.value,
    std: a.std,
    weight: weights[i]!,
  }));
  return new CurvePrediction(targetEpoch, members, rejected);
}

export const curvePrunerOptionsSchema = z.object({
  /** Stop when P(value at targetEpoch > best) falls below this. */
  threshold: z.number().gt(0).lt(1).default(0.05),
  /** Points needed before the pruner judges a curve (fewer leave the families unconstrained). */
  minPoints: z.number().int().min(3).default(3),
});

export type CurvePrunerOptions = z.input<typeof curvePrunerOptionsSchema> & ExtrapolateOptions;

export interface CurvePrunerDecision {
  readonly stop: boolean;
  readonly reason:
    'no-best' | 'too-few-points' | 'complete' | 'no-fit' | 'unlikely-to-beat-best' | 'may-beat-best';
  /** P(value at targetEpoch > best); null when no prediction was made. */
  readonly probability: number | null;
  readonly prediction: CurvePrediction | null;
}

/**
 * Domhan's stopping rule for one trial: with `best` the best final value seen in the search (undefined
 * before any trial finished), stop when the curve is unlikely to beat it by `targetEpoch`.
 */
export function shouldStop(
  curve: readonly number[],
  best: number | undefined,
  targetEpoch: number,
  options: CurvePrunerOptions = {},
): CurvePrunerDecision {
  const { threshold, minPoints, ...rest } = options;
  const pruner = parseConfig(curvePrunerOptionsSchema, { threshold, minPoints }, 'curve pruner options');
  const none = { probability: null, prediction: null };
  if (best === undefined || !Number.isFinite(best)) return { stop: false, reason: 'no-best', ...none };
  if (curve.length < pruner.minPoints) return { stop: false, reason: 'too-few-points', ...none };
  const lastEpoch = rest.epochs?.[rest.epochs.length - 1] ?? curve.length;
  if (lastEpoch >= targetEpoch) return { stop: false, reason: 'complete', ...none };
  const prediction = extrapolate(curve, targetEpoch, rest);
  if (prediction.fallback) return { stop: false, reason: 'no-fit', probability: null, prediction };
  const probability = prediction.probabilityAbove(best);
  const stop = probability < pruner.threshold;
  return { stop, reason: stop ? 'unlikely-to-beat-best' : 'may-beat-best', probability, prediction };
}
