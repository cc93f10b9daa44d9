import { attr, float32, int64, type ModelBuilder } from '../onnx/index.js';
import type { NodeOf, ParamRole } from '../types.js';
import { paramGradOut, type GradContext, type GradResult } from './context.js';

/**
 * Batch norm in training mode, built from primitive ops so its backward pass is ours (ONNX Runtime's CPU
 * BatchNormalization has no training mode): per channel, the batch mean and biased variance over every
 * axis but the channel one normalise x, then gamma scales and beta shifts. The forward pass keeps the
 * centred input and the batch statistics under fixed names for the gradient rule, and yields the
 * updated running statistics.
 *
 * Speed: on the CPU the cost is in the passes over the full-size x, not in the per-channel arithmetic,
 * so the emission keeps them few. The forward pass makes five (ReduceMean, Sub, Mul, ReduceSum, and the
 * normalisation itself as an inference-mode BatchNormalization fed the batch statistics), where the
 * direct mean / centre / square / mean / divide / scale / shift makes seven; the gradient makes six (see
 * batchNormGrad) where the direct form makes nine. `npx tsx scripts/bench/profile-train.ts sepconv_bn`
 * shows their cost; figures in docs/benchmarks.md, "Kernel choices and their measurements".
 */

/** The forward helper tensors the gradient rule reads: `<node>.<what>`, like the inference emission's. */
function names(node: NodeOf<'batchNorm'>): { centred: string; var: string; count: string } {
  return { centred: `${node.name}.centred`, var: `${node.name}.var`, count: `${node.name}.count` };
}

/** [N,C,H,W] reduces over 0, 2, 3 and [N,C] over 0; per-channel vectors broadcast as [1,C,1,1] or [1,C]. */
function layout(node: NodeOf<'batchNorm'>): { axes: number[]; bcast: number[] } {
  const c = node.output.shape[1] as number;
  return node.output.shape.length === 4
    ? { axes: [0, 2, 3], bcast: [1, c, 1, 1] }
    : { axes: [0], bcast: [1, c] };
}

/** A running statistic's model input and its updated value (an output the training loop feeds back). */
export type BufferUpdate = { readonly input: string; readonly next: string };

/** `<buffer>.next`: the output holding a running statistic after this step. */
export function bufferNextName(buffer: string): string {
  return `${buffer}.next`;
}

/**
 * Emits the training-mode forward pass of `node` (output named as the node) and, when `param` hands out
 * the running statistics, their PyTorch-style update: running = (1 - m) running + m batch, with the
 * unbiased batch variance (n / (n - 1), n = N*H*W read at run time since the batch is symbolic).
 */
export function emitBatchNormTraining(
  mb: ModelBuilder,
  node: NodeOf<'batchNorm'>,
  param: (role: ParamRole) => string,
  buffer: ((role: ParamRole) => string) | null,
): BufferUpdate[] {
  const x = node.inputs[0] as string;
  const n = names(node);
  const { axes, bcast } = layout(node);
  const op = (opType: string, inputs: readonly string[], what: string, attributes = {}): string => {
    const out = what.startsWith('=') ? what.slice(1) : mb.uniqueName(`${node.name}.${what}`);
    mb.node(opType, inputs, [out], attributes, { name: out });
    return out;
  };
  const konst = (what: string, v: number): string =>
    mb.initializer(mb.uniqueName(`${node.name}.${what}`), float32([], [v]));
  const reduce = { axes: attr.ints(axes), keepdims: attr.int(1) };

  const c = bcast[1] as number;
  const flat = mb.initializer(mb.uniqueName(`${node.name}.channels`), int64([1], [c]));
  // n = numel(x) / C, read at run time since the batch is symbolic.
  const size = op('Cast', [op('Size', [x], 'size')], 'sizeF', { to: attr.int(1) });
  const count = op('Div', [size, konst('c', c)], `=${n.count}`);
  const mean = op('ReduceMean', [x], 'mean', reduce);
  const centred = op('Sub', [x, mean], `=${n.centred}`);
  // Two-pass variance (squared deviations), as stable as PyTorch's. Mul + ReduceSum: ONNX Runtime's
  // ReduceSumSquare over these axes is slower than both together (docs/benchmarks.md, kernel choices).
  const axesInit = mb.initializer(mb.uniqueName(`${node.name}.axes`), int64([axes.length], axes));
  const sq = op('Mul', [centred, centred], 'sq');
  const sumSq = op('ReduceSum', [sq, axesInit], 'sumSq', { keepdims: attr.int(0) });
  const variance = op('Div', [sumSq, count], `=${n.var}`);
  const meanC = op('Reshape', [mean, flat], 'meanC');
  // Inference-mode BatchNormalization fed the batch statistics is exactly the training-mode output, in one pass.
  op('BatchNormalization', [x, param('gamma'), param('beta'), meanC, variance], `=${node.name}`, {
    epsilon: attr.float(node.attrs.epsilon),
  });
  if (buffer === null) return [];

  const m = node.attrs.momentum;
  // The unbiased variance is var * n / (n - 1) (n = 1 gives inf, as PyTorch's nan/inf).
  const bessel = op('Div', [count, op('Sub', [count, konst('one', 1)], 'countM1')], 'bessel');
  const update = (role: ParamRole, batch: string): BufferUpdate => {
    const input = buffer(role);
    const kept = op('Mul', [input, konst(`keep.${role}`, 1 - m)], `${role}.kept`);
    const added = op('Mul', [batch, konst(`m.${role}`, m)], `${role}.added`);
    return { input, next: op('Add', [kept, added], `=${bufferNextName(input)}`) };
  };
  return [update('runningMean', meanC), update('runningVar', op('Mul', [variance, bessel], 'unbiased'))];
}

/**
 * The standard batch norm gradient, per channel c over the n reduced positions, with xc = x - mean and
 * s = sqrt(var + eps): dbeta = sum(dy), dgamma = sum(dy xc) / s, and
 *   dx = gamma / s * (dy - sum(dy) / n - xc sum(dy xc) / (n s^2)) = a dy + b xc + k,
 * with per-channel a = gamma / s, b = -a sum(dy xc) / (n s^2), k = -a sum(dy) / n. Six passes over the
 * full-size tensors: Mul and two ReduceSums for the sums, then an inference-mode BatchNormalization
 * (mean 0, variance 1, epsilon 0: a per-channel affine map in one pass) for a dy + k, a Mul and an Add.
 */
export function batchNormGrad(ctx: GradContext, node: NodeOf<'batchNorm'>, dy: string): GradResult {
  const x = node.inputs[0] as string;
  const n = names(node);
  const { axes, bcast } = layout(node);
  const c = bcast[1] as number;
  const sumAxes = ctx.ints(node, 'axes', axes);
  const sum = (v: string, what: string, out?: string): string =>
    ctx.op(node, 'ReduceSum', [v, sumAxes], what, { keepdims: attr.int(0) }, out);
  const op = (opType: string, inputs: readonly string[], what: string, out?: string): string =>
    ctx.op(node, opType, inputs, what, {}, out);
  const gamma = node.params.find((p) => p.role === 'gamma')?.name as string;
  const sumDy = sum(dy, 'dbeta', paramGradOut(node, 'beta'));
  const sumDyXc = sum(op('Mul', [dy, n.centred], 'dyXc'), 'sumDyXc');
  const varEps = op('Add', [n.var, ctx.floats(node, 'eps', [], [node.attrs.epsilon])], 'varEps');
  const std = op('Sqrt', [varEps], 'std');
  const params = { beta: sumDy, gamma: op('Div', [sumDyXc, std], 'dgamma', paramGradOut(node, 'gamma')) };
  if (!ctx.wants(x)) return { inputs: [null], params };

  const a = op('Div', [gamma, std], 'a');
  const aOverN = op('Div', [a, n.count], 'aOverN');
  const k = op('Neg', [op('Mul', [aOverN, sumDy], 'kNeg')], 'k');
  const b = op('Neg', [op('Div', [op('Mul', [aOverN, sumDyXc], 'bNum'), varEps], 'bNeg')], 'b');
  const zeros = ctx.floats(node, 'zeros', [c], new Float32Array(c));
  const ones = ctx.floats(node, 'ones', [c], new Float32Array(c).fill(1));
  const affine = ctx.op(node, 'BatchNormalization', [dy, a, k, zeros, ones], 'aDyK', {
    epsilon: attr.float(0),
  });
  const bXc = op(
    'Mul',
    [n.centred, ctx.op(node, 'Reshape', [b, ctx.ints(node, 'bcast', bcast)], 'bBc')],
    'bXc',
  );
  return { inputs: [op('Add', [affine, bXc], 'dx')], params };
}
