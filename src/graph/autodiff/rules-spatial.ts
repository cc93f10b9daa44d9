import { attr, float32 } from '../onnx/index.js';
import type { NodeOf, Shape } from '../types.js';
import { biasGradient, paramGradOut, type GradContext, type GradResult } from './context.js';

/** [N, C, H, W] -> its static C, H, W (the batch may be symbolic). */
function chw(shape: Shape): [number, number, number] {
  return [shape[1] as number, shape[2] as number, shape[3] as number];
}

/**
 * conv2d. Bias: dy summed over batch and space. Input: a ConvTranspose of dy with the same weight, whose
 * output_padding restores the rows and columns a strided conv dropped. Weight: the fast
 * formulation, an im2col (a grouped Conv with a constant one-hot kernel gathers each output position's
 * receptive field) then, per group, a batched MatMul dy [N,g,M/g,P] x cols^T [N,g,P,C/g*K] and a
 * ReduceSum over the batch.
 */
export function conv2dGrad(
  ctx: GradContext,
  node: NodeOf<'conv2d'>,
  dy: string,
  inputShape: Shape,
): GradResult {
  const a = node.attrs;
  const x = node.inputs[0] as string;
  const [c, h, w] = chw(inputShape);
  const [m, ho, wo] = chw(node.output.shape);
  const [kh, kw] = a.kernel;
  const k = kh * kw;
  const g = a.groups;
  const window = {
    kernel_shape: attr.ints(a.kernel),
    strides: attr.ints(a.stride),
    pads: attr.ints(a.pads),
    dilations: attr.ints(a.dilation),
  };
  const params: Record<string, string> = {};

  // im2col: output channel c*K + (i*kw + j) holds x[c] shifted by the kernel offset (i, j).
  const onehot = new Float32Array(c * k * k);
  for (let ch = 0; ch < c; ch++) for (let t = 0; t < k; t++) onehot[(ch * k + t) * k + t] = 1;
  const kernel = ctx.floats(node, 'im2colKernel', [c * k, 1, kh, kw], onehot);
  const cols = ctx.op(node, 'Conv', [x, kernel], 'cols', { ...window, group: attr.int(c) });
  const colsG = ctx.op(
    node,
    'Reshape',
    [cols, ctx.ints(node, 'colsShape', [0, g, (c / g) * k, ho * wo])],
    'colsG',
  );
  const colsT = ctx.op(node, 'Transpose', [colsG], 'colsT', { perm: attr.ints([0, 1, 3, 2]) });
  const dyG = ctx.op(node, 'Reshape', [dy, ctx.ints(node, 'dyShape', [0, g, m / g, ho * wo])], 'dyG');
  const perSample = ctx.op(node, 'MatMul', [dyG, colsT], 'dWn');
  const summed = ctx.op(node, 'ReduceSum', [perSample, ctx.ints(node, 'batchAxis', [0])], 'dWsum', {
    keepdims: attr.int(0),
  });
  const wShape = ctx.ints(node, 'wShape', [m, c / g, kh, kw]);
  params.weight = ctx.op(node, 'Reshape', [summed, wShape], 'dW', {}, paramGradOut(node, 'weight'));

  if (a.bias) params.bias = biasGradient(ctx, node, dy, [0, 2, 3]);

  let dx: string | null = null;
  if (ctx.wants(x)) {
    // ConvTranspose makes stride*(in-1) + ((k-1)*d + 1) - pads + output_padding; pad up to the input size.
    const [sh, sw] = a.stride;
    const [dh, dw] = a.dilation;
    const [pt, pl, pb, pr] = a.pads;
    const outPad = [
      h - ((ho - 1) * sh + (kh - 1) * dh + 1 - pt - pb),
      w - ((wo - 1) * sw + (kw - 1) * dw + 1 - pl - pr),
    ];
    const weight = node.params.find((p) => p.role === 'weight')?.name as string;
    dx = ctx.op(node, 'ConvTranspose', [dy, weight], 'dx', {
      ...window,
      group: attr.int(g),
      output_padding: attr.ints(outPad),
    });
  }
  return { inputs: [dx], params };
}

/**
 * MaxPool. Non-overlapping, unpadded pools (stride = kernel, padding 0) take the fast Resize path
 * (maxPoolResizeGrad); any other kernel, stride and padding (MetaQNN's 3x3 stride 2, padding 1)
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
  const tiles = stride[0] === kernel[0] && stride[1] === kernel[1] && pads.every((p) => p === 0);
  return {
    inputs: [tiles ? maxPoolResizeGrad(ctx, node, dy, inputShape) : maxPoolScatterGrad(ctx, node, dy)],
  };
}

/**
 * Non-overlapping max pool (stride = kernel, no padding): Resize (nearest, asymmetric, floor) upsamples
 * the max and the gradient to the covered region, Equal -> Cast -> Mul routes the gradient to the
 * maxima, and rows/columns no window covered (floor mode) get zero. Ties within a window each get the
 * whole gradient (PyTorch gives it to the first); after a ReLU the usual tie is an all-zero window, and
 * ReLU's own rule zeroes it there.
 */
function maxPoolResizeGrad(ctx: GradContext, node: NodeOf<'maxPool'>, dy: string, inputShape: Shape): string {
  const x = node.inputs[0] as string;
  const { kernel } = node.attrs;
  const [, h, w] = chw(inputShape);
  const [, ho, wo] = chw(node.output.shape);
  const hc = ho * kernel[0];
  const wc = wo * kernel[1];
  const scales = ctx.floats(node, 'scales', [4], [1, 1, kernel[0], kernel[1]]);
  const nearest = {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  };
  const upMax = ctx.op(node, 'Resize', [node.name, '', scales], 'upMax', nearest);
  const upDy = ctx.op(node, 'Resize', [dy, '', scales], 'upDy', nearest);
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
  const mask = ctx.toFloat(node, ctx.op(node, 'Equal', [xc, upMax], 'isMax'), 'mask');
  const dxc = ctx.op(node, 'Mul', [upDy, mask], cropped ? 'dxCrop' : 'dx');
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
 * window order, as PyTorch does), so a tie's gradient goes to that cell alone, unlike the Resize path.
 * MaxPool with Indices was measured slower than plain MaxPool (issue 4), hence only here, where the
 * Resize path cannot express the windows.
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
