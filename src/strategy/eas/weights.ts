import { z } from 'zod';
import { packFloat32, unpackFloat32 } from '../../core/blob.js';
import { ConfigError } from '../../core/errors.js';
import type { Json } from '../../core/types.js';
import { parseConfig } from '../../core/validate.js';

/** A network's weights by parameter name (what trainEpochs returns). */
export type Weights = ReadonlyMap<string, Float32Array>;

export const weightsSchema = z.strictObject({
  names: z.array(z.string()),
  lengths: z.array(z.number().int().min(0)),
  /** Every tensor's float32 values back to back, as a base64 blob (core/blob.ts packFloat32). */
  data: z.string(),
});

/** Network weights inside JSON strategy state, exactly (bit for bit) and at 4 bytes a value. */
export function encodeWeights(weights: Weights): Json {
  const names = [...weights.keys()];
  const tensors = names.map((n) => weights.get(n)!);
  return { names, lengths: tensors.map((t) => t.length), data: packFloat32(tensors) };
}

export function decodeWeights(saved: unknown, where: string): Map<string, Float32Array> {
  const s = parseConfig(weightsSchema, saved, where);
  let tensors: Float32Array[];
  try {
    tensors = unpackFloat32(s.data, s.lengths);
  } catch (e) {
    throw new ConfigError(`${where}: the weights blob does not fit its tensor list: ${(e as Error).message}`);
  }
  if (s.names.length !== s.lengths.length)
    throw new ConfigError(`${where}: names and lengths differ in count`);
  return new Map(s.names.map((n, i) => [n, tensors[i]!]));
}
