import { z } from 'zod';
import { base64ToFloat64, float64ToBase64 } from '../../core/blob.js';
import { ConfigError } from '../../core/errors.js';
import type { Json } from '../../core/types.js';
import { parseConfig } from '../../core/validate.js';

/** A network's weights by parameter name (what trainEpochs returns). */
export type Weights = ReadonlyMap<string, Float32Array>;

export const weightsSchema = z.strictObject({
  names: z.array(z.string()),
  lengths: z.array(z.number().int().min(0)),
  /** Every tensor's float32 values back to back (padded to a whole float64), as a base64 blob. */
  data: z.string(),
});

/**
 * Network weights inside JSON strategy state, exactly (bit for bit) and at 4 bytes a value: the float32
 * bytes travel in core/blob's float64 encoding, which copies bytes and never reads them as numbers.
 */
export function encodeWeights(weights: Weights): Json {
  const names = [...weights.keys()];
  const lengths = names.map((n) => weights.get(n)!.length);
  const total = lengths.reduce((a, b) => a + b, 0);
  const flat = new Float32Array(total + (total % 2));
  let at = 0;
  for (const n of names) {
    flat.set(weights.get(n)!, at);
    at += weights.get(n)!.length;
  }
  return { names, lengths, data: float64ToBase64(new Float64Array(flat.buffer)) };
}

export function decodeWeights(saved: unknown, where: string): Map<string, Float32Array> {
  const s = parseConfig(weightsSchema, saved, where);
  const total = s.lengths.reduce((a, b) => a + b, 0);
  let bytes: Float64Array;
  try {
    bytes = base64ToFloat64(s.data, (total + (total % 2)) / 2);
  } catch (e) {
    throw new ConfigError(`${where}: the weights blob does not fit its tensor list: ${(e as Error).message}`);
  }
  if (s.names.length !== s.lengths.length)
    throw new ConfigError(`${where}: names and lengths differ in count`);
  const flat = new Float32Array(bytes.buffer, bytes.byteOffset, total + (total % 2));
  const out = new Map<string, Float32Array>();
  let at = 0;
  s.names.forEach((n, i) => {
    out.set(n, flat.slice(at, at + s.lengths[i]!));
    at += s.lengths[i]!;
  });
  return out;
}
