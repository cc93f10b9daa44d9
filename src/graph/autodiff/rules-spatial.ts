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
 * takes the general Indices + ScatterElements path (maxPoolScatterGrad).
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
  const tiles =
    kernel[0] === kernel[1] &&
    stride[0] === kernel[0] &&
    stride[1] === kernel[1] &&
    pads.every((p) => p === 0);
  return {
    inputs: [tiles ? maxPoolTilingGrad(ctx, node, dy, inputShape) : maxPoolScatterGrad(ctx, node, dy)],
  };
}

/**
 * Non-overlapping square max pool (stride = kernel, no padding): SpaceToDepth lays each window's k*k
 * elements along a new axis, Equal against the pooled max marks the maxima, and CumSum keeps only the
 * first in row-major order (PyTorch's choice: a tie, common after a ReLU or a 1x1 conv over all-zero
 * inputs, must not receive the gradient twice). DepthToSpace puts the routed gradient back in place;
 * rows/columns no window covered (floor mode) get zero.
 */
function maxPoolTilingGrad(ctx: GradContext, node: NodeOf<'maxPool'>, dy: string, inputShape: Shape): string {
  const x = node.inputs[0] as string;
  const k = node.attrs.kernel[0];
  const [c, h, w] = chw(inputShape);
  const [, ho, wo] = chw(node.output.shape);
  const hc = ho * k;
  const wc = wo * k;
  const cropped = hc < h || wc < w;
  const xc = cropped
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
  const block = { blocksize: attr.int(k) };
  const windows = ctx.ints(node, 'windows', [0, k * k, c, ho, wo]);
  const xw = ctx.op(node, 'Reshape', [ctx.op(node, 'SpaceToDepth', [xc], 'xBlocks', block), windows], 'xWin');
  const axis1 = ctx.ints(node, 'axis1', [1]);
  const yw = ctx.op(node, 'Unsqueeze', [node.name, axis1], 'yWin');
  const isMax = ctx.toFloat(node, ctx.op(node, 'Equal', [xw, yw], 'isMax'), 'isMaxF');
  const seen = ctx.op(node, 'CumSum', [isMax, ctx.ints(node, 'cumAxis', [1])], 'seen');
  const one = ctx.floats(node, 'one', [], [1]);
  const firstSeen = ctx.toFloat(node, ctx.op(node, 'Equal', [seen, one], 'firstSeen'), 'firstSeenF');
  const first = ctx.op(node, 'Mul', [isMax, firstSeen], 'first');
  const routed = ctx.op(node, 'Mul', [first, ctx.op(node, 'Unsqueeze', [dy, axis1], 'dyWin')], 'routed');
  const blocks = ctx.ints(node, 'blocks', [0, k * k * c, ho, wo]);
  const flat = ctx.op(node, 'Reshape', [routed, blocks], 'dxBlocks');
  const dxc = ctx.op(node, 'DepthToSpace', [flat], cropped ? 'dxCrop' : 'dx', {
    ...block,
    mode: attr.string('DCR'),
  });
  if (!cropped) return dxc;
  const padding = ctx.ints(node, 'pads', [0, 0, 0, 0, 0, 0, h - hc, w - wc]);
  return ctx.op(node, 'Pad', [dxc, padding], 'dx');
}

/**
 * Any max pool (overlapping windows, padding): the forward MaxPool is re-run with its Indices output,
 * ONNX's flat row-major indices into the whole [N, C, H, W] input (padding never wins: it pools as
 * -inf), and ScatterElements (reduction 'add', opset 16+) adds each dy into zeros of the flattened
 * input, so an input cell that is the max of several overlapping windows gets the sum of their
 * gradients. Ties: Indices names one cell per window (ONNX Runtime keeps the first max in row-major
 * window order, as PyTorch does), so a tie's gradient goes to that cell alone, as on the tiling path.
 * MaxPool with Indices was measured slower than plain MaxPool (issue 4), hence only here, where the
 * tiling path cannot express the windows.
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
