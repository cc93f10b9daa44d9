import { z } from 'zod';
import type { Direction, Metrics } from '../core/types.js';
import { parseConfig } from '../core/validate.js';

/** One metric to optimise and its direction. */
export interface Objective {
  readonly metric: string;
  readonly direction: Direction;
}

export const objectiveSchema = z.strictObject({
  metric: z.string().min(1).describe('the metric name, as the evaluator reports it'),
  direction: z.enum(['maximize', 'minimize']),
});

/** A list of at least `min` objectives; metric names must be distinct (the same metric twice adds nothing). */
export function objectiveListSchema(min: number) {
  return z
    .array(objectiveSchema)
    .min(min)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((o, i) => {
        if (seen.has(o.metric)) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'metric'],
            input: o.metric,
            message: 'this metric is already an objective; list each metric once',
          });
        }
        seen.add(o.metric);
      });
    });
}

export const objectivesSchema = objectiveListSchema(1);

const wrapped = z.strictObject({ objectives: objectivesSchema });

/** Parses a list of objectives; a ConfigError names the bad field, e.g. `objectives[1].direction`. */
export function parseObjectives(value: unknown, where: string): Objective[] {
  return parseConfig(wrapped, { objectives: value }, where).objectives;
}

/**
 * The trial's metrics as a minimisation vector (maximised metrics negated), or undefined when a metric
 * is missing or not finite: such a trial cannot be placed on a front and callers rank it worst.
 */
export function toMinimization(metrics: Metrics, objectives: readonly Objective[]): number[] | undefined {
  const out: number[] = [];
  for (const o of objectives) {
    const value = metrics[o.metric];
    if (value === undefined || !Number.isFinite(value)) return undefined;
    out.push(o.direction === 'maximize' ? -value : value);
  }
  return out;
}
