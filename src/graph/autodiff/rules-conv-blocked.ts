import { NCHWC_DOMAIN, blockedValue } from '../lower/nchwc.js';
import { attr } from '../onnx/index.js';
import type { NodeOf, Shape } from '../types.js';
import { paramGradOut, type GradContext } from './context.js';
import { chw } from './rules-spatial.js';

/**
 * Dense conv weight gradient on ONNX Runtime's blocked (NCHWc) kernels, for inputs of whole channel
 * blocks: dW[m, c, i, j] = sum over n, p of dy[n, m, p] x_(i,j)[n, c, p], where x_(i,j) is the input
 * shifted by kernel tap (i, j) under the conv's stride, padding and dilation. Each shift is a blocked
 * depthwise Conv with a constant one-hot kernel, whose output is laid out [N, C/B, P, B]: per image and
 * channel block, a [P, B] matrix, so one batched MatMul per tap contracts dy [N, 1, M, P] with it
 * ([N, C/B, M, B]) and nothing is transposed. The taps' products are concatenated, summed over the
 * batch and put in the weight's order (a transpose of the small result). A 1x1 conv at stride 1 and no
 * padding needs no shift: the reordered input is its one tap.
 *
 * About two thirds of the im2col path's time (rules-conv.ts) on the small CNN's conv2: per-node times
 * from `npx tsx scripts/bench/profile-train.ts cnn`, with NASLAB_NCHWC=off for the im2col path; figures in
 * docs/benchmarks.md, "Kernel choices and their measurements".
 */
export function blockedWeightGrad(
  ctx: GradContext,
  node: NodeOf<'conv2d'>,
  dy: string,
  inputShape: Shape,
  block: number,
): string {
  const a = node.attrs;
  const x = node.inputs[0] as string;
  const [c] = chw(inputShape);
  const [m, ho, wo] = chw(node.output.shape);
  const [kh, kw] = a.kernel;
  const taps = kh * kw;
  const domain = { domain: NCHWC_DOMAIN };
  // The forward pass's blocked copy of x when it ran blocked, else a new one.
  const xBlocked = blockedValue(ctx.mb, x);
  const identity = taps === 1 && a.stride.every((s) => s === 1) && a.pads.every((p) => p === 0);
  const tapView = ctx.ints(node, 'tapView', [0, c / block, ho * wo, block]);
  const dyRows = ctx.op(node, 'Reshape', [dy, ctx.ints(node, 'dyRows', [0, 1, m, ho * wo])], 'dyRows');
  const products: string[] = [];
  for (let t = 0; t < taps; t++) {
    let shifted = xBlocked;
    if (!identity) {
      // The depthwise filter's blocked layout is [C/B, 1, kh, kw, B]: a 1 at tap t for every channel.
      const onehot = new Float32Array(c * taps);
      for (let blk = 0; blk < c / block; blk++)
        for (let b = 0; b < block; b++) onehot[(blk * taps + t) * block + b] = 1;
      const kernel = ctx.floats(node, `tap${t}`, [c, 1, kh, kw], onehot);
      shifted = ctx.mb.op(
        'Conv',
        [xBlocked, kernel],
        {
          kernel_shape: attr.ints(a.kernel),
          strides: attr.ints(a.stride),
          pads: attr.ints(a.pads),
          dilations: attr.ints(a.dilation),
          group: attr.int(c),
        },
        { ...domain, name: ctx.mb.uniqueName(`${node.name}.d.tap${t}`) },
      );
    }
    const view = ctx.op(node, 'Reshape', [shifted, tapView], `tap${t}View`);
    products.push(ctx.op(node, 'MatMul', [dyRows, view], `tap${t}Product`));
  }
  const all =
    taps === 1 ? (products[0] as string) : ctx.op(node, 'Concat', products, 'taps', { axis: attr.int(3) });
  const summed = ctx.op(node, 'ReduceSum', [all, ctx.ints(node, 'batchAxis', [0])], 'dWsum', {
    keepdims: attr.int(0),
  });
  // [C/B, M, taps*B] -> [C/B, M, taps, B] -> [M, C/B, B, taps] = [M, C, kh, kw].
  const split = ctx.op(
    node,
    'Reshape',
    [summed, ctx.ints(node, 'dWsplit', [c / block, m, taps, block])],
    'dWsplit',
  );
  const ordered = ctx.op(node, 'Transpose', [split], 'dWorder', { perm: attr.ints([1, 0, 3, 2]) });
  return ctx.op(
    node,
    'Reshape',
    [ordered, ctx.ints(node, 'wShape', [m, c, kh, kw])],
    'dW',
    {},
    paramGradOut(node, 'weight'),
  );
}
