import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { RngState } from '../core/rng.js';
import type { StrategyState } from '../core/types.js';
import { parseConfig } from '../core/validate.js';

const uint32 = z.number().int().min(0).max(0xffffffff);

/** A saved Rng state: four uint32 words. */
export const rngStateSchema = z.tuple([uint32, uint32, uint32, uint32]).transform((s): RngState => s);

/** A saved sample: decision name -> choice. */
export const sampleSchema = z.record(z.string(), z.union([z.string(), z.number()]));

/**
 * Scores may be non-finite (an invalid reward of -Infinity, say) and JSON cannot hold those, so they are
 * saved as strings.
 */
export const scoreSchema = z.union([
  z.number(),
  z.enum(['Infinity', '-Infinity', 'NaN']).transform((s) => Number(s)),
]);

export function encodeScore(score: number): number | string {
  return Number.isFinite(score) ? score : String(score);
}

/**
 * Checks that a saved state belongs to this strategy and version, and parses its data. Anything wrong is a
 * ConfigError: a resume with another strategy or a corrupted store must stop with a readable message.
 */
export function readState<S extends z.ZodType>(
  state: StrategyState,
  name: string,
  version: number,
  dataSchema: S,
): z.output<S> {
  if (state.strategy !== name) {
    throw new ConfigError(
      `cannot restore strategy "${name}" from a saved "${state.strategy}" state; ` +
        `resume with the strategy the experiment was started with`,
    );
  }
  if (state.version !== version) {
    throw new ConfigError(
      `saved "${name}" state has version ${String(state.version)}, this naslab reads version ${version}`,
    );
  }
  return parseConfig(dataSchema, state.data, `saved "${name}" strategy state`);
}
