import { sampleSize, type Dataset } from '../../data/dataset.js';
import type { Graph } from '../../graph/graph.js';
import { lowerInference } from '../../graph/lower/index.js';
import { Session, type SessionOptions } from '../session.js';

/**
 * Default samples per run. Small batches keep the activations in cache, so batches of 64 score the
 * training-speed benchmark's models (bench/train-models.ts) about twice as fast as one batch of 500,
 * while the per-run overhead stays negligible (figures in docs/benchmarks.md, "Kernel choices and their
 * measurements").
 */
const EVAL_BATCH = 64;

/**
 * Accuracy of an ONNX classifier (model bytes) on `data`: the arg-max of `output` (first on ties)
 * against the labels, in batches (default 64). The session is created and disposed here, so nothing
 * outlives the call.
 */
export async function modelAccuracy(
  bytes: Uint8Array,
  data: Dataset,
  options: { readonly input: string; readonly output: string; readonly batchSize?: number },
  sessionOptions?: SessionOptions,
): Promise<number> {
  if (data.count === 0) throw new RangeError(`${data.source}: cannot measure accuracy on an empty dataset`);
  const session = await Session.create(bytes, sessionOptions);
  try {
    const size = sampleSize(data.shape);
    const batch = options.batchSize ?? EVAL_BATCH;
    // onnxruntime-node refuses tensors over a SharedArrayBuffer ("Invalid argument" at run), and the
    // worker pool shares datasets that way: such batches are copied into one reused local buffer.
    const local = data.x.buffer instanceof SharedArrayBuffer ? new Float32Array(batch * size) : undefined;
    let correct = 0;
    for (let start = 0; start < data.count; start += batch) {
      const b = Math.min(batch, data.count - start);
      const view = data.x.subarray(start * size, (start + b) * size);
      const x = local === undefined ? view : local.subarray(0, view.length);
      if (x !== view) x.set(view);
      const out = await session.run(
        { [options.input]: { type: 'float32', dims: [b, ...data.shape], data: x } },
        [options.output],
      );
      const scores = out[options.output]?.data as Float32Array;
      const classes = scores.length / b;
      for (let i = 0; i < b; i++) {
        let best = 0;
        for (let c = 1; c < classes; c++)
          if ((scores[i * classes + c] as number) > (scores[i * classes + best] as number)) best = c;
        if (best === data.y[start + i]) correct++;
      }
    }
    return correct / data.count;
  } finally {
    await session.dispose();
  }
}

/**
 * Classification accuracy of `graph` with `params` on `data`: the inference graph (weights as
 * initializers, lower/) computes `logits` in batches; the prediction is the arg-max (first on ties).
 */
export function evaluateAccuracy(
  graph: Graph,
  params: ReadonlyMap<string, Float32Array>,
  data: Dataset,
  options: {
    readonly logits: string;
    readonly input: string;
    readonly batchSize?: number;
    readonly session?: SessionOptions;
  },
): Promise<number> {
  if (data.count === 0) {
    return Promise.reject(new RangeError(`${data.source}: cannot measure accuracy on an empty dataset`));
  }
  const bytes = lowerInference(graph, params, { outputs: [options.logits] });
  return modelAccuracy(
    bytes,
    data,
    { input: options.input, output: options.logits, batchSize: options.batchSize },
    options.session,
  );
}
