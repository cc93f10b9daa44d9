import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Json } from '../core/types.js';
import { parseConfig } from '../core/validate.js';
import { RESERVED_KEY, reservedKeyMessage } from '../files/yaml.js';
import { entryOf, evaluatorConfigSchema } from '../evaluate/registry.js';
import { prunerConfigSchema } from '../prune/config.js';
import { constraintsConfigSchema, rewardConfigSchema } from '../strategy/reward-objective.js';

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A strategy's options are kept as given: a zod record would rebuild the object and silently drop a
 * `__proto__` key, which the strategy's check must see to refuse it like any other unknown option.
 */
const optionsSchema = z.custom<Record<string, unknown>>(isMapping, {
  error: 'expected a mapping of option names to values',
});

const strategySchema = z.union([
  z
    .string()
    .min(1)
    .transform((name) => ({ name, options: {} as Record<string, unknown> })),
  z
    .object({
      name: z.string().min(1),
      options: optionsSchema.default({}),
    })
    .strict(),
]);

const budgetSchema = z
  .object({
    trials: z.number().int().positive().optional(),
    simulatedSeconds: z.number().positive().optional(),
    wallSeconds: z.number().positive().optional(),
  })
  .strict()
  .refine((b) => b.trials !== undefined || b.simulatedSeconds !== undefined || b.wallSeconds !== undefined, {
    message: 'set at least one of trials, simulatedSeconds, wallSeconds',
  });

/**
 * A built-in space name; decisions declared in the config (the declared-space format); or the spec of a
 * space type that takes options (`{ type: chain, input: [1, 28, 28], classes: 10, ... }`, checked by
 * the space itself).
 */
const spaceSchema = z.union([
  z.string().min(1),
  z
    .object({
      name: z.string().min(1).optional(),
      decisions: z.array(z.unknown()).min(1),
    })
    .strict(),
  z.looseObject({ type: z.string().min(1) }),
]);

export const experimentConfigSchema = z
  .object({
    name: z.string().min(1).optional(),
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /** Optional: the evaluator's benchmark brings its space; a declared space searches part of a user table. */
    space: spaceSchema.optional(),
    evaluator: evaluatorConfigSchema.default({ type: 'benchmark', benchmark: 'nb201' }),
    strategy: strategySchema.default({ name: 'evolution', options: {} }),
    budget: budgetSchema.default({ simulatedSeconds: 12000 }),
    concurrency: z.number().int().min(1).max(256).default(1),
    duplicates: z.enum(['reuse', 'evaluate']).default('reuse'),
    /** Score told to the strategy for an invalid architecture (default: the worst score so far). */
    invalidReward: z.number().optional(),
    /** Early stopping of trials from their reports (median, successive-halving, hyperband, curve). */
    pruner: prunerConfigSchema.optional(),
    /** What strategies learn from instead of the signal alone: MnasNet's or a weighted reward. */
    reward: rewardConfigSchema.optional(),
    /** Hard limits on metrics (latency, params...): infeasible trials rejected or penalised. */
    constraints: constraintsConfigSchema.optional(),
  })
  .strict();

export type ExperimentConfig = z.output<typeof experimentConfigSchema>;

/**
 * The path of the first `__proto__` key (RESERVED_KEY) in a raw config: YAML files are refused on
 * reading, this covers configs built in code or from JSON, which zod would accept silently. The keys
 * of `strategy.options` are left to the strategy check, which refuses them as unknown options and
 * lists the valid ones.
 */
function reservedKeyPath(value: unknown, at: string, seen = new Set<object>()): string | undefined {
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  if (!Array.isArray(value) && Object.hasOwn(value, RESERVED_KEY) && at !== 'strategy.options') {
    return at === '' ? RESERVED_KEY : `${at}.${RESERVED_KEY}`;
  }
  for (const [key, child] of Object.entries(value)) {
    const path = Array.isArray(value) ? `${at}[${key}]` : at === '' ? key : `${at}.${key}`;
    const found = reservedKeyPath(child, path, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function parseExperimentConfig(raw: unknown, where: string): ExperimentConfig {
  const reserved = reservedKeyPath(raw, '');
  if (reserved !== undefined) {
    throw new ConfigError(`${where}: invalid configuration\n  ${reservedKeyMessage(reserved)}`);
  }
  return parseConfig(experimentConfigSchema, raw ?? {}, where);
}

/** The config as stored with the experiment (JSON), so resume rebuilds exactly the same run. */
export function configToJson(config: ExperimentConfig): Json {
  return JSON.parse(JSON.stringify(config)) as Json;
}

/** "nb201/cifar10", a user table's path, or "train:fashion-mnist": what an experiment is evaluated on. */
export function evaluatorLabel(evaluator: ExperimentConfig['evaluator']): string {
  return entryOf(evaluator).describe(evaluator).label;
}

/** A display name when the config gives none, e.g. "nb201-cifar10-evolution" or "chain-train-evolution". */
export function defaultName(config: ExperimentConfig): string {
  const entry = entryOf(config.evaluator);
  const stem = entry.describe(config.evaluator).name;
  if (!entry.trains) return [stem, config.strategy.name].filter(Boolean).join('-');
  const space = typeof config.space === 'object' && 'type' in config.space ? config.space.type : 'space';
  return [space, stem, config.strategy.name].join('-');
}
