import { sampleSize, type Dataset } from '../data/dataset.js';
import { Session, type SessionOptions } from '../runtime/session.js';

/**
 * The session settings export measures test accuracy with: ONNX Runtime's defaults for a user's
 * InferenceSession (all graph optimisations), so a plain `InferenceSession.create('model.onnx')`
 * reproduces the figure in model.json.
 */
export const MEASURE_SESSION: SessionOptions = { graphOptimizationLevel: 'all' };

/**
 * Accuracy of an ONNX classifier (model bytes) on `data`: the arg-max of `output` (first on ties)
 * against the labels, in batches. The session is created and disposed here.
 */
export async function modelAccuracy(
  bytes: Uint8Array,
  data: Dataset,
  options: { readonly input: string; readonly output: string; readonly batchSize?: number },
  session: SessionOptions = MEASURE_SESSION,
): Promise<number> {
  if (data.count === 0) throw new RangeError(`${data.source}: cannot measure accuracy on an empty dataset`);
  const s = await Session.create(bytes, session);
  try {
    const size = sampleSize(data.shape);
    const batch = options.batchSize ?? 500;
    let correct = 0;
    for (let start = 0; start < data.count; start += batch) {
      const b = Math.min(batch, data.count - start);
      const x = data.x.subarray(start * size, (start + b) * size);
      const out = await s.run({ [options.input]: { type: 'float32', dims: [b, ...data.shape], data: x } }, [
        options.output,
      ]);
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
    await s.dispose();
  }
}
