import { attr } from '../onnx/index.js';
import type { NodeOf } from '../types.js';
import { biasGradient, paramGradOut, type GradContext, type GradResult } from './context.js';

/**
 * d relu(x) = dy where the output is positive (0 at the kink, as PyTorch). When a max pool is the
 * output's only reader, the pool has applied this mask already (ctx.poolMasksRelu), so dy passes.
 */
export function reluGrad(ctx: GradContext, node: NodeOf<'relu'>, dy: string): GradResult {
  const x = node.inputs[0] as string;
  if (!ctx.wants(x)) return { inputs: [null] };
  if (ctx.poolMasksRelu(node.name)) return { inputs: [dy] };
  const zero = ctx.floats(node, 'zero', [], [0]);
  const positive = ctx.op(node, 'Greater', [node.name, zero], 'positive');
  const mask = ctx.toFloat(node, positive, 'mask');
  return { inputs: [ctx.op(node, 'Mul', [dy, mask], 'dx')] };
}

/** Every addend gets the whole gradient (the shapes are equal: the IR's add does not broadcast). */
export function addGrad(ctx: GradContext, node: NodeOf<'add'>, dy: string): GradResult {
  return { inputs: node.inputs.map((x) => (ctx.wants(x) ? dy : null)) };
}

export function identityGrad(ctx: GradContext, node: NodeOf<'identity'>, dy: string): GradResult {
  return { inputs: [ctx.wants(node.inputs[0] as string) ? dy : null] };
}

/** flatten and reshape: the gradient takes the input's shape back (0 keeps the batch, symbolic or not). */
export function reshapeGrad(
  ctx: GradContext,
  node: NodeOf<'flatten'> | NodeOf<'reshape'>,
  dy: string,
  inputShape: readonly (number | string)[],
): GradResult {
  const x = node.inputs[0] as string;
  if (!ctx.wants(x)) return { inputs: [null] };
  const shape = ctx.ints(node, 'shape', [0, ...(inputShape.slice(1) as number[])]);
  return { inputs: [ctx.op(node, 'Reshape', [dy, shape], 'dx')] };
}

/**
 * y = x W + b with x [N, in], W [in, out]: dW = x^T dy, db = sum over the batch of dy, dx = dy W^T.
 * Gemm's transpose flags avoid Transpose nodes.
 */
export function denseGrad(ctx: GradContext, node: NodeOf<'dense'>, dy: string): GradResult {
  const x = node.inputs[0] as string;
  const w = node.params.find((p) => p.role === 'weight')?.name as string;
  const dW = ctx.op(node, 'Gemm', [x, dy], 'dW', { transA: attr.int(1) }, paramGradOut(node, 'weight'));
  const params: Record<string, string> = { weight: dW };
  if (node.attrs.bias) params.bias = biasGradient(ctx, node, dy, [0]);
  const dx = ctx.wants(x) ? ctx.op(node, 'Gemm', [dy, w], 'dx', { transB: attr.int(1) }) : null;
  return { inputs: [dx], params };
}

/**
 * Mean cross-entropy over the batch: d loss / d logits = (softmax(logits) - onehot(labels)) * dy / N.
 * N is read at run time (the batch is symbolic); the labels get no gradient.
 */
export function softmaxCrossEntropyGrad(
  ctx: GradContext,
  node: NodeOf<'softmaxCrossEntropy'>,
  dy: string,
  classes: number,
): GradResult {
  const [logits, labels] = node.inputs as [string, string];
  if (!ctx.wants(logits)) return { inputs: [null, null] };
  const probs = ctx.op(node, 'Softmax', [logits], 'softmax', { axis: attr.int(1) });
  const depth = ctx.ints(node, 'depth', [classes]);
  const offOn = ctx.floats(node, 'offOn', [2], [0, 1]);
  const onehot = ctx.op(node, 'OneHot', [labels, depth, offOn], 'onehot', { axis: attr.int(1) });
  const diff = ctx.op(node, 'Sub', [probs, onehot], 'diff');
  const batch = ctx.toFloat(node, ctx.op(node, 'Shape', [labels], 'batch'), 'batchFloat');
  const scale = ctx.op(node, 'Div', [dy, batch], 'scale');
  return { inputs: [ctx.op(node, 'Mul', [diff, scale], 'dlogits'), null] };
}

/** zero: its output is constant zeros, so nothing flows back to its input. */
export function zeroGrad(): GradResult {
  return { inputs: [null] };
}

/**
 * Channel concat: dy splits back into the inputs' channel counts. Unwanted pieces are still Split
 * outputs (ONNX names every output) but feed nothing; an input listed twice gets both pieces summed.
 */
export function concatGrad(
  ctx: GradContext,
  node: NodeOf<'concat'>,
  dy: string,
  channels: readonly number[],
): GradResult {
  if (!node.inputs.some((v) => ctx.wants(v))) return { inputs: node.inputs.map(() => null) };
  const sizes = ctx.ints(node, 'split', channels);
  const pieces = node.inputs.map((_, k) => ctx.mb.uniqueName(`${node.name}.d.dx${k}`));
  const name = ctx.mb.uniqueName(`${node.name}.d.split`);
  ctx.mb.node('Split', [dy, sizes], pieces, { axis: attr.int(1) }, { name });
  return { inputs: node.inputs.map((v, k) => (ctx.wants(v) ? (pieces[k] as string) : null)) };
}
