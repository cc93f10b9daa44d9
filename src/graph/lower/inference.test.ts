import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { Session } from '../../runtime/session.js';
import type { Feeds, Outputs } from '../../runtime/tensors.js';
import { GraphBuilder } from '../builder.js';
import { initParameters } from '../init.js';
import { everyOp, separableBlock } from '../networks.testkit.js';
import { OnnxGraphError, float32, int64 } from '../onnx/index.js';
import { BATCH } from '../types.js';
import { buildInferenceModel, lowerInference } from './inference.js';

async function run(
  bytes: Uint8Array,
  feeds: Feeds,
): Promise<{ outputs: Outputs; inputs: readonly string[] }> {
  const session = await Session.create(bytes);
  try {
    return { outputs: await session.run(feeds), inputs: session.inputNames };
  } finally {
    await session.dispose();
  }
}

function ramp(dims: number[], scale = 0.1): ReturnType<typeof float32> {
  const n = dims.reduce((a, b) => a * b, 1);
  return float32(
    dims,
    Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * scale * 10),
  );
}

describe('lowerInference: every op', () => {
  const g = everyOp();
  const params = initParameters(g, new Rng(7));
  const logits = (g.outputs[0] as { name: string }).name;
  const loss = (g.outputs[1] as { name: string }).name;

  it.each([1, 3])('runs everyOp() at batch %i through the symbolic batch, logits only', async (batch) => {
    const { outputs, inputs } = await run(lowerInference(g, params), { x: ramp([batch, 3, 16, 16]) });
    expect(inputs).toEqual(['x']); // the loss is dropped, so no labels are needed
    expect(Object.keys(outputs)).toEqual([logits]);
    const out = outputs[logits]?.data as Float32Array;
    expect(outputs[logits]?.dims).toEqual([batch, 10]);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(Math.max(...out) - Math.min(...out)).toBeGreaterThan(1e-3);
  });

  it('lowers the loss to SoftmaxCrossEntropyLoss (mean) when asked', async () => {
    const labels = [3, 0];
    const { outputs, inputs } = await run(lowerInference(g, params, { outputs: [logits, loss] }), {
      x: ramp([2, 3, 16, 16]),
      labels: int64([2], labels),
    });
    expect(inputs).toEqual(['x', 'labels']);
    const z = outputs[logits]?.data as Float32Array;
    let want = 0;
    labels.forEach((label, n) => {
      const row = Array.from(z.subarray(n * 10, n * 10 + 10));
      const max = Math.max(...row);
      const logSum = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      want += (logSum - (row[label] ?? NaN)) / labels.length;
    });
    expect(outputs[loss]?.dims).toEqual([]);
    expect(outputs[loss]?.data[0]).toBeCloseTo(want, 5);
  });

  it('emits only what the outputs need, with the parameters as initializers', () => {
    const spec = buildInferenceModel(g, params).spec();
    expect(spec.initializers.map((i) => i.name).filter((n) => !n.endsWith('.shape'))).toEqual(
      g.params.map((p) => p.name),
    );
    expect(spec.inputs).toEqual([{ name: 'x', type: 'float32', shape: ['N', 3, 16, 16] }]);
    expect(spec.nodes.some((n) => n.opType === 'SoftmaxCrossEntropyLoss')).toBe(false);
    const opTypes = new Set(spec.nodes.map((n) => n.opType));
    for (const op of [
      'Conv',
      'BatchNormalization',
      'Relu',
      'Sum',
      'Identity',
      'ConstantOfShape',
      'MaxPool',
    ]) {
      expect(opTypes.has(op), op).toBe(true);
    }
    for (const op of ['AveragePool', 'Concat', 'GlobalAveragePool', 'Flatten', 'Reshape', 'MatMul']) {
      expect(opTypes.has(op), op).toBe(true);
    }
  });
});

describe('lowerInference: op semantics on hand-checked values', () => {
  /** x = 1..9 as one 3x3 image, so window sums are easy to write down. */
  const x9 = float32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it('avgPool counts padding only with countIncludePad; maxPool; concat on channels', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [BATCH, 1, 3, 3]);
    const incl = b.avgPool(x, { name: 'incl', kernel: 3, stride: 1, padding: 1, countIncludePad: true });
    const excl = b.avgPool(x, { name: 'excl', kernel: 3, stride: 1, padding: 1 });
    const max = b.maxPool(x, { name: 'max', kernel: 2, stride: 1 });
    const cat = b.concat([incl, excl], { name: 'cat' });
    const g = b.build([incl, excl, max, cat]);
    const { outputs } = await run(lowerInference(g, new Map()), { x: x9 });
    // Top-left window covers 1, 2, 4, 5 (sum 12): over 9 with the padding, over 4 without.
    expect(outputs.incl?.data[0]).toBeCloseTo(12 / 9, 6);
    expect(outputs.excl?.data[0]).toBeCloseTo(12 / 4, 6);
    expect(outputs.incl?.data[4]).toBeCloseTo(5, 6);
    expect(Array.from(outputs.max?.data as Float32Array)).toEqual([5, 6, 8, 9]);
    expect(outputs.cat?.dims).toEqual([1, 2, 3, 3]);
    expect(outputs.cat?.data[9]).toBeCloseTo(3, 6);
  });

  it('conv2d: stride, dilation and padding land where the IR says', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [BATCH, 1, 5, 5]);
    const c = b.conv2d(x, { name: 'c', outChannels: 1, kernel: 3, dilation: 2, stride: 2, padding: 2 });
    const g = b.build([c]);
    const params = new Map([
      ['c.weight', new Float32Array(9).fill(1)],
      ['c.bias', new Float32Array([0.5])],
    ]);
    const x25 = float32(
      [1, 1, 5, 5],
      Array.from({ length: 25 }, (_, i) => i),
    );
    const { outputs } = await run(lowerInference(g, params), { x: x25 });
    expect(outputs.c?.dims).toEqual(g.outputs[0]?.shape.map((d) => (d === 'N' ? 1 : d)));
    // Centre output (1,1) of 3x3: the taps at rows/cols 0, 2, 4 of the input: sum 0+2+4+10+12+14+20+22+24.
    expect(outputs.c?.data[4]).toBeCloseTo(108.5, 4);
    // Top-left output: only the tap at (0,0)... (2,2) inside the padding: rows/cols 0 and 2.
    expect(outputs.c?.data[0]).toBeCloseTo(0 + 2 + 10 + 12 + 0.5, 4);
  });

  it('dense is x W + b with W [in, out]; reshape keeps the batch; dropout is the identity', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [BATCH, 1, 3, 3]);
    const flat = b.reshape(b.dropout(x, { rate: 0.5 }), { name: 'flat', shape: [9] });
    const d = b.dense(flat, { name: 'd', outFeatures: 2 });
    const g = b.build([flat, d]);
    // Column 0 sums the inputs, column 1 picks the last one.
    const w = new Float32Array(18);
    for (let i = 0; i < 9; i++) w[i * 2] = 1;
    w[8 * 2 + 1] = 1;
    const params = new Map([
      ['d.weight', w],
      ['d.bias', new Float32Array([0, -1])],
    ]);
    const x2 = float32([2, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const { outputs } = await run(lowerInference(g, params), { x: x2 });
    expect(outputs.flat?.dims).toEqual([2, 9]);
    expect(Array.from(outputs.d?.data as Float32Array)).toEqual([45, 8, 45, 0]);
  });

  it('zero is exactly zero even where the input is infinite', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [BATCH, 1, 3, 3]);
    const g = b.build([b.add([b.zero(x, { name: 'z' }), b.identity(x)], { name: 'sum' })]);
    const xInf = float32([1, 1, 3, 3], [Infinity, 2, 3, 4, 5, 6, 7, 8, NaN]);
    const { outputs } = await run(lowerInference(g, new Map(), { outputs: ['z', 'sum'] }), { x: xInf });
    expect(Array.from(outputs.z?.data as Float32Array)).toEqual(new Array(9).fill(0));
    expect(outputs.sum?.data[0]).toBe(Infinity);
  });
});

describe('lowerInference: errors', () => {
  const g = separableBlock();

  it('names a missing parameter and how to make it', () => {
    const params = initParameters(g, new Rng(1));
    params.delete('pw.weight');
    expect(() => lowerInference(g, params)).toThrow(OnnxGraphError);
    expect(() => lowerInference(g, params)).toThrow(/'pw\.weight'.*2048 values.*\[64,32,1,1\].*missing/);
  });

  it('names a parameter of the wrong size', () => {
    const params = initParameters(g, new Rng(1));
    params.set('dw.weight', new Float32Array(3));
    expect(() => lowerInference(g, params)).toThrow(/'dw\.weight'.*has 3 values/);
  });

  it('names an output that is not in the graph', () => {
    expect(() => lowerInference(g, initParameters(g, new Rng(1)), { outputs: ['nope'] })).toThrow(
      NotFoundError,
    );
  });
});
