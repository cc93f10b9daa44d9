import { emitBlockedFilter, emitNchwcConv, nchwcFits } from '../lower/nchwc.js';
import { attr } from '../onnx/index.js';
import type { NodeOf, Shape } from '../types.js';
import { biasGradient, paramGradOut, type GradContext, type GradResult } from './context.js';
import { blockedWeightGrad } from './rules-conv-blocked.js';
import { chw } from './rules-spatial.js';

/**
 * conv2d. Bias: dy summed over batch and space. A depthwise conv (one input and one output channel per
 * group) takes depthwiseWeightGrad and, at stride 1, depthwiseInputGrad; every other conv takes
 * blockedWeightGrad (whole channel blocks on a machine with ONNX Runtime's NCHWc kernels) or
 * im2colWeightGrad and, for the input, a blocked Conv (blockedInputGrad: stride 1, whole channel
 * blocks, NCHWc kernels) or else a ConvTranspose (inputGradTranspose). Each formulation is the
 * fastest one measured on ONNX Runtime's CPU provider: scripts/bench/profile-train.ts profiles a whole
 * training step, scripts/bench/conv-weight-grad.ts and nchwc-conv.ts time the alternatives, and the
 * figures are in docs/benchmarks.md ("Kernel choices and their measurements").
 */
export function conv2dGrad(
  ctx: GradContext,
  node: NodeOf<'conv2d'>,
  dy: string,
  inputShape: Shape,
): GradResult {
  const x = node.inputs[0] as string;
  const [c] = chw(inputShape);
  const { groups: g, outChannels: m } = node.attrs;
  const depthwise = c === g && m === g;
  const params: Record<string, string> = {};
  const block = ctx.nchwcBlock;
  if (depthwise) params.weight = depthwiseWeightGrad(ctx, node, dy, inputShape);
  else if (block !== undefined && g === 1 && c % block === 0) {
    params.weight = blockedWeightGrad(ctx, node, dy, inputShape, block);
  } else params.weight = im2colWeightGrad(ctx, node, dy, inputShape);
  if (node.attrs.bias) params.bias = biasGradient(ctx, node, dy, [0, 2, 3]);
  if (!ctx.wants(x)) return { inputs: [null], params };
  const stride1 = node.attrs.stride.every((s) => s === 1);
  const flippedPads = stride1 ? flippedConvPads(node) : null;
  let dx: string;
  if (flippedPads !== null && depthwise) dx = depthwiseInputGrad(ctx, node, dy, flippedPads);
  else if (flippedPads !== null && block !== undefined && m >= block && nchwcFits(m, c, g, block)) {
    dx = blockedInputGrad(ctx, node, dy, c, flippedPads, block);
  } else dx = inputGradTranspose(ctx, node, dy, inputShape);
  return { inputs: [dx], params };
}

/** The Conv attributes of the node's own window. */
function windowAttrs(node: NodeOf<'conv2d'>): Record<string, ReturnType<typeof attr.ints>> {
  const a = node.attrs;
  return {
    kernel_shape: attr.ints(a.kernel),
    strides: attr.ints(a.stride),
    pads: attr.ints(a.pads),
    dilations: attr.ints(a.dilation),
  };
}

function weightName(node: NodeOf<'conv2d'>): string {
  return node.params.find((p) => p.role === 'weight')?.name as string;
}

/**
 * The weight gradient of dense and grouped convs on machines without blocked kernels: an im2col (a
 * grouped Conv with a constant one-hot kernel gathers each output position's receptive field) then, per
 * group, a batched MatMul dy [N,g,M/g,P] x cols^T [N,g,P,C/g*K] and a ReduceSum over the batch. The
 * fastest of the plain-op formulations tried (slice-built columns, one Gemm over the whole batch, a Conv
 * of batch-transposed tensors): `npx tsx scripts/bench/conv-weight-grad.ts` times them; figures in
 * docs/benchmarks.md, "Kernel choices and their measurements".
 */
function im2colWeightGrad(ctx: GradContext, node: NodeOf<'conv2d'>, dy: string, inputShape: Shape): string {
  const a = node.attrs;
  const x = node.inputs[0] as string;
  const [c] = chw(inputShape);
  const [m, ho, wo] = chw(node.output.shape);
  const [kh, kw] = a.kernel;
  const k = kh * kw;
  const g = a.groups;
  // im2col: output channel c*K + (i*kw + j) holds x[c] shifted by the kernel offset (i, j).
  const onehot = new Float32Array(c * k * k);
  for (let ch = 0; ch < c; ch++) for (let t = 0; t < k; t++) onehot[(ch * k + t) * k + t] = 1;
  const kernel = ctx.floats(node, 'im2colKernel', [c * k, 1, kh, kw], onehot);
  const cols = ctx.op(node, 'Conv', [x, kernel], 'cols', { ...windowAttrs(node), group: attr.int(c) });
  const colsShape = ctx.ints(node, 'colsShape', [0, g, (c / g) * k, ho * wo]);
  const colsG = ctx.op(node, 'Reshape', [cols, colsShape], 'colsG');
  const colsT = ctx.op(node, 'Transpose', [colsG], 'colsT', { perm: attr.ints([0, 1, 3, 2]) });
  const dyG = ctx.op(node, 'Reshape', [dy, ctx.ints(node, 'dyShape', [0, g, m / g, ho * wo])], 'dyG');
  const perSample = ctx.op(node, 'MatMul', [dyG, colsT], 'dWn');
  const summed = ctx.op(node, 'ReduceSum', [perSample, ctx.ints(node, 'batchAxis', [0])], 'dWsum', {
    keepdims: attr.int(0),
  });
  const wShape = ctx.ints(node, 'wShape', [m, c / g, kh, kw]);
  return ctx.op(node, 'Reshape', [summed, wShape], 'dW', {}, paramGradOut(node, 'weight'));
}

/**
 * Depthwise weight gradient, dW[c, i, j] = sum over n, h, w of xpad[n, c, s h + d i, s w + d j]
 * dy[n, c, h, w], by kernel rows rather than by the 9 shifted copies of an im2col: a Gather picks, for
 * each kernel row i, the padded input rows that row meets ([C, kh, Ho, N, Wp]: kh copies, not kh*kw),
 * one batched MatMul per channel and kernel row contracts over (h, n) for every pair of input column
 * w' and output column w ([C, kh, Wo, Wp]), and a Gather keeps the kw diagonals w' = s w + d j, summed
 * over w. The MatMul does Wp/kw times the needed multiply-adds, but as one large GEMM it is cheap:
 * faster than the im2col path, by 1.6x to 3x on the separable-conv benchmark network's depthwise convs
 * (`npx tsx scripts/bench/profile-train.ts sepconv_bn`; figures in docs/benchmarks.md, "Kernel choices
 * and their measurements").
 */
function depthwiseWeightGrad(
  ctx: GradContext,
  node: NodeOf<'conv2d'>,
  dy: string,
  inputShape: Shape,
): string {
  const a = node.attrs;
  const x = node.inputs[0] as string;
  const [c, , w] = chw(inputShape);
  const [, ho, wo] = chw(node.output.shape);
  const [kh, kw] = a.kernel;
  const [sh, sw] = a.stride;
  const [dh, dw] = a.dilation;
  const [pt, pl, pb, pr] = a.pads;
  const wp = w + pl + pr;
  const padded = a.pads.some((p) => p !== 0)
    ? ctx.op(node, 'Pad', [x, ctx.ints(node, 'xPads', [0, 0, pt, pl, 0, 0, pb, pr])], 'xPad')
    : x;
  // [N, C, Hp, Wp] -> [C, Hp, N, Wp]: rows become an axis a Gather can pick, each row block contiguous.
  const xt = ctx.op(node, 'Transpose', [padded], 'xT', { perm: attr.ints([1, 2, 0, 3]) });
  const rowIdx: number[] = [];
  for (let i = 0; i < kh; i++) for (let r = 0; r < ho; r++) rowIdx.push(sh * r + dh * i);
  const rows = ctx.op(node, 'Gather', [xt, ctx.ints(node, 'rowIdx', rowIdx, [kh, ho])], 'rows', {
    axis: attr.int(1),
  });
  const lhs = ctx.op(node, 'Reshape', [rows, ctx.ints(node, 'rowsShape', [c, kh, -1, wp])], 'rowsK');
  // dy [N, C, Ho, Wo] -> [C, 1, Ho*N, Wo], the contraction order (h, n) matching the rows'. Both
  // transposes keep the innermost axis (block copies); one that moved it cost as much as the MatMul.
  // The swap of the last two axes is fused into the MatMul (FusedMatMul transA), not materialised.
  const dyT = ctx.op(node, 'Transpose', [dy], 'dyT', { perm: attr.ints([1, 2, 0, 3]) });
  const dyK = ctx.op(node, 'Reshape', [dyT, ctx.ints(node, 'dyTShape', [c, 1, -1, wo])], 'dyK');
  const rhs = ctx.op(node, 'Transpose', [dyK], 'dyKT', { perm: attr.ints([0, 1, 3, 2]) });
  const pairs = ctx.op(node, 'MatMul', [rhs, lhs], 'pairs');
  const flat = ctx.op(node, 'Reshape', [pairs, ctx.ints(node, 'pairsShape', [c, kh, wo * wp])], 'pairsFlat');
  const colIdx: number[] = [];
  for (let j = 0; j < kw; j++) for (let q = 0; q < wo; q++) colIdx.push(q * wp + sw * q + dw * j);
  const diagonals = ctx.op(node, 'Gather', [flat, ctx.ints(node, 'colIdx', colIdx, [kw, wo])], 'diag', {
    axis: attr.int(2),
  });
  const summed = ctx.op(node, 'ReduceSum', [diagonals, ctx.ints(node, 'diagAxis', [3])], 'dWsum', {
    keepdims: attr.int(0),
  });
  const wShape = ctx.ints(node, 'wShape', [c, 1, kh, kw]);
  return ctx.op(node, 'Reshape', [summed, wShape], 'dW', {}, paramGradOut(node, 'weight'));
}

/**
 * The pads of the stride-1 input-gradient Conv: (k - 1) d - p on each side (its output is then the
 * input's size), or null where one is negative (a padding wider than the dilated kernel; ConvTranspose handles it).
 */
function flippedConvPads(node: NodeOf<'conv2d'>): number[] | null {
  const [kh, kw] = node.attrs.kernel;
  const [dh, dw] = node.attrs.dilation;
  const [pt, pl, pb, pr] = node.attrs.pads;
  const pads = [(kh - 1) * dh - pt, (kw - 1) * dw - pl, (kh - 1) * dh - pb, (kw - 1) * dw - pr];
  return pads.every((p) => p >= 0) ? pads : null;
}

/**
 * Depthwise, stride 1: dx is the depthwise Conv of dy with the kernel flipped in space (a Slice with
 * step -1 of the small weight). ONNX Runtime runs this faster than the ConvTranspose (im2col + GEMM
 * against GEMM + col2im), and faster still run blocked (lower/nchwc.ts) where the machine has the
 * kernels and the channels fill whole blocks. For a dense conv the plain Conv would im2col dy's M
 * channels, not the input's C, and is slower than the ConvTranspose; only blocked does it win
 * (blockedInputGrad). `npx tsx scripts/bench/profile-train.ts sepconv_bn` (and `cnn`) measure it;
 * figures in docs/benchmarks.md, "Kernel choices and their measurements".
 */
function depthwiseInputGrad(
  ctx: GradContext,
  node: NodeOf<'conv2d'>,
  dy: string,
  pads: readonly number[],
): string {
  const a = node.attrs;
  const block = ctx.nchwcBlock;
  if (block !== undefined && nchwcFits(a.groups, a.groups, a.groups, block)) {
    const [kh, kw] = a.kernel;
    const filter = emitBlockedFilter(
      ctx.mb,
      flippedWeight(ctx, node),
      { outChannels: a.groups, inChannels: 1, kh, kw },
      block,
      ctx.mb.uniqueName(`${node.name}.d.dxFilter`),
    );
    return emitNchwcConv(ctx.mb, {
      x: dy,
      filter,
      inChannels: a.groups,
      outChannels: a.groups,
      groups: a.groups,
      window: { kernel: a.kernel, stride: [1, 1], pads, dilation: a.dilation },
      block,
      output: ctx.mb.uniqueName(`${node.name}.d.dx`),
    });
  }
  return ctx.op(node, 'Conv', [dy, flippedWeight(ctx, node)], 'dx', {
    kernel_shape: attr.ints(a.kernel),
    strides: attr.ints([1, 1]),
    pads: attr.ints(pads),
    dilations: attr.ints(a.dilation),
    group: attr.int(a.groups),
  });
}

/** The weight flipped in space (a Slice with step -1 over the kernel axes): a stride-1 input gradient's kernel. */
function flippedWeight(ctx: GradContext, node: NodeOf<'conv2d'>): string {
  const [kh, kw] = node.attrs.kernel;
  return ctx.op(
    node,
    'Slice',
    [
      weightName(node),
      ctx.ints(node, 'flipStarts', [-1, -1]),
      ctx.ints(node, 'flipEnds', [-kh - 1, -kw - 1]),
      ctx.ints(node, 'flipAxes', [2, 3]),
      ctx.ints(node, 'flipSteps', [-1, -1]),
    ],
    'wFlipped',
  );
}

/**
 * Dense, stride 1, on a machine with ONNX Runtime's blocked convolutions (lower/nchwc.ts): dx is the Conv
 * of dy with the flipped weight read as [C, M, kh, kw] (input and output channels swapped), run blocked:
 * about 1.7x as fast as the ConvTranspose on the small CNN's conv2 (`npx tsx scripts/bench/nchwc-conv.ts`;
 * figures in docs/benchmarks.md, "Kernel choices and their measurements").
 */
function blockedInputGrad(
  ctx: GradContext,
  node: NodeOf<'conv2d'>,
  dy: string,
  inChannels: number,
  pads: readonly number[],
  block: number,
): string {
  const a = node.attrs;
  const [kh, kw] = a.kernel;
  const filter = emitBlockedFilter(
    ctx.mb,
    flippedWeight(ctx, node),
    { outChannels: inChannels, inChannels: a.outChannels, kh, kw },
    block,
    ctx.mb.uniqueName(`${node.name}.d.dxFilter`),
    true,
  );
  return emitNchwcConv(ctx.mb, {
    x: dy,
    filter,
    inChannels: a.outChannels,
    outChannels: inChannels,
    window: { kernel: a.kernel, stride: [1, 1], pads, dilation: a.dilation },
    block,
    output: ctx.mb.uniqueName(`${node.name}.d.dx`),
  });
}

/**
 * Any stride: a ConvTranspose of dy with the same weight, which makes stride*(in-1) + ((k-1)*d + 1) -
 * pads + output_padding; output_padding restores the rows and columns a strided conv dropped.
 */
function inputGradTranspose(ctx: GradContext, node: NodeOf<'conv2d'>, dy: string, inputShape: Shape): string {
  const a = node.attrs;
  const [, h, w] = chw(inputShape);
  const [, ho, wo] = chw(node.output.shape);
  const [kh, kw] = a.kernel;
  const [sh, sw] = a.stride;
  const [dh, dw] = a.dilation;
  const [pt, pl, pb, pr] = a.pads;
  const outPad = [
    h - ((ho - 1) * sh + (kh - 1) * dh + 1 - pt - pb),
    w - ((wo - 1) * sw + (kw - 1) * dw + 1 - pl - pr),
  ];
  return ctx.op(node, 'ConvTranspose', [dy, weightName(node)], 'dx', {
    ...windowAttrs(node),
    group: attr.int(a.groups),
    output_padding: attr.ints(outPad),
  });
}
