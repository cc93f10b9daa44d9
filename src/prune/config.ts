import { z } from 'zod';
import { curvePrunerOptionsSchema, extrapolateOptionsSchema } from '../predict/curves/extrapolate.js';

/** What every pruner config has: the report metric it watches and whether higher is better. */
const watched = {
  /** A metric the evaluator reports per step; default: the evaluator's signal. */
  metric: z.string().min(1).optional(),
  /** Needed when `metric` is not the signal; default: the evaluator's direction. */
  direction: z.enum(['maximize', 'minimize']).optional(),
};

const medianSchema = z.strictObject({
  type: z.literal('median'),
  ...watched,
  startupTrials: z.number().int().min(0).default(5),
  warmupSteps: z.number().int().min(0).default(0),
  minTrials: z.number().int().min(1).default(1),
});

const resource = {
  minResource: z.number().int().min(1).default(1),
  eta: z.number().int().min(2).default(3),
};

const successiveHalvingSchema = z.strictObject({
  type: z.literal('successive-halving'),
  ...watched,
  ...resource,
  maxResource: z.number().int().min(1).optional(),
});

const hyperbandSchema = z
  .strictObject({
    type: z.literal('hyperband'),
    ...watched,
    ...resource,
    /** Required: the number of brackets follows from it (the evaluator's epochs, usually). */
    maxResource: z.number().int().min(1),
  })
  .refine((h) => h.maxResource >= h.minResource, {
    message: 'maxResource must be at least minResource',
    path: ['maxResource'],
  });

/** The raw metric's range, mapped onto [0, 1] for the curve pruner (the worst end to 0). */
const scaleSchema = z
  .strictObject({ min: z.number().finite(), max: z.number().finite() })
  .refine((s) => s.max > s.min, { message: 'scale.max must be greater than scale.min', path: ['max'] });

const curveSchema = z.strictObject({
  type: z.literal('curve'),
  ...watched,
  /** Stop when P(value at targetStep > best final value) falls below this (Domhan et al.: 0.05). */
  threshold: curvePrunerOptionsSchema.shape.threshold,
  /** Reports needed before a curve is judged. */
  minPoints: curvePrunerOptionsSchema.shape.minPoints,
  /** The step a full trial ends at; default: the evaluator's steps (the train evaluator's epochs). */
  targetStep: z.number().int().min(2).optional(),
  /**
   * The metric's range when it is not an accuracy in [0, 1] (a percentage, a loss): values are mapped
   * linearly onto [0, 1] (clamped), the worse end to 0. Required for a minimized metric.
   */
  scale: scaleSchema.optional(),
  /** The curve families fitted (default: all eight of src/predict/curves). */
  families: extrapolateOptionsSchema.shape.families,
  weighting: extrapolateOptionsSchema.shape.weighting,
});

const noneSchema = z.strictObject({ type: z.literal('none') });

/**
 * The experiment config's `pruner:` field. A new pruner type adds its schema here and its factory to
 * PRUNER_FACTORIES (registry.ts).
 */
export const prunerConfigSchema = z.discriminatedUnion('type', [
  medianSchema,
  successiveHalvingSchema,
  hyperbandSchema,
  curveSchema,
  noneSchema,
]);

export type PrunerConfig = z.output<typeof prunerConfigSchema>;
export type PrunerType = PrunerConfig['type'];
