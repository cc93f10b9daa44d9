import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { quoted } from '../core/validate.js';
import { commandEvaluatorEntry } from './command/entry.js';
import { codeEvaluatorEntry } from './code/entry.js';
import { dartsEvaluatorEntry } from './darts/entry.js';
import type { EvaluatorConfigBase, EvaluatorEntry } from './define.js';
import { easEvaluatorEntry } from './eas/entry.js';
import { enasEvaluatorEntry } from './enas/entry.js';
import { benchmarkEvaluatorEntry } from './tabular/entry.js';
import { trainEvaluatorEntry } from './train/entry.js';

/**
 * The config types, in one list so the experiment config's `evaluator` section is typed as their union.
 * A new evaluator type adds its entry here (and nowhere else).
 */
export const CONFIG_EVALUATORS = [
  benchmarkEvaluatorEntry,
  trainEvaluatorEntry,
  enasEvaluatorEntry,
  dartsEvaluatorEntry,
  codeEvaluatorEntry,
  commandEvaluatorEntry,
] as const;

type SchemasOf<T extends readonly { readonly schema: unknown }[]> = {
  -readonly [K in keyof T]: T[K]['schema'];
};

/** The experiment config's `evaluator` section: one of the registered config types, by `type`. */
export const evaluatorConfigSchema = z.discriminatedUnion(
  'type',
  CONFIG_EVALUATORS.map((e) => e.schema) as SchemasOf<typeof CONFIG_EVALUATORS>,
);

/** Implementations a strategy builds from another type's config in its place (StrategyEntry.evaluator). */
const IMPLEMENTATIONS: readonly EvaluatorEntry[] = [easEvaluatorEntry as unknown as EvaluatorEntry];

const registry = new Map<string, EvaluatorEntry>();
for (const entry of [...CONFIG_EVALUATORS, ...IMPLEMENTATIONS]) {
  if (registry.has(entry.type)) throw new Error(`evaluator "${entry.type}" is registered twice`);
  registry.set(entry.type, entry as unknown as EvaluatorEntry);
}

/** The evaluator types a config may name. */
export function evaluatorTypes(): string[] {
  return CONFIG_EVALUATORS.map((e) => e.type);
}

/** The registered evaluator (a config type or an implementation) by name. */
export function evaluatorEntry(type: string): EvaluatorEntry {
  const entry = registry.get(type);
  if (entry === undefined) {
    throw new ConfigError(
      `unknown evaluator type ${quoted(type)}; known types: ${evaluatorTypes().join(', ')}`,
    );
  }
  return entry;
}

/** The entry of a config's evaluator section. */
export function entryOf(config: EvaluatorConfigBase): EvaluatorEntry {
  return evaluatorEntry(config.type);
}
