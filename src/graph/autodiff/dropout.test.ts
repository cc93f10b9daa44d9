import { describe, expect, it } from 'vitest';
import { Session } from '../../runtime/session.js';
import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { float32 } from '../onnx/index.js';
import { BATCH } from '../types.js';
import { gradientName } from './context.js';
import { dataFor, randomParams } from './gradcheck.testkit.js';
import { dropoutSeed } from './dropout.js';
import { buildTrainingGradients } from './training.js';

const RATE = 0.25;
const [IN, HIDDEN, CLASSES, BATCH_SIZE] = [4, 32, 3, 16];

/** x -> dense h -> dropout p -> dense head -> loss. */
function net(): Graph {
  const b = new GraphBuilder();
  const h = b.dense(b.input('x', [BATCH, IN]), { name: 'h', outFeatures: HIDDEN });
  const p = b.dropout(h, { name: 'p', rate: RATE });
  const logits = b.dense(p, { name: 'head', outFeatures: CLASSES });
  return b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
}

/** A gradient session that also outputs the hidden layer before (h) and after (p) dropout. */
async function session(seed: number): Promise<Session> {
  const { model } = buildTrainingGradients(net(), { loss: 'loss', seed });
  model.output('h', 'float32', [BATCH_SIZE, HIDDEN]);
  model.output('p', 'float32', [BATCH_SIZE, HIDDEN]);
  return Session.create(model.toBytes());
}

const graph = net();
const params = randomParams(graph, 3);
const data = dataFor(graph, BATCH_SIZE, CLASSES, 4);
const feeds = () => ({
  ...data,
  ...Object.fromEntries(
    graph.params.map((q) => [q.name, float32(q.shape, params.get(q.name) as Float32Array)]),
  ),
});

async function masksOf(seed: number, runs: number): Promise<string[]> {
  const s = await session(seed);
  try {
    const out: string[] = [];
    for (let r = 0; r < runs; r++) {
      const p = (await s.run(feeds(), ['p'])).p?.data as Float32Array;
      out.push(Array.from(p, (v) => (v === 0 ? '0' : '1')).join(''));
    }
    return out;
  } finally {
    await s.dispose();
  }
}

describe('training-mode dropout', () => {
  it('drops about `rate` of the elements and scales the rest by 1 / (1 - rate)', async () => {
    const s = await session(7);
    try {
      const out = await s.run(feeds(), ['h', 'p']);
      const h = out.h?.data as Float32Array;
      const p = out.p?.data as Float32Array;
      let dropped = 0;
      for (let i = 0; i < h.length; i++) {
        if (p[i] === 0) dropped++;
        else expect(p[i]).toBeCloseTo((h[i] as number) / (1 - RATE), 5);
      }
      expect(dropped / h.length).toBeGreaterThan(RATE - 0.08);
      expect(dropped / h.length).toBeLessThan(RATE + 0.08);
    } finally {
      await s.dispose();
    }
  });

  it('back-propagates through the same mask: dW_h = x^T (dlogits W_head^T * mask / (1 - rate))', async () => {
    const s = await session(11);
    try {
      const out = await s.run(feeds());
      const x = data.x?.data as Float32Array;
      const labels = data.labels?.data as BigInt64Array;
      const p = out.p?.data as Float32Array;
      const h = out.h?.data as Float32Array;
      const wHead = params.get('head.weight') as Float32Array; // [HIDDEN, CLASSES]
      const bHead = params.get('head.bias') as Float32Array;
      const expected = new Float64Array(IN * HIDDEN);
      for (let n = 0; n < BATCH_SIZE; n++) {
        const logits = Array.from({ length: CLASSES }, (_, c) => {
          let z = bHead[c] as number;
          for (let j = 0; j < HIDDEN; j++)
            z += (p[n * HIDDEN + j] as number) * (wHead[j * CLASSES + c] as number);
          return z;
        });
        const max = Math.max(...logits);
        const exp = logits.map((z) => Math.exp(z - max));
        const sum = exp.reduce((a, b) => a + b, 0);
        const dlogits = exp.map((e, c) => (e / sum - (BigInt(c) === labels[n] ? 1 : 0)) / BATCH_SIZE);
        for (let j = 0; j < HIDDEN; j++) {
          const kept = p[n * HIDDEN + j] !== 0 || h[n * HIDDEN + j] === 0 ? 1 : 0;
          let dp = 0;
          for (let c = 0; c < CLASSES; c++) dp += (dlogits[c] as number) * (wHead[j * CLASSES + c] as number);
          const dh = (dp * kept) / (1 - RATE);
          for (let i = 0; i < IN; i++)
            expected[i * HIDDEN + j] = (expected[i * HIDDEN + j] as number) + (x[n * IN + i] as number) * dh;
        }
      }
      const got = out[gradientName('h.weight')]?.data as Float32Array;
      const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(scale).toBeGreaterThan(1e-3);
      for (let i = 0; i < got.length; i++)
        expect(Math.abs((got[i] as number) - (expected[i] as number))).toBeLessThan(
          1e-5 * Math.max(1, scale),
        );
    } finally {
      await s.dispose();
    }
  });

  it('draws a new mask every step, the same sequence for the same seed, another for another seed', async () => {
    const [a, b, c] = await Promise.all([masksOf(5, 3), masksOf(5, 3), masksOf(6, 3)]);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(3);
    expect(c).not.toEqual(a);
  });

  it('gives each dropout node its own stream, as a positive 31-bit ONNX seed', () => {
    expect(dropoutSeed(0, 'p1')).not.toBe(dropoutSeed(0, 'p2'));
    expect(dropoutSeed(1, 'p1')).not.toBe(dropoutSeed(0, 'p1'));
    for (const s of [0, 1, 0xffffffff]) {
      expect(dropoutSeed(s, 'p')).toBeGreaterThanOrEqual(0);
      expect(dropoutSeed(s, 'p')).toBeLessThan(2 ** 31);
    }
  });
});
