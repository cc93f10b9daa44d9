import { attr } from '../onnx/index.js';
import type { NodeOf } from '../types.js';
import { paramGradOut, type GradContext, type GradResult } from './context.js';

/**
 * y = sum_i s_i x_i with s = softmax(alpha): dx_i = s_i dy, and with g_i = <dy, x_i> (summed over every
 * axis, the batch included) the softmax Jacobian gives dalpha_j = s_j (g_j - sum_i s_i g_i). The rule
 * recomputes s from alpha (k values) rather than reading the forward pass's helper tensors by name.
 */
export function mixtureGrad(ctx: GradContext, node: NodeOf<'mixture'>, dy: string): GradResult {
  const alpha = node.params.find((p) => p.role === 'alpha')?.name as string;
  const k = node.inputs.length;
  const s = ctx.op(node, 'Softmax', [alpha], 'softmax', { axis: attr.int(0) });
  const weights = k === 1 ? [s] : node.inputs.map((_, i) => ctx.mb.uniqueName(`${node.name}.d.s${i}`));
  if (k > 1) {
    const sizes = ctx.ints(node, 'sizes', new Array<number>(k).fill(1));
    const name = ctx.mb.uniqueName(`${node.name}.d.split`);
    ctx.mb.node('Split', [s, sizes], weights, { axis: attr.int(0) }, { name });
  }
  const inputs = node.inputs.map((x, i) =>
    ctx.wants(x) ? ctx.op(node, 'Mul', [dy, weights[i] as string], `dx${i}`) : null,
  );
  const one = ctx.ints(node, 'one', [1]);
  const dots = node.inputs.map((x, i) => {
    const product = ctx.op(node, 'Mul', [dy, x], `dyx${i}`);
    const total = ctx.op(node, 'ReduceSum', [product], `dot${i}`, { keepdims: attr.int(1) });
    return ctx.op(node, 'Reshape', [total, one], `g${i}`);
  });
  const g = k === 1 ? (dots[0] as string) : ctx.op(node, 'Concat', dots, 'g', { axis: attr.int(0) });
  const sg = ctx.op(node, 'Mul', [s, g], 'sg');
  const mean = ctx.op(node, 'ReduceSum', [sg], 'sgSum', { keepdims: attr.int(1) });
  const centred = ctx.op(node, 'Sub', [g, mean], 'centred');
  const dAlpha = ctx.op(node, 'Mul', [s, centred], 'dalpha', {}, paramGradOut(node, 'alpha'));
  return { inputs, params: { alpha: dAlpha } };
}
