import { formatShape, isNonNegInt, isPosInt } from './shape.js';
import type { DType, InitSpec, OpAttrs, OpName, Pads, Pair, ParamRole, Shape, Value } from './types.js';

/** Throws the op's error, prefixed with the op and node name (`conv2d 'c3': ...`). */
export type Fail = (message: string) => never;

/** A parameter before the graph names it `<node>.<role>`. */
export type ParamDraft = {
  readonly role: ParamRole;
  readonly shape: readonly number[];
  readonly init: InitSpec;
  readonly trainable: boolean;
};

/**
 * One op's rules. `infer` validates the attributes and the input shapes and returns the output; it is
 * the single place both the builder and fromJSON go through, so a stored graph is checked like a new one.
 */
export interface OpDef<K extends OpName> {
  /** The exact number of inputs, or the minimum when `variadic`. */
  readonly arity: number;
  readonly variadic?: boolean;
  infer(inputs: readonly Value[], attrs: OpAttrs[K], fail: Fail): { shape: Shape; dtype: DType };
  params?(inputs: readonly Value[], attrs: OpAttrs[K]): readonly ParamDraft[];
  /** Multiply-accumulates per sample (the convention is in count.ts); absent = 0. */
  macs?(inputs: readonly Value[], output: Shape, attrs: OpAttrs[K]): number;
}

export function describeValue(v: Value): string {
  return `'${v.name}' ${formatShape(v.shape)}`;
}

export function expectFloat(v: Value, fail: Fail): void {
  if (v.dtype !== 'float32') fail(`input ${describeValue(v)} is ${v.dtype}; expected float32`);
}

/** A float input of one of the given ranks; `what` says what the op wants, for the message. */
export function expectRank(v: Value, ranks: readonly number[], what: string, fail: Fail): void {
  expectFloat(v, fail);
  if (!ranks.includes(v.shape.length)) fail(`expects ${what}, got ${describeValue(v)}`);
}

export function checkPosInt(field: string, x: unknown, fail: Fail): void {
  if (!isPosInt(x)) fail(`${field} must be a positive integer, got ${JSON.stringify(x)}`);
}

export function checkPair(field: string, p: Pair, fail: Fail): void {
  if (!Array.isArray(p) || p.length !== 2 || !p.every(isPosInt)) {
    fail(`${field} must be a positive integer or two of them, got ${JSON.stringify(p)}`);
  }
}

export function checkPads(p: Pads, fail: Fail): void {
  if (!Array.isArray(p) || p.length !== 4 || !p.every(isNonNegInt)) {
    fail(`padding must be 4 non-negative integers [top,left,bottom,right], got ${JSON.stringify(p)}`);
  }
}

export function checkBool(field: string, x: unknown, fail: Fail): void {
  if (typeof x !== 'boolean') fail(`${field} must be true or false, got ${JSON.stringify(x)}`);
}
