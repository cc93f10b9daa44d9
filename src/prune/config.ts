import { z } from 'zod';

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

const noneSchema = z.strictObject({ type: z.literal('none') });

/**
 * The experiment config's `pruner:` field. A new pruner type adds its schema here and its factory to
 * PRUNER_FACTORIES (registry.ts).
 */
export const prunerConfigSchema = z.discriminatedUnion('type', [
  medianSchema,
  successiveHalvingSchema,
  hyperbandSchema,
  noneSchema,
]);

export type PrunerConfig = z.output<typeof prunerConfigSchema>;
export type PrunerType = PrunerConfig['type'];
