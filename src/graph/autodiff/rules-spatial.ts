import { attr, float32 } from '../onnx/index.js';
import type { NodeOf, Shape } from '../types.js';
import { type GradContext, type GradResult } from './context.js';

/** [N, C, H, W] -> its static C, H, W (the batch may be symbolic). */
export function chw(shape: Shape): [number, number, number] {
  return [shape[1] as number, shape[2] as number, shape[3] as number];
}

/**
 * MaxPool. Non-overlapping, unpadded square pools (stride = kernel, padding 0) take the fast tiling path
 * (maxPoolTilingGrad); any other kernel, stride and padding (MetaQNN's 3x3 stride 2, padding 1)
 * takes the general Indices + ScatterElements path (maxPoolScatterGrad). Both give each window's
 * gradient to its first maximum in row-major order, as PyTorch.
 *
 * A ReLU read by this pool alone (conv-relu-pool) is fused (ctx.poolMasksRelu): only window maxima get
 * a gradient, and a maximum's ReLU output is the pooled value, so masking dy by (pooled > 0) here, at
 * the pool's output size, gives exactly the ReLU rule's product, which then passes the gradient
 * through instead of masking the k*k times larger input (measured by scripts/bench/profile-train.ts;
 * figures in docs/benchmarks.md, "Kernel choices and their measurements").
 */
export function maxPoolGrad(
  ctx: GradContext,
  node: NodeOf<'maxPool'>,
  dy: string,
  inputShape: Shape,
): GradResult {
  const x = node.inputs[0] as string;
  if (!ctx.wants(x)) return { inputs: [null] };
  const { kernel, stride, pads } = node.attrs;
  const [, h, w] = chw(inputShape);
  const tiles =
    kernel[0] === kernel[1] &&
    stride[0] === kernel[0] &&
    stride[1] === kernel[1] &&
    pads.every((p) => p === 0) &&
    h * w <= MAX_EXACT_RANK;
  const dyMasked = ctx.poolMasksRelu(x) ? reluMask(ctx, node, dy) : dy;
  return {
    inputs: [
      tiles ? maxPoolTilingGrad(ctx, node, dyMasked, inputShape) : maxPoolScatterGrad(ctx, node, dyMasked),
    ],
  };
}

/** float32 holds every integer up to 2^24 exactly: the tiling path's ranks (H W at most). */
const MAX_EXACT_RANK = 2 ** 24;

/**
 * dy where the pooled value is positive: the fused ReLU's mask, at the pool's output size, as the ReLU
 * rule computes it (Greater, Cast, Mul). ONNX Runtime's Sign, one op fewer, is not vectorised, so
 * Sign + Mul is the slower of the two (scripts/bench/profile-train.ts; figures in
 * docs/benchmarks.md, "Kernel choices and their measurements").
 */
function reluMask(ctx: GradContext, node: NodeOf<'maxPool'>, dy: string): string {
  const positive = ctx.op(node, 'Greater', [node.name, ctx.floats(node, 'zero', [], [0])], 'reluMask');
  return ctx.op(node, 'Mul', [dy, ctx.toFloat(node, positive, 'reluMaskF')], 'dyRelu');
}

/**
 * Non-overlapping square max pool (stride = kernel, no padding), from fast kernels of ONNX Runtime's
 * CPU provider: x == up(y) (Resize, nearest) marks every maximum; each cell's rank H W - (its flat
 * index in the image plane) falls in row-major order, so a MaxPool over (marked * rank) gives each
 * window's first maximum's rank, hence that cell's index, and MaxUnpool writes dy there and zeros
 * everywhere else (rows/columns no window covered, floor mode, included). Exact on ties (common after
 * a ReLU, or a 1x1 conv over all-zero inputs: the bias everywhere), which must not receive a window's
 * gradient twice (PyTorch picks the first). Ranks are float32 integers: exact while H W <= 2^24
 * (maxPoolGrad sends larger planes to the general path).
 *
 * The fastest exact formulation of the ones tried (SpaceToDepth + CumSum, ArgMax over windows, strided
 * Slices, MaxPool Indices + ScatterElements, Resize + Equal routing without MaxUnpool...):
 * `npx tsx scripts/bench/maxpool-grad.ts` times each against the others and checks it on ties; figures
 * in docs/benchmarks.md, "Kernel choices and their measurements".
 */
function maxPoolTilingGrad(ctx: GradContext, node: NodeOf<'maxPool'>, dy: string, inputShape: Shape): string {
  const x = node.inputs[0] as string;
  const k = node.attrs.kernel[0];
  const [c, h, w] = chw(inputShape);
  const [, ho, wo] = chw(node.output.shape);
  const hc = ho * k;
  const wc = wo * k;
  const xc =
    hc < h || wc < w
      ? ctx.op(
          node,
          'Slice',
          [
            x,
            ctx.ints(node, 'starts', [0, 0]),
            ctx.ints(node, 'ends', [hc, wc]),
            ctx.ints(node, 'axes', [2, 3]),
          ],
          'xCrop',
        )
      : x;
  const scales = ctx.floats(node, 'scales', [4], [1, 1, k, k]);
  const yUp = ctx.op(node, 'Resize', [node.name, '', scales], 'yUp', {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  });
  const ranks = new Float32Array(hc * wc);
  for (let i = 0; i < hc; i++) for (let j = 0; j < wc; j++) ranks[i * wc + j] = h * w - (i * w + j);
  const rank = ctx.floats(node, 'rank', [hc, wc], ranks);
  const isMax = ctx.toFloat(node, ctx.op(node, 'Equal', [xc, yUp], 'isMax'), 'isMaxF');
  const ranked = ctx.op(node, 'Mul', [isMax, rank], 'ranked');
  const window = { kernel_shape: attr.ints([k, k]), strides: attr.ints([k, k]) };
  const best = ctx.op(node, 'MaxPool', [ranked], 'best', window);
  // A window of NaNs marks nothing (best 0, an index past its plane, which MaxUnpool rejects): rank 1
  // keeps its index in range; that step's loss is NaN anyway, and training stops on it.
  const valid = ctx.op(node, 'Max', [best, ctx.floats(node, 'minRank', [], [1])], 'bestValid');
  const best64 = ctx.op(node, 'Cast', [valid], 'best64', { to: attr.int(7) });
  // The first max's flat index: (its plane's id + 1) H W - its rank, the plane id n C + c known at
  // run time only (N is symbolic).
  const shape = ctx.op(node, 'Shape', [x], 'shape');
  const nc = ctx.op(
    node,
    'Slice',
    [shape, ctx.ints(node, 'ncStart', [0]), ctx.ints(node, 'ncEnd', [2])],
    'nc',
  );
  const planes = ctx.op(node, 'ReduceProd', [nc], 'planes', { keepdims: attr.int(0) });
  const one = ctx.ints(node, 'one', [1], []);
  const ids = ctx.op(node, 'Range', [one, ctx.op(node, 'Add', [planes, one], 'planesEnd'), one], 'planeIds');
  const ends = ctx.op(node, 'Mul', [ids, ctx.ints(node, 'area64', [h * w], [])], 'planeEnds');
  const planeEnds = ctx.op(
    node,
    'Reshape',
    [ends, ctx.ints(node, 'planeShape', [-1, c, 1, 1])],
    'planeEnds4',
  );
  const indices = ctx.op(node, 'Sub', [planeEnds, best64], 'indices');
  return ctx.op(node, 'MaxUnpool', [dy, indices, shape], 'dx', window);
}

/**
 * Any max pool (overlapping windows, padding): the forward MaxPool is re-run with its Indices output,
 * ONNX's flat row-major indices into the whole [N, C, H, W] input (padding never wins: it pools as
 * -inf), and ScatterElements (reduction 'add', opset 16+) adds each dy into zeros of the flattened
 * input, so an input cell that is the max of several overlapping windows gets the sum of their
 * gradients. Ties: Indices names one cell per window (ONNX Runtime keeps the first max in row-major
 * window order, as PyTorch does), so a tie's gradient goes to that cell alone, as on the tiling path.
 * MaxPool with its Indices output costs many times the plain MaxPool (scripts/bench/maxpool-grad.ts;
 * figures in docs/benchmarks.md, "Kernel choices and their measurements"), hence only here, where the tiling
 * path cannot express the windows.
 */
function maxPoolScatterGrad(ctx: GradContext, node: NodeOf<'maxPool'>, dy: string): string {
  const x = node.inputs[0] as string;
  const { kernel, stride, pads } = node.attrs;
  const maxName = ctx.mb.uniqueName(`${node.name}.d.max`);
  const indices = ctx.mb.uniqueName(`${node.name}.d.indices`);
  ctx.mb.node(
    'MaxPool',
    [x],
    [maxName, indices],
    { kernel_shape: attr.ints(kernel), strides: attr.ints(stride), pads: attr.ints(pads) },
    { name: indices },
  );
  const flat = ctx.ints(node, 'flat', [-1]);
  const flatIdx = ctx.op(node, 'Reshape', [indices, flat], 'flatIndices');
  const flatDy = ctx.op(node, 'Reshape', [dy, flat], 'flatDy');
  const shape = ctx.op(node, 'Shape', [x], 'shape');
  const zeros = ctx.op(node, 'ConstantOfShape', [shape], 'zeros', { value: attr.tensor(float32([1], [0])) });
  const flatZeros = ctx.op(node, 'Reshape', [zeros, flat], 'flatZeros');
  const flatDx = ctx.op(node, 'ScatterElements', [flatZeros, flatIdx, flatDy], 'flatDx', {
    axis: attr.int(0),
    reduction: attr.string('add'),
  });
  return ctx.op(node, 'Reshape', [flatDx, shape], 'dx');
}

/** y = mean over H x W: every input position gets dy / (H W). */
export function globalAvgPoolGrad(
  ctx: GradContext,
  node: NodeOf<'globalAvgPool'>,
  dy: string,
  inputShape: Shape,
): GradResult {
  const x = node.inputs[0] as string;
  if (!ctx.wants(x)) return { inputs: [null] };
  const [, h, w] = chw(inputShape);
  const scaled = ctx.op(node, 'Mul', [dy, ctx.floats(node, 'invArea', [], [1 / (h * w)])], 'scaled');
  const shape = ctx.op(node, 'Shape', [x], 'shape');
  return { inputs: [ctx.op(node, 'Expand', [scaled, shape], 'dx')] };
}

/**
 * AveragePool, any kernel, stride and padding (floor mode, as the IR infers): each output position
 * spreads dy / divisor evenly over its window. The divisor per output position is static (kh*kw, or
 * with countIncludePad false the window's cells inside the unpadded input), so dy is scaled by a
 * constant [Ho, Wo] map, then a depthwise ConvTranspose with an all-ones kernel scatters it back;
 * output_padding restores rows and columns no window reached, as in the conv rule.
 */
export function avgPoolGrad(
  ctx: GradContext,
  node: NodeOf<'avgPool'>,
  dy: string,
  inputShape: Shape,
): GradResult {
  const x = node.inputs[0] as string;
  if (!ctx.wants(x)) return { inputs: [null] };
  const { kernel, stride, pads, countIncludePad } = node.attrs;
  const [c, h, w] = chw(inputShape);
  const [, ho, wo] = chw(node.output.shape);
  const [kh, kw] = kernel;
  const [sh, sw] = stride;
  const [pt, pl, pb, pr] = pads;
  const inverse = new Float32Array(ho * wo);
  for (let i = 0; i < ho; i++) {
    for (let j = 0; j < wo; j++) {
      const rows = Math.min(i * sh - pt + kh, h) - Math.max(i * sh - pt, 0);
      const cols = Math.min(j * sw - pl + kw, w) - Math.max(j * sw - pl, 0);
      inverse[i * wo + j] = 1 / (countIncludePad ? kh * kw : rows * cols);
    }
  }
  const scaled = ctx.op(node, 'Mul', [dy, ctx.floats(node, 'invCount', [ho, wo], inverse)], 'scaled');
  const ones = ctx.floats(node, 'ones', [c, 1, kh, kw], new Float32Array(c * kh * kw).fill(1));
  const outPad = [h - ((ho - 1) * sh + kh - pt - pb), w - ((wo - 1) * sw + kw - pl - pr)];
  const dx = ctx.op(node, 'ConvTranspose', [scaled, ones], 'dx', {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(stride),
    pads: attr.ints(pads),
    group: attr.int(c),
    output_padding: attr.ints(outPad),
  });
  return { inputs: [dx] };
}
