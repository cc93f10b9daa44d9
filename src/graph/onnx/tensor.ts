import { OnnxGraphError } from './errors.js';

/** Element types the builder emits. ONNX has more; these are the ones naslab's training graphs need. */
export type ElemType = 'float32' | 'int64' | 'int32' | 'bool';

/** A concrete dimension, or a symbolic one (e.g. 'N' for the batch) that is fixed at run time. */
export type Dim = number | string;

/** A dense tensor with its data; bool is stored one byte per element (0 or 1), as ONNX does. */
export type TensorData =
  | { readonly type: 'float32'; readonly dims: readonly number[]; readonly data: Float32Array }
  | { readonly type: 'int64'; readonly dims: readonly number[]; readonly data: BigInt64Array }
  | { readonly type: 'int32'; readonly dims: readonly number[]; readonly data: Int32Array }
  | { readonly type: 'bool'; readonly dims: readonly number[]; readonly data: Uint8Array };

/** onnx.TensorProto.DataType codes (from onnx.proto; stable across ONNX versions). */
export const ONNX_DATA_TYPE: Readonly<Record<ElemType, number>> = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
};

const ARRAY_OF: Readonly<Record<ElemType, { name: string; is: (d: unknown) => boolean }>> = {
  float32: { name: 'Float32Array', is: (d) => d instanceof Float32Array },
  int64: { name: 'BigInt64Array', is: (d) => d instanceof BigInt64Array },
  int32: { name: 'Int32Array', is: (d) => d instanceof Int32Array },
  bool: { name: 'Uint8Array', is: (d) => d instanceof Uint8Array },
};

export function isElemType(t: unknown): t is ElemType {
  return typeof t === 'string' && Object.hasOwn(ONNX_DATA_TYPE, t);
}

/** Shorthands: `float32([2, 3], data)`; data defaults to zeros. */
export function float32(dims: readonly number[], data?: ArrayLike<number>): TensorData {
  // Invalid dims get an empty array here; checkTensor reports them with the tensor's name.
  const n = count(dims);
  const zeros = Number.isSafeInteger(n) && n >= 0 ? n : 0;
  return {
    type: 'float32',
    dims: [...dims],
    data: data === undefined ? new Float32Array(zeros) : Float32Array.from(data),
  };
}
export function int64(dims: readonly number[], data: ArrayLike<number | bigint>): TensorData {
  return { type: 'int64', dims: [...dims], data: BigInt64Array.from(Array.from(data, (v) => BigInt(v))) };
}

export function count(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/**
 * Checks that the data is the typed array of its element type and holds exactly prod(dims) elements.
 * `what` names the tensor in the message ("initializer 'conv1.w'").
 */
export function checkTensor(t: TensorData, what: string): void {
  if (!isElemType(t.type))
    throw new OnnxGraphError(`${what}: unknown element type ${JSON.stringify(t.type)}`);
  for (const d of t.dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new OnnxGraphError(`${what}: dims must be non-negative integers, found [${t.dims.join(', ')}]`);
    }
  }
  const spec = ARRAY_OF[t.type];
  if (!spec.is(t.data)) throw new OnnxGraphError(`${what}: a ${t.type} tensor needs a ${spec.name} as data`);
  const want = count(t.dims);
  if (t.data.length !== want) {
    throw new OnnxGraphError(
      `${what}: shape [${t.dims.join(', ')}] holds ${want} elements but the data has ${t.data.length}; ` +
        'fix the dims or the data length',
    );
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** ONNX raw_data is little-endian. On little-endian hosts (all real ones) this is a plain byte copy. */
export function rawBytes(t: TensorData): Uint8Array {
  const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (LITTLE_ENDIAN || t.type === 'bool') return src.slice();
  const out = new Uint8Array(src.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < t.data.length; i++) {
    if (t.type === 'float32') view.setFloat32(i * 4, t.data[i] ?? 0, true);
    else if (t.type === 'int32') view.setInt32(i * 4, t.data[i] ?? 0, true);
    else if (t.type === 'int64') view.setBigInt64(i * 8, t.data[i] ?? 0n, true);
  }
  return out;
}
