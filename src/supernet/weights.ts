import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { packFloat32, unpackFloat32 } from '../core/blob.js';
import { Rng } from '../core/rng.js';
import { initTensor } from '../graph/init.js';
import type { Json } from '../core/types.js';
import { parseConfig } from '../core/validate.js';
import { formatShape, numel } from '../graph/shape.js';
import type { InitSpec } from '../graph/types.js';

/** What a shared tensor is: a trainable parameter, a batch-norm buffer, or optimiser state. */
export type SharedTensorSpec = { readonly shape: readonly number[]; readonly init: InitSpec };

const savedSchema = z.strictObject({
  seed: z.number().int().min(0).max(0xffffffff),
  step: z.number().int().min(0),
  /** [key, length] in blob order. */
  index: z.array(z.tuple([z.string(), z.number().int().min(0)])),
  blob: z.string(),
});

/**
 * The supernet's one weight store: shared key -> Float32Array, for parameters, batch-norm running
 * statistics and optimiser state (key `<param key>#<kind>`), plus the global step count Adam's bias
 * correction reads. A tensor is created the first time a child uses it, from a stream derived from the
 * store's seed and its key, so its initial values do not depend on which children came first (a
 * lazily filled store equals an eagerly filled one). Pure data: no runtime, so a strategy may hold it.
 * Training replaces entries by the arrays the step returns (ORT gives fresh outputs), never copies.
 */
export class SharedWeights {
  private readonly tensors = new Map<string, Float32Array>();
  /** Training steps taken on the store (any child). */
  step = 0;

  constructor(readonly seed: number) {}

  get size(): number {
    return this.tensors.size;
  }

  /** Values held, all tensors together. */
  get values(): number {
    let n = 0;
    for (const t of this.tensors.values()) n += t.length;
    return n;
  }

  has(key: string): boolean {
    return this.tensors.has(key);
  }

  /** The tensor under `key`, created (and initialised) on first use; RangeError if its size changed. */
  get(key: string, spec: SharedTensorSpec): Float32Array {
    const known = this.tensors.get(key);
    const size = numel(spec.shape);
    if (known !== undefined) {
      if (known.length !== size) {
        throw new RangeError(
          `shared weight '${key}' holds ${known.length} values, a child wants ${formatShape(spec.shape)}`,
        );
      }
      return known;
    }
    const data = initTensor(new Float32Array(size), spec.init, () => Rng.derive(this.seed, key));
    this.tensors.set(key, data);
    return data;
  }

  /** Replaces a tensor's values (a training step's output); the array is kept, not copied. */
  set(key: string, data: Float32Array): void {
    const known = this.tensors.get(key);
    if (known !== undefined && known.length !== data.length) {
      throw new RangeError(`shared weight '${key}': ${data.length} values replace ${known.length}`);
    }
    this.tensors.set(key, data);
  }

  /** A copy of one tensor (tests, export of a child). */
  snapshot(key: string): Float32Array | undefined {
    const t = this.tensors.get(key);
    return t === undefined ? undefined : t.slice();
  }

  /**
   * Everything as JSON: the tensors in key order in one base64 blob of float32 bytes (exact; core/blob.ts
   * packFloat32), with an index of lengths.
   */
  toJSON(): Json {
    const keys = [...this.tensors.keys()].sort();
    const tensors = keys.map((k) => this.tensors.get(k) as Float32Array);
    return {
      seed: this.seed,
      step: this.step,
      index: keys.map((k, i) => [k, tensors[i]!.length]),
      blob: packFloat32(tensors),
    };
  }

  /** The inverse of toJSON(); ConfigError when the saved store is malformed or from another seed. */
  load(saved: unknown): void {
    const s = parseConfig(savedSchema, saved, 'saved supernet weights');
    if (s.seed !== this.seed) {
      throw new ConfigError(`saved supernet weights have seed ${s.seed}, this supernet ${this.seed}`);
    }
    const tensors = unpackFloat32(
      s.blob,
      s.index.map(([, len]) => len),
    );
    this.tensors.clear();
    s.index.forEach(([key], i) => this.tensors.set(key, tensors[i]!));
    this.step = s.step;
  }
}
