import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Session } from '../../runtime/session.js';
import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { float32, int64, type TensorData } from '../onnx/index.js';
import { BATCH } from '../types.js';
import { gradientName } from './context.js';
import { buildTrainingGradients } from './training.js';

/**
 * Whole-network gradients against PyTorch: fixtures/*.json hold PyTorch 1.13's float64 autograd
 * gradients of small networks (scripts/fixtures/backward.py), with parameters in PyTorch's layout and
 * names. Here the parameters are mapped to the IR's conventions, the training graph runs in float32 in
 * ONNX Runtime, and every gradient is compared; with batch norm (train mode) so are the updated running
 * statistics.
 */

type Stored = { readonly shape: number[]; readonly f32?: string; readonly f64?: string };
type Fixture = {
  readonly format: 'naslab-backward-fixture';
  readonly input: Stored;
  readonly labels: number[];
  readonly params: Record<string, Stored>;
  readonly loss: Stored;
  readonly grads: Record<string, Stored>;
  /** Batch norm's running statistics before the step (float32) and after it (float64), by PyTorch name. */
  readonly buffers?: Record<string, Stored>;
  readonly running?: Record<string, Stored>;
};

/** IR parameter name -> PyTorch's: module names match; batch norm's roles are renamed. */
const TORCH_ROLE: Record<string, string> = {
  gamma: 'weight',
  beta: 'bias',
  runningMean: 'running_mean',
  runningVar: 'running_var',
};
function torchName(param: string): string {
  const dot = param.lastIndexOf('.');
  const role = param.slice(dot + 1);
  return `${param.slice(0, dot)}.${TORCH_ROLE[role] ?? role}`;
}

/** max |actual - want| / max |want|, requiring a non-zero reference. */
function relError(name: string, actual: Float32Array, want: Float64Array): number {
  expect(actual.length).toBe(want.length);
  let err = 0;
  let scale = 0;
  want.forEach((w, i) => {
    err = Math.max(err, Math.abs((actual[i] as number) - w));
    scale = Math.max(scale, Math.abs(w));
  });
  expect(scale, `${name}: PyTorch's value is all zero`).toBeGreaterThan(1e-3);
  return err / scale;
}

function load(name: string): Fixture {
  const f = JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Fixture;
  expect(f.format).toBe('naslab-backward-fixture');
  return f;
}

/** Copies the bytes out: a pooled Buffer's offset need not be aligned for a typed-array view. */
function decode(text: string | undefined): ArrayBuffer {
  return Uint8Array.from(Buffer.from(text ?? '', 'base64')).buffer;
}

/** PyTorch's Linear weight is [out, in]; the IR's dense weight is [in, out]. */
function transpose<T extends Float32Array | Float64Array>(data: T, rows: number, cols: number): T {
  const out = data.slice() as T;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] ?? NaN;
  return out;
}

/** The IR parameter name -> PyTorch's (same module names; roles weight/bias are PyTorch's too). */
function isDenseWeight(graph: Graph, param: string): boolean {
  const node = graph.nodes.find((n) => n.params.some((p) => p.name === param));
  return node?.op === 'dense' && param.endsWith('.weight');
}

/** max |ort - torch| / max |torch| per parameter, plus the loss's relative error. */
async function compare(graph: Graph, f: Fixture, transposeDense = true): Promise<Record<string, number>> {
  const { model, buffers } = buildTrainingGradients(graph, { loss: 'loss' });
  const session = await Session.create(model.toBytes());
  try {
    const feeds: Record<string, TensorData> = {
      x: float32(f.input.shape, new Float32Array(decode(f.input.f32))),
      labels: int64([f.labels.length], f.labels),
    };
    for (const p of graph.params) {
      const stored = (f.params[torchName(p.name)] ?? f.buffers?.[torchName(p.name)]) as Stored;
      let data = new Float32Array(decode(stored.f32));
      if (transposeDense && isDenseWeight(graph, p.name)) {
        data = transpose(data, stored.shape[0] as number, stored.shape[1] as number);
      }
      feeds[p.name] = float32(p.shape, data);
    }
    const got = await session.run(feeds);
    const errors: Record<string, number> = {};
    const wantLoss = new Float64Array(decode(f.loss.f64))[0] as number;
    errors.loss = Math.abs((got.loss?.data[0] as number) - wantLoss) / Math.abs(wantLoss);
    for (const p of graph.params.filter((q) => q.trainable)) {
      const stored = f.grads[torchName(p.name)] as Stored;
      let want = new Float64Array(decode(stored.f64));
      if (isDenseWeight(graph, p.name)) {
        want = transpose(want, stored.shape[0] as number, stored.shape[1] as number);
      }
      errors[p.name] = relError(p.name, got[gradientName(p.name)]?.data as Float32Array, want);
    }
    for (const b of buffers) {
      const stored = f.running?.[torchName(b.spec.name)] as Stored;
      const want = new Float64Array(decode(stored.f64));
      errors[b.next] = relError(b.next, got[b.next]?.data as Float32Array, want);
    }
    return errors;
  } finally {
    await session.dispose();
  }
}

/** backward.py's SmallCnn: smallCnn() scaled down to [N, 1, 14, 14], 4 and 8 channels. */
function smallCnn(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 1, 14, 14]);
  let h = b.conv2d(x, { name: 'conv1', outChannels: 4, kernel: 3, padding: 1 });
  h = b.maxPool(b.relu(h), { kernel: 2 });
  h = b.conv2d(h, { name: 'conv2', outChannels: 8, kernel: 3, padding: 1 });
  h = b.maxPool(b.relu(h), { kernel: 2 });
  const logits = b.dense(b.flatten(h), { name: 'fc', outFeatures: 10 });
  return b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
}

/** backward.py's Residual: strided conv, depthwise conv with a skip add, global pooling. */
function residual(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 3, 9, 9]);
  const a = b.relu(b.conv2d(x, { name: 'conv1', outChannels: 6, kernel: 3, stride: 2, padding: 1 }));
  const r = b.relu(
    b.conv2d(a, { name: 'dw', outChannels: 6, kernel: 3, padding: 1, groups: 6, bias: false }),
  );
  const logits = b.dense(b.flatten(b.globalAvgPool(b.add([a, r]))), { name: 'head', outFeatures: 4 });
  return b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
}

/** backward.py's ConvBn: conv (no bias) - batch norm in train mode (momentum 0.2, eps 1e-3) - relu - pool - dense. */
function convBn(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 2, 6, 6]);
  const c = b.conv2d(x, { name: 'conv1', outChannels: 4, kernel: 3, padding: 1, bias: false });
  const h = b.maxPool(b.relu(b.batchNorm(c, { name: 'bn', momentum: 0.2, epsilon: 1e-3 })), { kernel: 2 });
  const logits = b.dense(b.flatten(h), { name: 'fc', outFeatures: 5 });
  return b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
}

const TOL = 1e-4;

describe('buildTrainingGradients agrees with PyTorch float64 autograd (ORT float32)', () => {
  it.each([
    ['small-cnn', smallCnn],
    ['residual', residual],
    ['conv-bn', convBn],
  ])('%s: the loss and every parameter gradient', async (name, make) => {
    const errors = await compare(make(), load(name));
    for (const [key, err] of Object.entries(errors)) expect(err, `${key}: ${err}`).toBeLessThan(TOL);
  });

  it('conv-bn: compares the gradients and both updated running statistics', async () => {
    const errors = await compare(convBn(), load('conv-bn'));
    expect(Object.keys(errors)).toEqual([
      'loss',
      'conv1.weight',
      'bn.gamma',
      'bn.beta',
      'fc.weight',
      'fc.bias',
      'bn.runningMean.next',
      'bn.runningVar.next',
    ]);
  });

  it('small-cnn: a dense weight fed untransposed is caught', async () => {
    const errors = await compare(smallCnn(), load('small-cnn'), false);
    expect(errors['fc.weight']).toBeGreaterThan(100 * TOL);
  });
});
