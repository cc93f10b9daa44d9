import { describe, expect, it } from 'vitest';
import { Session } from '../../runtime/session.js';
import { GraphBuilder } from '../builder.js';
import { countFlops, countParams } from '../count.js';
import type { Graph } from '../graph.js';
import { graphFromJSON } from '../json.js';
import { lowerInference } from '../lower/inference.js';
import { float32, type TensorData } from '../onnx/index.js';
import { BATCH } from '../types.js';
import { gradientName } from './context.js';
import { dataFor, gradCheck, randomParams } from './gradcheck.testkit.js';
import { buildTrainingGradients } from './training.js';

/**
 * The mixture op (DARTS's mixed op): x [N,2,4,4] -> conv c1 -> mixture of (conv c2, relu, zero,
 * identity) -> head. The zero term checks a constant input; c1 and c2 check the input gradients.
 */
function mixed(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 2, 4, 4]);
  const h = b.conv2d(x, { name: 'c1', outChannels: 3, kernel: 3, padding: 1 });
  const terms = [
    b.conv2d(h, { name: 'c2', outChannels: 3, kernel: 3, padding: 1 }),
    b.relu(h, { name: 'r' }),
    b.zero(h, { name: 'z' }),
    b.identity(h, { name: 'i' }),
  ];
  const m = b.mixture(terms, { name: 'mix' });
  const logits = b.dense(b.flatten(m), { name: 'head', outFeatures: 3 });
  return b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
}

function softmax(a: readonly number[]): number[] {
  const top = Math.max(...a);
  const e = a.map((v) => Math.exp(v - top));
  const z = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / z);
}

describe('mixture (DARTS mixed op)', () => {
  it('infers the shape, owns alpha [k] (counted as parameters, no MACs) and survives JSON', () => {
    const g = mixed();
    const node = g.node('mix');
    expect(node?.output.shape).toEqual([BATCH, 3, 4, 4]);
    expect(node?.params.map((p) => [p.name, p.role, p.shape])).toEqual([['mix.alpha', 'alpha', [4]]]);
    // c1 57 + c2 84 + head 147 + alpha 4; MACs: c1 912 + c2 1344 + head 147, the mixture none.
    expect(countParams(g)).toBe(292);
    expect(countFlops(g)).toBe(2403);
    const back = graphFromJSON(JSON.parse(JSON.stringify(g.toJSON())));
    expect(back.toJSON()).toEqual(g.toJSON());
    const b = new GraphBuilder();
    const x = b.input('x', [BATCH, 2, 4, 4]);
    const y = b.input('y', [BATCH, 2, 4, 5]);
    expect(() => b.mixture([x, y], { name: 'bad' })).toThrow(
      /mixture 'bad': shapes \[N,2,4,4\] and \[N,2,4,5\]/,
    );
  });

  it('computes sum_i softmax(alpha)_i x_i at inference (one input: x itself)', async () => {
    for (const k of [3, 1]) {
      const b = new GraphBuilder();
      const x = b.input('x', [BATCH, 2]);
      const terms = [b.identity(x, { name: 'a' }), b.relu(x, { name: 'r' }), b.zero(x, { name: 'z' })];
      const g = b.build([b.mixture(terms.slice(0, k), { name: 'mix' })]);
      const alpha = [0.3, -0.2, 1].slice(0, k);
      const session = await Session.create(
        lowerInference(g, new Map([['mix.alpha', Float32Array.from(alpha)]])),
      );
      try {
        const xs = [1.5, -2, 0.25, 3];
        const out = (await session.run({ x: float32([2, 2], xs) }))['mix']?.data as Float32Array;
        const s = softmax(alpha);
        const want = xs.map((v) => (s[0] as number) * v + (k > 1 ? (s[1] as number) * Math.max(v, 0) : 0));
        out.forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 6));
      } finally {
        await session.dispose();
      }
    }
  });

  it('gradients of alpha and of every input agree with finite differences', async () => {
    const g = mixed();
    const result = await gradCheck(g, 'loss', dataFor(g, 2, 3, 3), randomParams(g, 103));
    for (const [name, err] of Object.entries(result.errors)) {
      expect(result.scales[name], `${name} gradient is all zero`).toBeGreaterThan(1e-3);
      expect(err, `${name}: relative error ${err}`).toBeLessThan(5e-3);
    }
    expect(Object.keys(result.errors)).toContain('mix.alpha');
  });

  it('trainable: only the selected parameters get gradients, equal to the full model, the rest is pruned', async () => {
    const g = mixed();
    const full = buildTrainingGradients(g, { loss: 'loss' });
    const arch = buildTrainingGradients(g, { loss: 'loss', trainable: (p) => p.role === 'alpha' });
    expect(arch.params.map((p) => p.name)).toEqual(['mix.alpha']);
    expect(arch.frozen.map((p) => p.name)).toEqual([
      'c1.weight',
      'c1.bias',
      'c2.weight',
      'c2.bias',
      'head.weight',
      'head.bias',
    ]);
    const spec = arch.model.spec();
    expect(spec.outputs.map((o) => o.name)).toEqual(['loss', gradientName('mix.alpha')]);
    // No weight gradient is computed: the head's, c1's and c2's backward nodes are gone.
    expect(spec.nodes.some((n) => n.outputs.includes(gradientName('head.weight')))).toBe(false);
    expect(spec.nodes.some((n) => n.opType === 'ConvTranspose')).toBe(false);
    expect(spec.nodes.length).toBeLessThan(full.model.spec().nodes.length);

    const params = randomParams(g, 7);
    const feeds: Record<string, TensorData> = { ...dataFor(g, 2, 3, 5) };
    for (const p of g.params) feeds[p.name] = float32(p.shape, params.get(p.name) as Float32Array);
    const run = async (bytes: Uint8Array): Promise<Float32Array> => {
      const s = await Session.create(bytes);
      try {
        return (await s.run(feeds, [gradientName('mix.alpha')]))[gradientName('mix.alpha')]
          ?.data as Float32Array;
      } finally {
        await s.dispose();
      }
    };
    const want = await run(full.model.toBytes());
    const got = await run(arch.model.toBytes());
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 6));
    // The softmax Jacobian's rows sum to zero: so does the gradient of alpha.
    expect(Math.abs(got.reduce((s, v) => s + v, 0))).toBeLessThan(1e-6);
  });
});
