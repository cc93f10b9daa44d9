import { Rng } from '../../core/rng.js';
import type { Dataset } from '../../data/dataset.js';
import { sampleSize } from '../../data/dataset.js';
import type { TensorData } from '../../graph/onnx/index.js';

/** One batch as feeds: x [b, ...shape] float32 and labels [b] int64. */
export type Batch = { readonly x: TensorData; readonly labels: TensorData; readonly size: number };

/**
 * Seeded mini-batches over a dataset. Each epoch draws a fresh permutation from one stream derived
 * from the seed, so a run is reproducible and epochs differ. Samples are gathered into two buffers
 * allocated once; each batch's tensors are views of them (the last, partial batch a shorter view), so
 * an epoch allocates nothing per step. A batch is valid until the next one is drawn: the trainer awaits
 * each run before drawing again, and ORT reads the feeds only during run().
 */
export class BatchSampler {
  private readonly rng: Rng;
  private readonly size: number;
  private readonly xBuf: Float32Array;
  private readonly yBuf: BigInt64Array;

  constructor(
    private readonly data: Dataset,
    readonly batchSize: number,
    seed: number,
    /** Drop the last batch when it is smaller than batchSize. Default false: it is trained on. */
    private readonly dropLast = false,
  ) {
    this.rng = Rng.derive(seed, 'train-batches');
    this.size = sampleSize(data.shape);
    this.xBuf = new Float32Array(batchSize * this.size);
    this.yBuf = new BigInt64Array(batchSize);
  }

  /** Steps per epoch. */
  get stepsPerEpoch(): number {
    const full = Math.floor(this.data.count / this.batchSize);
    return this.dropLast || this.data.count % this.batchSize === 0 ? full : full + 1;
  }

  /** The epoch's batches, in a new seeded order. */
  *epoch(): Generator<Batch> {
    const order = this.rng.shuffle(Array.from({ length: this.data.count }, (_, i) => i));
    const steps = this.stepsPerEpoch;
    for (let s = 0; s < steps; s++) {
      const start = s * this.batchSize;
      const b = Math.min(this.batchSize, this.data.count - start);
      for (let k = 0; k < b; k++) {
        const i = order[start + k] as number;
        this.xBuf.set(this.data.x.subarray(i * this.size, (i + 1) * this.size), k * this.size);
        this.yBuf[k] = BigInt(this.data.y[i] as number);
      }
      yield {
        x: { type: 'float32', dims: [b, ...this.data.shape], data: this.xBuf.subarray(0, b * this.size) },
        labels: { type: 'int64', dims: [b], data: this.yBuf.subarray(0, b) },
        size: b,
      };
    }
  }
}
