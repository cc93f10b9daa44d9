import { describe, expect, it } from 'vitest';
import { Session } from '../../runtime/session.js';
import { GraphBuilder } from '../builder.js';
import { float32, int64 } from '../onnx/index.js';
import { BATCH } from '../types.js';
import { buildTrainingGradients } from './training.js';

/**
 * Ties inside a max-pool window are common in real networks: after a ReLU, and after a 1x1 conv over
 * positions whose inputs are all zero (each gives the bias). PyTorch routes a window's gradient to its
 * first maximum in row-major order; two cells sharing it would double that gradient upstream.
 */
describe('max pool gradient with ties', () => {
  for (const [kernel, stride, padding] of [
    [2, 2, 0],
    [3, 3, 0],
    [3, 2, 1],
  ] as const) {
    it(`routes each window's gradient to its first maximum (kernel ${kernel}, stride ${stride}, padding ${padding})`, async () => {
      const size = 6;
      const b = new GraphBuilder();
      const x = b.input('x', [BATCH, 1, size, size]);
      // A 1x1 conv with weight 1 and bias 0 passes x through and makes the pool's input need a gradient.
      const c = b.conv2d(x, { name: 'c', outChannels: 1, kernel: 1 });
      const p = b.maxPool(c, { name: 'p', kernel, stride, padding });
      const logits = b.dense(b.flatten(p), { name: 'head', outFeatures: 2 });
      const g = b.build([
        b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' }),
      ]);
      const { model } = buildTrainingGradients(g, { loss: 'loss' });
      const pooled = g.value('p').shape;
      const [ho, wo] = [pooled[2] as number, pooled[3] as number];
      model.output('p.d.dx', 'float32', [1, 1, size, size]);
      // Every value is one of two levels, so nearly every window holds ties.
      const xs = Array.from({ length: size * size }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
      const outs = ho * wo;
      const head = Array.from({ length: outs * 2 }, (_, i) => ((i % 5) - 2) / 4);
      const session = await Session.create(model.toBytes());
      try {
        const out = await session.run({
          x: float32([1, 1, size, size], xs),
          labels: int64([1], [1]),
          'c.weight': float32([1, 1, 1, 1], [1]),
          'c.bias': float32([1], [0]),
          'head.weight': float32([outs, 2], head),
          'head.bias': float32([2], [0, 0]),
        });
        const dx = out['p.d.dx']?.data as Float32Array;
        // Expected: the gradient of each pooled output (softmax - onehot) . head row, given to the
        // first max of its window in row-major order (padding never wins).
        const logit = [0, 1].map((k) => {
          let z = 0;
          for (let o = 0; o < outs; o++) {
            const [oh, ow] = [Math.floor(o / wo), o % wo];
            let best = -Infinity;
            for (let i = 0; i < kernel; i++)
              for (let j = 0; j < kernel; j++) {
                const [r, q] = [oh * stride - padding + i, ow * stride - padding + j];
                if (r >= 0 && q >= 0 && r < size && q < size)
                  best = Math.max(best, xs[r * size + q] as number);
              }
            z += best * (head[o * 2 + k] as number);
          }
          return z;
        });
        const e = logit.map((z) => Math.exp(z - Math.max(...logit)));
        const dlogit = e.map((v, k) => v / (e[0]! + e[1]!) - (k === 1 ? 1 : 0));
        const expected = new Float64Array(size * size);
        for (let o = 0; o < outs; o++) {
          const [oh, ow] = [Math.floor(o / wo), o % wo];
          const dyo = dlogit[0]! * head[o * 2]! + dlogit[1]! * head[o * 2 + 1]!;
          let best = -Infinity;
          let at = -1;
          for (let i = 0; i < kernel; i++)
            for (let j = 0; j < kernel; j++) {
              const [r, q] = [oh * stride - padding + i, ow * stride - padding + j];
              if (r < 0 || q < 0 || r >= size || q >= size) continue;
              if ((xs[r * size + q] as number) > best)
                [best, at] = [xs[r * size + q] as number, r * size + q];
            }
          expected[at] = (expected[at] as number) + dyo;
        }
        expect(Array.from(dx, (v) => Number(v.toFixed(5)))).toEqual(
          Array.from(expected, (v) => Number(v.toFixed(5))),
        );
      } finally {
        await session.dispose();
      }
    });
  }
});
