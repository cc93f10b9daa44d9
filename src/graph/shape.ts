import type { Dim, Pads, Pair, Shape } from './types.js';

/** `[N,16,8,8]`: the form every error message uses. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Elements per sample: the product of every dimension after the batch axis (1 for a scalar). */
export function perSampleSize(shape: Shape): number {
  let n = 1;
  for (const d of shape.slice(1)) n *= d as number;
  return n;
}

/** Elements of a fully concrete shape (parameters). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function isPosInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 1;
}

export function isNonNegInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

export function isDim(d: unknown, axis: number): d is Dim {
  return axis === 0 && d === 'N' ? true : isPosInt(d);
}

/** `3` for [3,3], `5x3` otherwise. */
export function formatPair(p: Pair): string {
  return p[0] === p[1] ? String(p[0]) : `${p[0]}x${p[1]}`;
}

/** `1` when all four sides are equal, else the ONNX-order list. */
export function formatPads(p: Pads): string {
  return p.every((x) => x === p[0]) ? String(p[0]) : `[${p.join(',')}]`;
}

export function toPair(v: number | Pair): Pair {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/**
 * Output size along one axis of a sliding window (conv or pool, floor mode), or null when the (dilated)
 * window does not fit the padded input.
 */
export function windowOut(
  size: number,
  kernel: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation = 1,
): number | null {
  const span = dilation * (kernel - 1) + 1;
  const padded = size + padBegin + padEnd;
  if (span > padded) return null;
  return Math.floor((padded - span) / stride) + 1;
}

/**
 * 'same' padding as ONNX's SAME_UPPER and TensorFlow: output = ceil(input / stride), the odd pixel of
 * padding at the end (bottom/right).
 */
export function samePads(input: Pair, kernel: Pair, stride: Pair, dilation: Pair): Pads {
  const axis = (i: 0 | 1): [number, number] => {
    const out = Math.ceil(input[i] / stride[i]);
    const span = dilation[i] * (kernel[i] - 1) + 1;
    const total = Math.max((out - 1) * stride[i] + span - input[i], 0);
    const begin = Math.floor(total / 2);
    return [begin, total - begin];
  };
  const [top, bottom] = axis(0);
  const [left, right] = axis(1);
  return [top, left, bottom, right];
}

/** The padding forms the builder accepts: all sides, [vertical, horizontal], ONNX-order four, or 'same'. */
export type PadOption = number | Pair | Pads | 'same';

export function resolvePads(
  padding: PadOption,
  input: Pair,
  kernel: Pair,
  stride: Pair,
  dilation: Pair,
): Pads {
  if (padding === 'same') return samePads(input, kernel, stride, dilation);
  if (typeof padding === 'number') return [padding, padding, padding, padding];
  if (padding.length === 2) return [padding[0], padding[1], padding[0], padding[1]];
  return [padding[0], padding[1], padding[2], padding[3]];
}
