import { sampleSize, type Dataset } from '../../data/dataset.js';
import type { Graph } from '../../graph/graph.js';
import { lowerInference } from '../../graph/lower/index.js';
import { Session, type SessionOptions } from '../session.js';

/**
 * Classification accuracy of `graph` with `params` on `data`: the inference graph (weights as
 * initializers, lower/) computes `logits` in batches; the prediction is the arg-max (first on ties).
 * The session is created and disposed here, so nothing outlives the call.
 */
export async function evaluateAccuracy(
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
  if (data.count === 0) throw new RangeError(`${data.source}: cannot measure accuracy on an empty dataset`);
  const session = await Session.create(
    lowerInference(graph, params, { outputs: [options.logits] }),
    options.session,
  );
  try {
    const size = sampleSize(data.shape);
    const batch = options.batchSize ?? 500;
    // onnxruntime-node refuses tensors over a SharedArrayBuffer ("Invalid argument" at run), and the
    // worker pool shares datasets that way: such batches are copied into one reused local buffer.
    const local = data.x.buffer instanceof SharedArrayBuffer ? new Float32Array(batch * size) : undefined;
    let correct = 0;
    for (let start = 0; start < data.count; start += batch) {
      const b = Math.min(batch, data.count - start);
      const view = data.x.subarray(start * size, (start + b) * size);
      const x = local === undefined ? view : local.subarray(0, view.length);
      if (x !== view) x.set(view);
      const out = await session.run({
        [options.input]: { type: 'float32', dims: [b, ...data.shape], data: x },
      });
      const logits = out[options.logits]?.data as Float32Array;
      const classes = logits.length / b;
      for (let i = 0; i < b; i++) {
        let best = 0;
        for (let c = 1; c < classes; c++)
          if ((logits[i * classes + c] as number) > (logits[i * classes + best] as number)) best = c;
        if (best === data.y[start + i]) correct++;
      }
    }
    return correct / data.count;
  } finally {
    await session.dispose();
  }
}
