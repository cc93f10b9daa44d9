import { attr, float32, int64, type ModelBuilder } from '../onnx/index.js';
import type { NodeOf, ParamRole } from '../types.js';
import { paramGradOut, type GradContext, type GradResult } from './context.js';

/**
 * Batch norm in training mode, built from primitive ops so its backward pass is ours (rather than
 * BatchNormalization's training_mode outputs): per channel, the batch mean and biased variance over every
 * axis but the channel one normalise x, then gamma scales and beta shifts. The forward pass keeps
 * `xhat` and `std` under fixed names for the gradient rule, and yields the updated running statistics.
 */

/** The forward helper tensors the gradient rule reads: `<node>.<what>` like the inference emission's. */
function names(node: NodeOf<'batchNorm'>): { xhat: string; std: string; gamma: string } {
  return { xhat: `${node.name}.xhat`, std: `${node.name}.std`, gamma: `${node.name}.gammaBc` };
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

  const mean = op('ReduceMean', [x], 'mean', reduce);
  const centred = op('Sub', [x, mean], 'centred');
  const variance = op('ReduceMean', [op('Mul', [centred, centred], 'sq')], 'var', reduce);
  const std = op('Sqrt', [op('Add', [variance, konst('eps', node.attrs.epsilon)], 'varEps')], `=${n.std}`);
  const xhat = op('Div', [centred, std], `=${n.xhat}`);
  const shape = mb.initializer(mb.uniqueName(`${node.name}.bcastShape`), int64([bcast.length], bcast));
  const gamma = op('Reshape', [param('gamma'), shape], `=${n.gamma}`);
  const beta = op('Reshape', [param('beta'), shape], 'betaBc');
  op('Add', [op('Mul', [xhat, gamma], 'scaled'), beta], `=${node.name}`);
  if (buffer === null) return [];

  const m = node.attrs.momentum;
  const c = bcast[1] as number;
  const flat = mb.initializer(mb.uniqueName(`${node.name}.channels`), int64([1], [c]));
  // n = numel(x) / C; the unbiased variance is var * n / (n - 1) (n = 1 gives inf, as PyTorch's nan/inf).
  const size = op('Cast', [op('Size', [x], 'size')], 'sizeF', { to: attr.int(1) });
  const count = op('Div', [size, konst('c', c)], 'count');
  const bessel = op('Div', [count, op('Sub', [count, konst('one', 1)], 'countM1')], 'bessel');
  const update = (role: ParamRole, batch: string): BufferUpdate => {
    const input = buffer(role);
    const kept = op('Mul', [input, konst(`keep.${role}`, 1 - m)], `${role}.kept`);
    const stat = op('Reshape', [batch, flat], `${role}.batch`);
    const added = op('Mul', [stat, konst(`m.${role}`, m)], `${role}.added`);
    return { input, next: op('Add', [kept, added], `=${bufferNextName(input)}`) };
  };
  return [update('runningMean', mean), update('runningVar', op('Mul', [variance, bessel], 'unbiased'))];
}

/**
 * The standard batch norm gradient, per channel over the reduced axes: dbeta = sum(dy), dgamma =
 * sum(dy xhat), dx = gamma / std * (dy - mean(dy) - xhat mean(dy xhat)).
 */
export function batchNormGrad(ctx: GradContext, node: NodeOf<'batchNorm'>, dy: string): GradResult {
  const x = node.inputs[0] as string;
  const n = names(node);
  const { axes } = layout(node);
  const sumAxes = ctx.ints(node, 'axes', axes);
  const sum = (v: string, what: string, out: string): string =>
    ctx.op(node, 'ReduceSum', [v, sumAxes], what, { keepdims: attr.int(0) }, out);
  const dyXhat = ctx.op(node, 'Mul', [dy, n.xhat], 'dyXhat');
  const params = {
    beta: sum(dy, 'dbeta', paramGradOut(node, 'beta')),
    gamma: sum(dyXhat, 'dgamma', paramGradOut(node, 'gamma')),
  };
  if (!ctx.wants(x)) return { inputs: [null], params };
  const mean = (v: string, what: string): string =>
    ctx.op(node, 'ReduceMean', [v], what, { axes: attr.ints(axes), keepdims: attr.int(1) });
  const centred = ctx.op(node, 'Sub', [dy, mean(dy, 'meanDy')], 'dyCentred');
  const proj = ctx.op(node, 'Mul', [n.xhat, mean(dyXhat, 'meanDyXhat')], 'proj');
  const scale = ctx.op(node, 'Div', [n.gamma, n.std], 'scale');
  const dx = ctx.op(node, 'Mul', [ctx.op(node, 'Sub', [centred, proj], 'inner'), scale], 'dx');
  return { inputs: [dx], params };
}
