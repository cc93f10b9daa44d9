import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { makeDataset } from '../data/dataset.js';
import { applyNormalization, type Normalization } from '../data/normalize.js';
import { GraphBuilder } from '../graph/builder.js';
import { initParameters } from '../graph/init.js';
import { lowerInference } from '../graph/lower/index.js';
import { float32 } from '../graph/onnx/index.js';
import { BATCH } from '../graph/types.js';
import { Session } from '../runtime/session.js';
import { ChainSpace } from '../space/chain.js';
import { exportedAccuracy } from './accuracy.js';
import { concatDatasets, fileValues } from './data.js';
import { buildExportModel } from './model.js';

const space = new ChainSpace({ input: [2, 6, 6], classes: 3, convFilters: [4] });
const graph = space.decode(space.sampleFromKey('C(4,3,1)-P(max,2,2)-T'));
const params = initParameters(graph, new Rng(3));
const N = 5;
/** Raw values as a file holds them: bytes 0-255 of a 2-channel 6x6 image. */
const raw = Float32Array.from({ length: N * 72 }, (_, i) => (i * 37) % 256);
const norm: Normalization = { inputScale: 1 / 255, mean: [0.3, 0.6], std: [0.2, 0.4] };

async function outputs(bytes: Uint8Array, input: string, x: Float32Array): Promise<Float32Array[]> {
  const s = await Session.create(bytes);
  try {
    const out = await s.run({ [input]: float32([N, 2, 6, 6], x) });
    return s.outputNames.map((name) => out[name]?.data as Float32Array);
  } finally {
    await s.dispose();
  }
}

describe('buildExportModel', () => {
  it('standardises raw inputs in the graph as applyNormalization does, and adds the softmax', async () => {
    const exported = buildExportModel(graph, params, {
      input: 'x',
      logits: 'logits',
      normalization: norm,
      producerVersion: '9.9.9',
    });
    expect(exported.input).toEqual({ name: 'input', dtype: 'float32', shape: ['N', 2, 6, 6] });
    const [logits, probabilities] = await outputs(exported.bytes, 'input', raw);
    // The reference: the trials' preprocessing (float64, then float32) and the plain inference graph.
    const data = makeDataset({
      source: 'raw',
      shape: [2, 6, 6],
      x: raw.map((v) => v / 255),
      y: new Int32Array(N),
      classes: ['a', 'b', 'c'],
      inputScale: 1 / 255,
    });
    const standard = applyNormalization(data, norm).x;
    const [want] = await outputs(lowerInference(graph, params, { outputs: ['logits'] }), 'x', standard);
    expect(logits).toHaveLength(N * 3);
    for (let i = 0; i < logits!.length; i++) expect(logits![i]).toBeCloseTo(want![i]!, 4);
    for (let n = 0; n < N; n++) {
      const row = Array.from(logits!.subarray(n * 3, n * 3 + 3));
      const max = Math.max(...row);
      const exp = row.map((z) => Math.exp(z - max));
      const sum = exp.reduce((a, b) => a + b, 0);
      exp.forEach((e, k) => expect(probabilities![n * 3 + k]).toBeCloseTo(e / sum, 5));
    }
  });

  it('leaves identity steps out, and names its tensors around the graph own', async () => {
    const b = new GraphBuilder();
    const x = b.input('input', [BATCH, 3]);
    const logits = b.dense(b.relu(b.dense(x, { name: 'probabilities', outFeatures: 4 })), {
      name: 'out',
      outFeatures: 2,
    });
    const g = b.build([logits]);
    const identity = { inputScale: 1, mean: [0, 0, 0], std: [1, 1, 1] };
    const exported = buildExportModel(g, initParameters(g, new Rng(1)), {
      input: 'input',
      logits: 'out',
      normalization: identity,
      producerVersion: '',
    });
    expect(exported.input.name).toBe('input_1');
    expect(exported.outputs.map((o) => o.name)).toEqual(['out', 'probabilities_1']);
    const s = await Session.create(exported.bytes);
    try {
      expect(s.inputNames).toEqual(['input_1']);
      const out = await s.run({ input_1: float32([1, 3], [1, 2, 3]) });
      const want = await Session.create(lowerInference(g, initParameters(g, new Rng(1))));
      const ref = await want.run({ input: float32([1, 3], [1, 2, 3]) });
      await want.dispose();
      expect(Array.from(out['out']!.data as Float32Array)).toEqual(
        Array.from(ref['out']!.data as Float32Array),
      );
    } finally {
      await s.dispose();
    }
  });

  it('exportedAccuracy counts arg-max hits of the model it is given', async () => {
    const exported = buildExportModel(graph, params, {
      input: 'x',
      logits: 'logits',
      normalization: norm,
      producerVersion: '',
    });
    const [logits] = await outputs(exported.bytes, 'input', raw);
    const argmax = Array.from({ length: N }, (_, n) => {
      const row = Array.from(logits!.subarray(n * 3, n * 3 + 3));
      return row.indexOf(Math.max(...row));
    });
    const y = Int32Array.from(argmax, (a, n) => (n < 3 ? a : (a + 1) % 3)); // 3 of 5 right
    const data = makeDataset({
      source: 't',
      shape: [2, 6, 6],
      x: raw,
      y,
      classes: ['a', 'b', 'c'],
      inputScale: 1,
    });
    expect(
      await exportedAccuracy(exported.bytes, data, { input: 'input', output: 'logits', batchSize: 2 }),
    ).toBe(0.6);
  });
});

describe('export data helpers', () => {
  const data = makeDataset({
    source: 'bytes',
    shape: [1, 2, 2],
    x: Float32Array.from([0, 1, 128, 255, 7, 8, 9, 10], (b) => b / 255),
    y: Int32Array.from([0, 1]),
    classes: ['a', 'b'],
    inputScale: 1 / 255,
  });

  it('fileValues recovers the bytes a reader scaled, and refuses values that are not', () => {
    expect(Array.from(fileValues(data, 1 / 255).x)).toEqual([0, 1, 128, 255, 7, 8, 9, 10]);
    expect(fileValues(data, 1)).toBe(data);
    const off = { ...data, x: data.x.map((v, i) => (i === 2 ? v + 0.001 : v)) };
    expect(() => fileValues(off, 1 / 255)).toThrow(/is not an integer times the input scale/);
  });

  it('concatDatasets appends the second part', () => {
    const both = concatDatasets(data, data, 'both');
    expect(both.count).toBe(4);
    expect(Array.from(both.y)).toEqual([0, 1, 0, 1]);
    expect(Array.from(both.x.subarray(8))).toEqual(Array.from(data.x));
    expect(both.source).toBe('both');
  });
});
