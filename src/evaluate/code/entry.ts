import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { defineEvaluator } from '../define.js';

/**
 * `evaluator: { type: code, signal, direction }`: the trials were scored by a function of the program
 * that ran the search (the library's search()). The config records what the function reports, so the
 * experiment lists and shows like any other; only that program can evaluate more of its trials.
 */
export const codeEvaluatorConfigSchema = z.strictObject({
  type: z.literal('code'),
  /** What the function is, for listings ("code:train-mlp"). */
  name: z.string().min(1).default('function'),
  /** The metric the strategy optimises. */
  signal: z.string().min(1),
  direction: z.enum(['maximize', 'minimize']).default('maximize'),
});

export type CodeEvaluatorConfig = z.output<typeof codeEvaluatorConfigSchema>;

export const codeEvaluatorEntry = defineEvaluator({
  type: 'code',
  schema: codeEvaluatorConfigSchema,
  trains: false,
  untrained: { what: 'a function of the user', why: 'its trials were scored by the user’s own code' },
  describe: (config) => ({ label: `code:${config.name}`, name: config.name }),
  build: (config) =>
    Promise.reject(
      new ConfigError(
        `this experiment's trials are scored by a function in the program that started it ` +
          `(evaluator code:${config.name}); continue it from that program: search({ ..., resume: <experiment id> })`,
      ),
    ),
});
