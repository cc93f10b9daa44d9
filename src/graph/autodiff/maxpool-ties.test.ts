import { describe, expect, it } from 'vitest';
import { Session } from '../../runtime/session.js';
import { GraphBuilder } from '../builder.js';
import { float32, int64 } from '../onnx/index.js';
import { BATCH } from '../types.js';
import { buildTrainingGradients } from './training.js';

/**
 * Ties inside a max-pool window are common in real networks: after a ReLU, and after a 1x1 conv over
 * positions whose inputs are all zero (each gives the bias). PyTorch routes a window's gradient to its
 * first maximum in row-major order; two cells sharing it would double that gradient upstream. With a
 * ReLU before the pool (fused into the pool's rule), a window whose maximum is not positive passes no
 * gradient. Sizes 6 and 7: 7 leaves a last row and column no tiling window covers (floor mode).
 */
describe('max pool gradient with ties', () => {
  const cases = [
    [2, 2, 0, 6, false],
    [2, 2, 0, 7, false],
    [3, 3, 0, 6, false],
    [3, 3, 0, 7, false],
    [3, 2, 1, 6, false],
    [2, 2, 0, 7, true],
    [3, 3, 0, 7, true],
    [3, 2, 1, 7, true],
  ] as const;
  for (const [kernel, stride, padding, size, relu] of cases) {
    it(`routes each window's gradient to its first maximum (kernel ${kernel}, stride ${stride}, padding ${padding}, size ${size}${relu ? ', after a ReLU' : ''})`, async () => {
      const b = new GraphBuilder();
      const x = b.input('x', [BATCH, 1, size, size]);
      // A 1x1 conv with weight 1 and bias 0 passes x through and makes the pool's input need a gradient.
      const c = b.conv2d(x, { name: 'c', outChannels: 1, kernel: 1 });
      const p = b.maxPool(relu ? b.relu(c, { name: 'r' }) : c, { name: 'p', kernel, stride, padding });
      const logits = b.dense(b.flatten(p), { name: 'head', outFeatures: 2 });
      const g = b.build([
        b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' }),
      ]);
      const { model } = buildTrainingGradients(g, { loss: 'loss' });
      const pooled = g.value('p').shape;
      const [ho, wo] = [pooled[2] as number, pooled[3] as number];
      // The gradient reaching the conv's output: what its bias gradient sums.
      const dc = model.spec().nodes.find((n) => n.outputs.includes('c.bias.grad'))?.inputs[0] as string;
      model.output(dc, 'float32', [2, 1, size, size]);
      // Few levels, so nearly every window holds ties; with the ReLU, some windows' maximum is 0. Two
      // images (a different pattern each) check that every image plane gets its own gradient.
      const levels = relu ? [-1, 0, 0, 2] : [1, 0, 0];
      const area = size * size;
      const xs = Array.from({ length: 2 * area }, (_, i) => {
        const step = i < area ? 7 : 5;
        return levels[((i % area) * step) % levels.length] as number;
      });
      const act = xs.map((v) => (relu ? Math.max(v, 0) : v));
      const labels = [1, 0];
      const outs = ho * wo;
      const head = Array.from({ length: outs * 2 }, (_, i) => ((i % 5) - 2) / 4);
      const session = await Session.create(model.toBytes());
      try {
        const out = await session.run({
          x: float32([2, 1, size, size], xs),
          labels: int64([2], labels),
          'c.weight': float32([1, 1, 1, 1], [1]),
          'c.bias': float32([1], [0]),
          'head.weight': float32([outs, 2], head),
          'head.bias': float32([2], [0, 0]),
        });
        const dx = out[dc]?.data as Float32Array;
        // Expected: the gradient of each pooled output (softmax - onehot) . head row / batch, given to
        // the first max of its window in row-major order (padding never wins).
        const expected = new Float64Array(2 * area);
        for (let img = 0; img < 2; img++) {
          const firstMax = (o: number): [number, number] => {
            const [oh, ow] = [Math.floor(o / wo), o % wo];
            let best = -Infinity;
            let at = -1;
            for (let i = 0; i < kernel; i++)
              for (let j = 0; j < kernel; j++) {
                const [r, q] = [oh * stride - padding + i, ow * stride - padding + j];
                if (r < 0 || q < 0 || r >= size || q >= size) continue;
                const v = act[img * area + r * size + q] as number;
                if (v > best) [best, at] = [v, img * area + r * size + q];
              }
            return [best, at];
          };
          const logit = [0, 1].map((k) => {
            let z = 0;
            for (let o = 0; o < outs; o++) z += firstMax(o)[0] * (head[o * 2 + k] as number);
            return z;
          });
          const e = logit.map((z) => Math.exp(z - Math.max(...logit)));
          const dlogit = e.map((v, k) => (v / (e[0]! + e[1]!) - (k === labels[img] ? 1 : 0)) / 2);
          for (let o = 0; o < outs; o++) {
            const dyo = dlogit[0]! * head[o * 2]! + dlogit[1]! * head[o * 2 + 1]!;
            const [best, at] = firstMax(o);
            // The ReLU passes the gradient where its output is positive.
            if (!relu || best > 0) expected[at] = (expected[at] as number) + dyo;
          }
        }
        expect(Array.from(dx, (v) => Number(v.toFixed(5)))).toEqual(
          Array.from(expected, (v) => Number(v.toFixed(5))),
        );
      } finally {
        await session.dispose();
      }
    });
  }

  it('runs on a window of NaNs (a diverged step): NaN loss, no out-of-range MaxUnpool index', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [BATCH, 1, 4, 4]);
    const p = b.maxPool(b.conv2d(x, { name: 'c', outChannels: 1, kernel: 1 }), { name: 'p', kernel: 2 });
    const logits = b.dense(b.flatten(p), { name: 'head', outFeatures: 2 });
    const g = b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
    const session = await Session.create(buildTrainingGradients(g, { loss: 'loss' }).model.toBytes());
    try {
      // The last window (rows 2-3, columns 2-3) is all NaN: nothing in it equals its max.
      const xs = Array.from({ length: 16 }, (_, i) => (i % 4 >= 2 && i >= 8 ? NaN : 1));
      const out = await session.run({
        x: float32([1, 1, 4, 4], xs),
        labels: int64([1], [1]),
        'c.weight': float32([1, 1, 1, 1], [1]),
        'c.bias': float32([1], [0]),
        'head.weight': float32([4, 2], new Array<number>(8).fill(0.1)),
        'head.bias': float32([2], [0, 0]),
      });
      expect(Number.isNaN(out.loss?.data[0])).toBe(true);
    } finally {
      await session.dispose();
    }
  });
});
