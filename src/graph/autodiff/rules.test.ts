import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { BATCH, type Value } from '../types.js';
import { dataFor, gradCheck, randomParams } from './gradcheck.testkit.js';

/**
 * Each gradient rule against central finite differences of the same model's loss (ORT, float32, step
 * 1e-2). Every graph puts a trainable layer before the op under test, so the op's input gradient is
 * exercised through that layer's parameter gradients.
 */

const CLASSES = 3;
/**
 * Max pools: a finite difference across a point where a window's argmax changes is meaningless, and with
 * overlapping windows a conv weight's step moves many candidates, so some seeds put a near-tie inside
 * the step (the error then shrinks with the step: a kink, not a wrong rule). The seeds used avoid that.
 * Also: float32 loss differences over a 6e-3 step carry up to ~3e-4 relative noise; a wrong rule is off
 * by O(1).
 */
const TOL = 5e-3;

/** x [N, c, size, size] -> body -> flatten -> dense CLASSES -> softmax cross-entropy 'loss'. */
function net(c: number, size: number, body: (b: GraphBuilder, x: Value) => Value): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, c, size, size]);
  const h = body(b, x);
  const flat = h.shape.length === 2 ? h : b.flatten(h);
  const logits = b.dense(flat, { name: 'head', outFeatures: CLASSES });
  return b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
}

async function check(graph: Graph, seed = 1, batch = 2): Promise<void> {
  const result = await gradCheck(
    graph,
    'loss',
    dataFor(graph, batch, CLASSES, seed),
    randomParams(graph, seed + 100),
  );
  expect(Number.isFinite(result.loss)).toBe(true);
  for (const [name, err] of Object.entries(result.errors)) {
    expect(result.scales[name], `${name} gradient is all zero`).toBeGreaterThan(1e-3);
    expect(err, `${name}: relative error ${err}`).toBeLessThan(TOL);
  }
}

describe('gradient rules agree with finite differences', () => {
  it('dense (weight, bias) and softmax cross-entropy', async () => {
    await check(net(2, 2, (b, x) => b.dense(b.flatten(x), { name: 'fc', outFeatures: 5 })));
  });

  it('relu between two dense layers', async () => {
    await check(net(2, 3, (b, x) => b.relu(b.dense(b.flatten(x), { name: 'fc', outFeatures: 6 }))));
  });

  it('conv2d: stride 1, padding 1, with bias, feeding a second conv (input gradient)', async () => {
    await check(
      net(2, 5, (b, x) =>
        b.conv2d(b.conv2d(x, { name: 'c1', outChannels: 3, kernel: 3, padding: 1 }), {
          name: 'c2',
          outChannels: 2,
          kernel: 3,
          padding: 1,
        }),
      ),
    );
  });

  it('conv2d: stride 2 on an odd size (output_padding), asymmetric kernel, no bias', async () => {
    await check(
      net(2, 7, (b, x) =>
        b.conv2d(b.conv2d(x, { name: 'c1', outChannels: 3, kernel: 3, padding: 1 }), {
          name: 'c2',
          outChannels: 4,
          kernel: [3, 2],
          stride: 2,
          padding: 1,
          bias: false,
        }),
      ),
    );
  });

  it('conv2d: dilation 2 and a depthwise (grouped) conv', async () => {
    await check(
      net(2, 8, (b, x) => {
        const c1 = b.conv2d(x, { name: 'c1', outChannels: 4, kernel: 3, dilation: 2, padding: 2 });
        const dw = b.conv2d(c1, { name: 'dw', outChannels: 4, kernel: 3, padding: 1, groups: 4 });
        return b.conv2d(dw, { name: 'g2', outChannels: 4, kernel: 1, groups: 2 });
      }),
    );
  });

  it('depthwise conv2d (row-shift weight gradient, flipped-kernel input gradient): stride 2, padding, dilation', async () => {
    // rules-conv.ts's depthwise formulations: each config feeds a depthwise conv from a trainable conv
    // (input gradient) and checks its weight gradient; the padding-0 and 'same' (asymmetric) cases give
    // the flipped-kernel Conv other pads, the strided ones take the ConvTranspose.
    const configs = [
      { kernel: 3, stride: 2, padding: 1 },
      { kernel: 3, stride: 2, padding: 0 },
      { kernel: 3, stride: 1, padding: 0 },
      { kernel: 3, stride: 1, padding: 2, dilation: 2 },
      { kernel: [3, 2] as [number, number], stride: 1, padding: 'same' as const },
      { kernel: 5, stride: 3, padding: 2 },
    ];
    for (const conf of configs) {
      await check(
        net(2, 7, (b, x) => {
          const c1 = b.conv2d(x, { name: 'c1', outChannels: 3, kernel: 1 });
          return b.conv2d(c1, { name: 'dw', outChannels: 3, groups: 3, bias: false, ...conf });
        }),
      );
    }
  });

  it('maxPool 2x2 on an even and on an odd size (uncovered last row and column)', async () => {
    for (const size of [6, 7]) {
      await check(
        net(1, size, (b, x) =>
          b.maxPool(b.conv2d(x, { name: 'c1', outChannels: 2, kernel: 3, padding: 1 }), { kernel: 2 }),
        ),
      );
    }
  });

  it('maxPool 3x3 stride 3', async () => {
    await check(
      net(1, 6, (b, x) =>
        b.maxPool(b.conv2d(x, { name: 'c1', outChannels: 2, kernel: 3, padding: 1 }), { kernel: 3 }),
      ),
    );
  });

  it('maxPool 3x3 stride 2 (overlapping windows: a cell can be the max of several)', async () => {
    await check(
      net(1, 7, (b, x) =>
        b.maxPool(b.conv2d(x, { name: 'c1', outChannels: 2, kernel: 3, padding: 1 }), {
          kernel: 3,
          stride: 2,
        }),
      ),
      2,
    );
  });

  it('maxPool 3x3 stride 1 padding 1, and 3x3 stride 2 padding 1 (MetaQNN)', async () => {
    for (const stride of [1, 2]) {
      await check(
        net(1, 5, (b, x) =>
          b.maxPool(b.conv2d(x, { name: 'c1', outChannels: 2, kernel: 3, padding: 1 }), {
            kernel: 3,
            stride,
            padding: 1,
          }),
        ),
        2,
      );
    }
  });

  it('maxPool 2x2 stride 1, batch 3 (flat indices span the batch)', async () => {
    await check(
      net(2, 5, (b, x) =>
        b.maxPool(b.conv2d(x, { name: 'c1', outChannels: 2, kernel: 3, padding: 1 }), {
          kernel: 2,
          stride: 1,
        }),
      ),
      1,
      3,
    );
  });

  it('globalAvgPool, reshape and identity', async () => {
    await check(
      net(2, 4, (b, x) => {
        const c = b.conv2d(x, { name: 'c1', outChannels: 3, kernel: 3, padding: 1 });
        const g = b.reshape(b.globalAvgPool(b.identity(c)), { shape: [3] });
        return g;
      }),
    );
  });

  it('a value read by several nodes sums their gradients (residual add)', async () => {
    await check(
      net(2, 4, (b, x) => {
        const a = b.relu(b.conv2d(x, { name: 'c1', outChannels: 3, kernel: 3, padding: 1 }));
        const r = b.conv2d(a, { name: 'c2', outChannels: 3, kernel: 3, padding: 1 });
        return b.add([a, r, a]);
      }),
    );
  });
  it('avgPool 2x2 on an even and on an odd size (uncovered last row and column)', async () => {
    for (const size of [6, 7]) {
      await check(
        net(1, size, (b, x) =>
          b.avgPool(b.conv2d(x, { name: 'c1', outChannels: 2, kernel: 3, padding: 1 }), { kernel: 2 }),
        ),
      );
    }
  });

  it('avgPool 3x3 stride 2 padding 1, with and without the padding in the divisor', async () => {
    for (const countIncludePad of [true, false]) {
      await check(
        net(1, 6, (b, x) =>
          b.avgPool(b.conv2d(x, { name: 'c1', outChannels: 2, kernel: 3, padding: 1 }), {
            kernel: 3,
            stride: 2,
            padding: 1,
            countIncludePad,
          }),
        ),
      );
    }
  });

  it('avgPool 3x3 stride 1 same padding on an odd size, asymmetric 2x3 kernel', async () => {
    await check(
      net(1, 5, (b, x) => {
        const c = b.conv2d(x, { name: 'c1', outChannels: 2, kernel: 3, padding: 1 });
        const p = b.avgPool(c, { kernel: 3, stride: 1, padding: 1 });
        return b.avgPool(b.conv2d(p, { name: 'c2', outChannels: 2, kernel: 1 }), { kernel: [2, 3] });
      }),
    );
  });

  it('concat of two branches and of one value with itself (channel split)', async () => {
    await check(
      net(2, 4, (b, x) => {
        const a = b.conv2d(x, { name: 'c1', outChannels: 2, kernel: 3, padding: 1 });
        const r = b.conv2d(a, { name: 'c2', outChannels: 3, kernel: 1 });
        return b.concat([r, a, a]);
      }),
    );
  });

  it('zero (a none edge beside a real one) and dropout at rate 0', async () => {
    await check(
      net(2, 4, (b, x) => {
        const a = b.conv2d(x, { name: 'c1', outChannels: 2, kernel: 3, padding: 1 });
        const r = b.dropout(b.conv2d(a, { name: 'c2', outChannels: 2, kernel: 1 }), { rate: 0 });
        return b.add([r, b.zero(a)]);
      }),
    );
  });

  it('batchNorm in training mode (gamma, beta, and a conv before it) on [N,C,H,W] and on [N,C]', async () => {
    await check(
      net(2, 4, (b, x) => {
        // No conv bias: batch norm cancels any per-channel shift, so its gradient would be exactly 0.
        const c = b.conv2d(x, { name: 'c1', outChannels: 3, kernel: 3, padding: 1, bias: false });
        return b.relu(b.batchNorm(c, { name: 'bn' }));
      }),
      1,
      3,
    );
    await check(
      net(2, 2, (b, x) =>
        b.batchNorm(b.dense(b.flatten(x), { name: 'fc', outFeatures: 4, bias: false }), { name: 'bn' }),
      ),
      2,
      4,
    );
  });

  it('batchNorm cancels a per-channel shift before it: the conv bias gets a zero gradient', async () => {
    const g = net(2, 4, (b, x) =>
      b.batchNorm(b.conv2d(x, { name: 'c1', outChannels: 3, kernel: 3, padding: 1 }), { name: 'bn' }),
    );
    const r = await gradCheck(g, 'loss', dataFor(g, 3, CLASSES, 5), randomParams(g, 6));
    expect(r.scales['c1.weight']).toBeGreaterThan(1e-3);
    expect(r.scales['c1.bias']).toBeLessThan(1e-5);
  });
});
