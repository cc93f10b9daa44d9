import {
  checkBool,
  checkPosInt,
  describeValue,
  expectFloat,
  expectRank,
  type Fail,
  type OpDef,
} from './op-def.js';
import { formatShape, isPosInt, perSampleSize, sameShape } from './shape.js';
import type { DType, NoAttrs, OpName, Shape, Value } from './types.js';

function sameAsInput([x]: readonly Value[], _a: unknown, fail: Fail): { shape: Shape; dtype: DType } {
  expectFloat(x as Value, fail);
  return { shape: (x as Value).shape, dtype: 'float32' };
}

/** relu, identity, zero: one float input, the same shape out, no parameters, no MACs. */
function unary<K extends OpName>(): OpDef<K> {
  return { arity: 1, infer: sameAsInput };
}
export const relu = unary<'relu'>();
export const identity = unary<'identity'>();
export const zero = unary<'zero'>();

export const dropout: OpDef<'dropout'> = {
  arity: 1,
  infer(inputs, a, fail) {
    if (typeof a.rate !== 'number' || !(a.rate >= 0 && a.rate < 1)) {
      fail(`rate must be in [0, 1), got ${JSON.stringify(a.rate)}`);
    }
    return sameAsInput(inputs, a, fail);
  },
};

/** Over the channel axis of [N,C] or [N,C,H,W]: gamma/beta trainable, running statistics buffers. */
export const batchNorm: OpDef<'batchNorm'> = {
  arity: 1,
  infer([x], a, fail) {
    if (typeof a.epsilon !== 'number' || !(a.epsilon > 0)) {
      fail(`epsilon must be a positive number, got ${JSON.stringify(a.epsilon)}`);
    }
    if (typeof a.momentum !== 'number' || !(a.momentum >= 0 && a.momentum <= 1)) {
      fail(`momentum must be in [0, 1], got ${JSON.stringify(a.momentum)}`);
    }
    expectRank(x as Value, [2, 4], '[N,C] or [N,C,H,W]', fail);
    return { shape: (x as Value).shape, dtype: 'float32' };
  },
  params([x]) {
    const c = [(x as Value).shape[1] as number];
    return [
      { role: 'gamma', shape: c, init: { kind: 'ones' }, trainable: true },
      { role: 'beta', shape: c, init: { kind: 'zeros' }, trainable: true },
      { role: 'runningMean', shape: c, init: { kind: 'zeros' }, trainable: false },
      { role: 'runningVar', shape: c, init: { kind: 'ones' }, trainable: false },
    ];
  },
};

/** Elementwise sum of one or more tensors of equal shape (no broadcasting: a mismatch is a bug). */
export const add: OpDef<'add'> = {
  arity: 1,
  variadic: true,
  infer(inputs, _a, fail) {
    const first = inputs[0] as Value;
    for (const v of inputs) {
      expectFloat(v, fail);
      if (!sameShape(v.shape, first.shape)) {
        fail(`shapes ${formatShape(first.shape)} and ${formatShape(v.shape)} differ`);
      }
    }
    return { shape: first.shape, dtype: 'float32' };
  },
};

/**
 * DARTS's mixed op: sum_i softmax(alpha)_i x_i over k >= 1 inputs of equal shape, alpha [k] trainable,
 * zeros at first (the uniform mixture; a search seeds its own). No MACs: the weighting is elementwise,
 * counted as 0 like add and batch norm (count.ts).
 */
export const mixture: OpDef<'mixture'> = {
  arity: 1,
  variadic: true,
  infer: add.infer,
  params(inputs) {
    return [{ role: 'alpha', shape: [inputs.length], init: { kind: 'zeros' }, trainable: true }];
  },
};

/** Along the channel axis; every other dimension must agree. */
export const concat: OpDef<'concat'> = {
  arity: 1,
  variadic: true,
  infer(inputs, a, fail) {
    if (a.axis !== 1) fail(`only the channel axis (1) is supported, got axis ${JSON.stringify(a.axis)}`);
    const first = inputs[0] as Value;
    let channels = 0;
    for (const v of inputs) {
      expectFloat(v, fail);
      const rest = (s: Shape): Shape => [s[0] as number, ...s.slice(2)];
      if (
        v.shape.length < 2 ||
        v.shape.length !== first.shape.length ||
        !sameShape(rest(v.shape), rest(first.shape))
      ) {
        fail(
          `shapes ${formatShape(first.shape)} and ${formatShape(v.shape)} differ outside the channel axis`,
        );
      }
      channels += v.shape[1] as number;
    }
    const shape = [...first.shape];
    shape[1] = channels;
    return { shape, dtype: 'float32' };
  },
};

export const dense: OpDef<'dense'> = {
  arity: 1,
  infer([x], a, fail) {
    checkPosInt('outFeatures', a.outFeatures, fail);
    checkBool('bias', a.bias, fail);
    expectRank(x as Value, [2], '[N, features] (flatten first)', fail);
    return { shape: [(x as Value).shape[0] as number, a.outFeatures], dtype: 'float32' };
  },
  params([x], a) {
    const inFeatures = (x as Value).shape[1] as number;
    const weight = {
      role: 'weight' as const,
      shape: [inFeatures, a.outFeatures],
      init: { kind: 'he-normal' as const, fanIn: inFeatures },
      trainable: true,
    };
    if (!a.bias) return [weight];
    return [weight, { role: 'bias', shape: [a.outFeatures], init: { kind: 'zeros' }, trainable: true }];
  },
  macs([x], _out, a) {
    return ((x as Value).shape[1] as number) * a.outFeatures + (a.bias ? a.outFeatures : 0);
  },
};

export const flatten: OpDef<'flatten'> = {
  arity: 1,
  infer([x], _a, fail) {
    expectFloat(x as Value, fail);
    const s = (x as Value).shape;
    if (s.length < 2) fail(`expects a batch of tensors (rank 2 or more), got ${describeValue(x as Value)}`);
    return { shape: [s[0] as number, perSampleSize(s)], dtype: 'float32' };
  },
};

export const reshape: OpDef<'reshape'> = {
  arity: 1,
  infer([x], a, fail) {
    if (!Array.isArray(a.shape) || !a.shape.every(isPosInt)) {
      fail(`shape must be a list of positive integers (per sample), got ${JSON.stringify(a.shape)}`);
    }
    expectFloat(x as Value, fail);
    const s = (x as Value).shape;
    if (s.length < 1) fail(`expects a batch, got the scalar ${describeValue(x as Value)}`);
    const target: Shape = [s[0] as number, ...a.shape];
    if (perSampleSize(target) !== perSampleSize(s)) {
      fail(
        `cannot reshape ${formatShape(s)} (${perSampleSize(s)} values per sample) to ` +
          `${formatShape(target)} (${perSampleSize(target)})`,
      );
    }
    return { shape: target, dtype: 'float32' };
  },
};

/** logits [N,K] float32 + labels [N] int64 -> the mean loss, a scalar. */
export const softmaxCrossEntropy: OpDef<'softmaxCrossEntropy'> = {
  arity: 2,
  infer([logits, labels], _a: NoAttrs, fail) {
    expectRank(logits as Value, [2], 'logits [N, classes]', fail);
    const l = labels as Value;
    if (l.dtype !== 'int64' || l.shape.length !== 1) {
      fail(`expects int64 labels [N], got ${describeValue(l)} ${l.dtype}`);
    }
    if (l.shape[0] !== (logits as Value).shape[0]) {
      fail(`batch of logits ${describeValue(logits as Value)} and labels ${describeValue(l)} differ`);
    }
    return { shape: [], dtype: 'float32' };
  },
};
