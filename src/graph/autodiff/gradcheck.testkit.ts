import { Rng } from '../../core/rng.js';
import { Session } from '../../runtime/session.js';
import type { Feeds } from '../../runtime/tensors.js';
import type { Graph } from '../graph.js';
import { float32, int64, type TensorData } from '../onnx/index.js';
import { gradientName } from './context.js';
import { lowerTrainingGradients } from './training.js';

/** Fixed inputs for a graph with input x [N, ...] and int64 labels [N] over `classes` classes. */
export function dataFor(graph: Graph, batch: number, classes: number, seed: number): Feeds {
  const rng = new Rng(seed);
  const feeds: Record<string, TensorData> = {};
  for (const v of graph.inputs) {
    const dims = [batch, ...(v.shape.slice(1) as number[])];
    const n = dims.reduce((a, b) => a * b, 1);
    feeds[v.name] =
      v.dtype === 'int64'
        ? int64(
            dims,
            Array.from({ length: n }, () => rng.int(classes)),
          )
        : float32(
            dims,
            Array.from({ length: n }, () => rng.normal()),
          );
  }
  return feeds;
}

/** Parameters drawn N(0, scale^2), biases included (zero biases would hide a bias term dropped). */
export function randomParams(graph: Graph, seed: number, scale = 0.5): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const out = new Map<string, Float32Array>();
  for (const p of graph.params) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    out.set(
      p.name,
      Float32Array.from({ length: n }, () => rng.normal() * scale),
    );
  }
  return out;
}

export type GradCheck = {
  /** Per parameter: max |finite difference - analytic| over the checked elements / max |analytic| over the tensor. */
  readonly errors: Record<string, number>;
  /** Per parameter: max |analytic gradient|, to show the check is not vacuous. */
  readonly scales: Record<string, number>;
  readonly loss: number;
};

/**
 * Central finite differences (step h, ORT float32) of the model's own loss output against its gradient
 * outputs, on `perParam` elements of each parameter spread over the tensor.
 */
export async function gradCheck(
  graph: Graph,
  loss: string,
  data: Feeds,
  params: Map<string, Float32Array>,
  { h = 3e-3, perParam = 6 } = {},
): Promise<GradCheck> {
  const session = await Session.create(lowerTrainingGradients(graph, { loss }));
  try {
    const specs = graph.params.filter((p) => p.trainable);
    const feeds = (): Feeds => {
      const f: Record<string, TensorData> = { ...data };
      // Buffers (running statistics) are inputs too, though the loss does not read them in training mode.
      for (const p of graph.params) f[p.name] = float32(p.shape, params.get(p.name) as Float32Array);
      return f;
    };
    const base = await session.run(feeds());
    const lossAt = async (): Promise<number> => (await session.run(feeds(), [loss]))[loss]?.data[0] as number;
    const errors: Record<string, number> = {};
    const scales: Record<string, number> = {};
    for (const p of specs) {
      const grad = base[gradientName(p.name)]?.data as Float32Array;
      const values = params.get(p.name) as Float32Array;
      const scale = grad.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
      let err = 0;
      const count = Math.min(perParam, values.length);
      for (let j = 0; j < count; j++) {
        const i = Math.floor(((j + 0.5) * values.length) / count);
        const v = values[i] as number;
        values[i] = v + h;
        const plus = await lossAt();
        values[i] = v - h;
        const minus = await lossAt();
        values[i] = v;
        err = Math.max(err, Math.abs((plus - minus) / (2 * h) - (grad[i] as number)));
      }
      errors[p.name] = err / scale;
      scales[p.name] = scale;
    }
    return { errors, scales, loss: base[loss]?.data[0] as number };
  } finally {
    await session.dispose();
  }
}
