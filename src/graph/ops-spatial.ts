import { checkBool, checkPads, checkPair, checkPosInt, expectRank, type Fail, type OpDef } from './op-def.js';
import { formatPads, formatPair, windowOut } from './shape.js';
import type { Dim, Pads, Pair, PoolAttrs, Shape, Value } from './types.js';

const NCHW = 'an NCHW input (rank 4)';

/** [N, C, H, W] of a rank-4 value (checked by expectRank first). */
function nchw(v: Value): [Dim, number, number, number] {
  return v.shape as [Dim, number, number, number];
}

function window2d(
  h: number,
  w: number,
  kernel: Pair,
  stride: Pair,
  pads: Pads,
  dilation: Pair,
  fail: Fail,
): [number, number] {
  const oh = windowOut(h, kernel[0], stride[0], pads[0], pads[2], dilation[0]);
  const ow = windowOut(w, kernel[1], stride[1], pads[1], pads[3], dilation[1]);
  if (oh === null || ow === null) {
    const dil = dilation[0] === 1 && dilation[1] === 1 ? '' : ` (dilation ${formatPair(dilation)})`;
    fail(`kernel ${formatPair(kernel)}${dil} with padding ${formatPads(pads)} does not fit input ${h}x${w}`);
  }
  return [oh as number, ow as number];
}

export const conv2d: OpDef<'conv2d'> = {
  arity: 1,
  infer([x], a, fail) {
    checkPosInt('outChannels', a.outChannels, fail);
    checkPair('kernel', a.kernel, fail);
    checkPair('stride', a.stride, fail);
    checkPair('dilation', a.dilation, fail);
    checkPads(a.pads, fail);
    checkPosInt('groups', a.groups, fail);
    checkBool('bias', a.bias, fail);
    expectRank(x as Value, [4], NCHW, fail);
    const [n, c, h, w] = nchw(x as Value);
    if (c % a.groups !== 0) fail(`input channels ${c} are not divisible by groups ${a.groups}`);
    if (a.outChannels % a.groups !== 0) {
      fail(`outChannels ${a.outChannels} is not divisible by groups ${a.groups}`);
    }
    const [oh, ow] = window2d(h, w, a.kernel, a.stride, a.pads, a.dilation, fail);
    return { shape: [n, a.outChannels, oh, ow], dtype: 'float32' };
  },
  params([x], a) {
    const perGroup = nchw(x as Value)[1] / a.groups;
    const [kh, kw] = a.kernel;
    const weight = {
      role: 'weight' as const,
      shape: [a.outChannels, perGroup, kh, kw],
      init: { kind: 'he-normal' as const, fanIn: perGroup * kh * kw },
      trainable: true,
    };
    if (!a.bias) return [weight];
    return [weight, { role: 'bias', shape: [a.outChannels], init: { kind: 'zeros' }, trainable: true }];
  },
  macs([x], out, a) {
    const [, co, oh, ow] = out as [Dim, number, number, number];
    const perPosition = a.kernel[0] * a.kernel[1] * (nchw(x as Value)[1] / a.groups) * co;
    return (perPosition + (a.bias ? co : 0)) * oh * ow;
  },
};

function poolInfer(x: Value, a: PoolAttrs, fail: Fail): { shape: Shape; dtype: 'float32' } {
  checkPair('kernel', a.kernel, fail);
  checkPair('stride', a.stride, fail);
  checkPads(a.pads, fail);
  // A window entirely inside the padding would have nothing to pool (and -inf for a max).
  const [kh, kw] = a.kernel;
  if (a.pads[0] >= kh || a.pads[2] >= kh || a.pads[1] >= kw || a.pads[3] >= kw) {
    fail(`padding ${formatPads(a.pads)} must be smaller than the kernel ${formatPair(a.kernel)}`);
  }
  expectRank(x, [4], NCHW, fail);
  const [n, c, h, w] = nchw(x);
  const [oh, ow] = window2d(h, w, a.kernel, a.stride, a.pads, [1, 1], fail);
  return { shape: [n, c, oh, ow], dtype: 'float32' };
}

export const maxPool: OpDef<'maxPool'> = {
  arity: 1,
  infer: ([x], a, fail) => poolInfer(x as Value, a, fail),
};

export const avgPool: OpDef<'avgPool'> = {
  arity: 1,
  infer([x], a, fail) {
    checkBool('countIncludePad', a.countIncludePad, fail);
    return poolInfer(x as Value, a, fail);
  },
};

/** [N,C,H,W] -> [N,C,1,1], as ONNX GlobalAveragePool (flatten follows it before a dense layer). */
export const globalAvgPool: OpDef<'globalAvgPool'> = {
  arity: 1,
  infer([x], _a, fail) {
    expectRank(x as Value, [4], NCHW, fail);
    const [n, c] = nchw(x as Value);
    return { shape: [n, c, 1, 1], dtype: 'float32' };
  },
};
