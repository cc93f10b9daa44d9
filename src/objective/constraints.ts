import { z } from 'zod';
import type { Metrics } from '../core/types.js';
import { parseConfig } from '../core/validate.js';

/**
 * A hard limit on one metric (RENA-style: params, FLOPs, latency...): at most `max`, at least `min`, or
 * both.
 */
export interface Constraint {
  readonly metric: string;
  readonly max?: number | undefined;
  readonly min?: number | undefined;
}

/** What happens to an infeasible candidate: its reward is lowered, or it counts as invalid. */
export type ConstraintPolicy = 'penalize' | 'reject';

export const constraintSchema = z
  .strictObject({
    metric: z.string().min(1),
    max: z.number().optional().describe('the largest allowed value'),
    min: z.number().optional().describe('the smallest allowed value'),
  })
  .superRefine((c, ctx) => {
    if (c.max === undefined && c.min === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        input: c.max,
        message: `a constraint on "${c.metric}" needs a limit: give max, min or both`,
      });
    } else if (c.max !== undefined && c.min !== undefined && c.min > c.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        input: c.min,
        message: `min must be at most max (${c.max})`,
      });
    }
  });

const wrapped = z.strictObject({ constraints: z.array(constraintSchema) });

/** Parses a list of constraints; a ConfigError names the bad field, e.g. `constraints[0].max`. */
export function parseConstraints(value: unknown, where: string): Constraint[] {
  return parseConfig(wrapped, { constraints: value }, where).constraints;
}

/** Excess beyond a limit, relative to the limit (absolute when the limit is 0). */
function excess(beyond: number, limit: number): number {
  if (beyond <= 0) return 0;
  return limit === 0 ? beyond : beyond / Math.abs(limit);
}

/**
 * The sum over constraints of the relative excess beyond each limit: 0 when feasible, 0.5 for a model
 * 50% over its latency limit. A missing or non-finite metric violates infinitely: what was not measured
 * cannot be shown to fit.
 */
export function violation(metrics: Metrics, constraints: readonly Constraint[]): number {
  let total = 0;
  for (const c of constraints) {
    const value = metrics[c.metric];
    if (value === undefined || !Number.isFinite(value)) return Infinity;
    if (c.max !== undefined) total += excess(value - c.max, c.max);
    if (c.min !== undefined) total += excess(c.min - value, c.min);
  }
  return total;
}

export function feasible(metrics: Metrics, constraints: readonly Constraint[]): boolean {
  return violation(metrics, constraints) === 0;
}

/**
 * A reward under constraints (higher is better). `reject`: undefined for an infeasible candidate, which
 * the caller records as invalid. `penalize`: the reward minus `penalty` x the violation, so a search can
 * still climb from an infeasible region towards the limit; choose `penalty` in the reward's units per
 * 100% excess (e.g. 100 for accuracy in percent). Feasible candidates keep their reward either way.
 */
export function constrainedReward(
  reward: number,
  metrics: Metrics,
  constraints: readonly Constraint[],
  policy: ConstraintPolicy,
  penalty = 1,
): number | undefined {
  const v = violation(metrics, constraints);
  if (v === 0) return reward;
  if (policy === 'reject') return undefined;
  return reward - penalty * v;
}
