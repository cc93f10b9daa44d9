import type { SearchSpace } from '../core/space.js';
import type { Sample } from '../core/types.js';
import { sampleSize, type Dataset } from '../data/dataset.js';
import { Graph } from '../graph/graph.js';
import type { TensorData } from '../graph/onnx/index.js';
import { ChildStep, type ChildOptions } from './child.js';
import { sharedKeysFor, type SharedKeys } from './keys.js';
import type { SharedWeights } from './weights.js';

export type SupernetOptions = ChildOptions & {
  /**
   * Child sessions kept (least recently used evicted and disposed). Default 8. Each holds ONNX Runtime's
   * memory arena for its largest batch (hundreds of MB for a 28x28 network at batch 128).
   */
  readonly cacheSize?: number;
  /** Overrides the space's key scheme (keys.ts). */
  readonly keys?: SharedKeys;
};

/** Counters for the bench and the docs: how often a child needed a new session, and what that cost. */
export type SupernetStats = {
  readonly builds: number;
  readonly hits: number;
  /** Milliseconds spent decoding, building the training step and creating sessions, all builds. */
  readonly buildMs: number;
  readonly evictions: number;
};

/**
 * A weight-sharing supernet over a network space: every candidate op of every decision owns weights in
 * one SharedWeights store (keys.ts says which), and a sampled architecture trains and runs as its own
 * training-step session fed the store's arrays (ChildStep). Sessions are cached by architecture key,
 * least recently used first out, so a child seen before costs one session.run per batch and a new one
 * also the graph build and session creation. One call at a time (the store is not locked).
 */
export class Supernet {
  private readonly cache = new Map<string, ChildStep>();
  private readonly keys: SharedKeys;
  private readonly cacheSize: number;
  private counts = { builds: 0, hits: 0, buildMs: 0, evictions: 0 };

  constructor(
    readonly space: SearchSpace<unknown>,
    readonly weights: SharedWeights,
    /** Any dataset of the task: its sample shape is checked against the network input. */
    private readonly shapeOf: Dataset,
    private readonly options: SupernetOptions,
  ) {
    this.keys = options.keys ?? sharedKeysFor(space);
    this.cacheSize = Math.max(1, options.cacheSize ?? 8);
  }

  get stats(): SupernetStats {
    return { ...this.counts };
  }

  /** The child's session, from the cache or built now. */
  async child(sample: Sample): Promise<ChildStep> {
    const key = this.space.key(sample);
    const known = this.cache.get(key);
    if (known !== undefined) {
      this.counts.hits++;
      this.cache.delete(key);
      this.cache.set(key, known);
      return known;
    }
    const started = performance.now();
    const graph = this.space.decode(sample);
    if (!(graph instanceof Graph)) {
      throw new TypeError(`supernet: space "${this.space.name}" does not decode to a network graph`);
    }
    const made = await ChildStep.create(key, graph, sample, this.keys, this.shapeOf, this.options);
    this.counts.builds++;
    this.counts.buildMs += performance.now() - started;
    this.cache.set(key, made);
    while (this.cache.size > this.cacheSize) {
      const [oldest, step] = this.cache.entries().next().value as [string, ChildStep];
      this.cache.delete(oldest);
      this.counts.evictions++;
      await step.dispose();
    }
    return made;
  }

  /** One training step of the child on a batch; returns its loss. */
  async train(sample: Sample, x: TensorData, labels: TensorData, lr: number): Promise<number> {
    return (await this.child(sample)).train(this.weights, x, labels, lr);
  }

  /**
   * The child's accuracy on `data` (or the samples at `indices`) with the shared weights, in batches
   * of `batchSize` with batch statistics (ENAS scores children so: the shared running statistics mix
   * every child's).
   */
  async accuracy(
    sample: Sample,
    data: Dataset,
    options: { readonly batchSize: number; readonly indices?: ArrayLike<number> },
  ): Promise<number> {
    const child = await this.child(sample);
    const count = options.indices?.length ?? data.count;
    if (count === 0) throw new RangeError(`${data.source}: cannot measure accuracy on no samples`);
    const size = sampleSize(data.shape);
    const batch = Math.min(options.batchSize, count);
    const xs = new Float32Array(batch * size);
    const ys = new BigInt64Array(batch);
    let correct = 0;
    for (let start = 0; start < count; start += batch) {
      const b = Math.min(batch, count - start);
      for (let k = 0; k < b; k++) {
        const i = options.indices === undefined ? start + k : (options.indices[start + k] as number);
        xs.set(data.x.subarray(i * size, (i + 1) * size), k * size);
        ys[k] = BigInt(data.y[i] as number);
      }
      const x: TensorData = { type: 'float32', dims: [b, ...data.shape], data: xs.subarray(0, b * size) };
      const labels: TensorData = { type: 'int64', dims: [b], data: ys.subarray(0, b) };
      const logits = await child.logits(this.weights, x, labels);
      const classes = logits.length / b;
      for (let k = 0; k < b; k++) {
        let best = 0;
        for (let c = 1; c < classes; c++) {
          if ((logits[k * classes + c] as number) > (logits[k * classes + best] as number)) best = c;
        }
        if (BigInt(best) === ys[k]) correct++;
      }
    }
    return correct / count;
  }

  /**
   * Copies of the child's parameters and buffers under their IR names: the child as a standalone
   * network (tests compare it with the supernet path; a trial could be exported from it).
   */
  async childParams(sample: Sample): Promise<Map<string, Float32Array>> {
    const child = await this.child(sample);
    const keys = child.sharedKeys();
    const out = new Map<string, Float32Array>();
    for (const p of child.graph.params) {
      const key = keys.get(p.name);
      if (key !== undefined) out.set(p.name, this.weights.get(key, p).slice());
    }
    return out;
  }

  /** Disposes every cached session. The store stays usable; later calls build sessions again. */
  async close(): Promise<void> {
    const steps = [...this.cache.values()];
    this.cache.clear();
    await Promise.all(steps.map((s) => s.dispose()));
  }
}
