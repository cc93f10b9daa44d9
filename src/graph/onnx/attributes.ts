import type { TensorData } from './tensor.js';

/**
 * A typed attribute value. ONNX distinguishes int from float attributes (Gemm's alpha must be a float,
 * Conv's group an int), and a plain JS number cannot say which, so every value is tagged:
 * `{ strides: attr.ints([2, 2]), alpha: attr.float(1) }`.
 */
export type AttributeValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: TensorData };

export type Attributes = Readonly<Record<string, AttributeValue>>;

export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value: [...value] }),
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value: [...value] }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  tensor: (value: TensorData): AttributeValue => ({ kind: 'tensor', value }),
} as const;

/** onnx.AttributeProto.AttributeType codes. */
export const ONNX_ATTRIBUTE_TYPE: Readonly<Record<AttributeValue['kind'], number>> = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  floats: 6,
  ints: 7,
};

/** Returns why the value is malformed, or null. Ints must be safe integers: protobuf would truncate. */
export function attributeProblem(a: AttributeValue): string | null {
  switch (a.kind) {
    case 'int':
      return Number.isSafeInteger(a.value) ? null : `an int attribute needs an integer, found ${a.value}`;
    case 'ints': {
      const bad = a.value.find((v) => !Number.isSafeInteger(v));
      return bad === undefined ? null : `an ints attribute needs integers, found ${bad}`;
    }
    case 'float':
      return typeof a.value === 'number' ? null : `a float attribute needs a number, found ${typeof a.value}`;
    case 'floats': {
      const bad = a.value.find((v) => typeof v !== 'number');
      return bad === undefined ? null : `a floats attribute needs numbers, found ${typeof bad}`;
    }
    case 'string':
      return typeof a.value === 'string' ? null : `a string attribute needs a string`;
    case 'tensor':
      return null; // checked by checkTensor, which names the tensor
    default:
      return `unknown attribute kind ${JSON.stringify((a as { kind: unknown }).kind)}; build it with attr.*`;
  }
}
