import * as ort from 'onnxruntime-node';
import { count, type TensorData } from '../graph/onnx/index.js';
import { SessionError } from './errors.js';

/** Host tensors cross the session boundary as the same plain typed-array records the ONNX builder takes. */
export type Feeds = Readonly<Record<string, TensorData>>;
export type Outputs = Record<string, TensorData>;

function checkFeed(name: string, t: TensorData): void {
  if (!t.dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SessionError(
      'E_SESSION_FEED',
      `feed '${name}': dims must be non-negative integers, found [${t.dims}]`,
    );
  }
  const want = count(t.dims);
  if (t.data.length !== want) {
    throw new SessionError(
      'E_SESSION_FEED',
      `feed '${name}': dims [${t.dims.join(', ')}] hold ${want} elements but the data has ${t.data.length}`,
    );
  }
}

export function toOrtTensor(name: string, t: TensorData): ort.Tensor {
  checkFeed(name, t);
  const dims = [...t.dims];
  // No copy: ORT reads the typed array's memory directly for the duration of run().
  switch (t.type) {
    case 'float32':
      return new ort.Tensor('float32', t.data, dims);
    case 'int64':
      return new ort.Tensor('int64', t.data, dims);
    case 'int32':
      return new ort.Tensor('int32', t.data, dims);
    case 'bool':
      return new ort.Tensor('bool', t.data, dims);
    default:
      throw new SessionError(
        'E_SESSION_FEED',
        `feed '${name}': unsupported element type; use float32/int64/int32/bool`,
      );
  }
}

/** Output tensors' data lives in JS-owned buffers in onnxruntime-node, so it is handed out as is. */
export function fromOrtTensor(name: string, t: ort.Tensor): TensorData {
  const dims = t.dims.map(Number);
  const data: unknown = t.data;
  if (t.type === 'float32' && data instanceof Float32Array) return { type: 'float32', dims, data };
  if (t.type === 'int64' && data instanceof BigInt64Array) return { type: 'int64', dims, data };
  if (t.type === 'int32' && data instanceof Int32Array) return { type: 'int32', dims, data };
  if (t.type === 'bool' && data instanceof Uint8Array) return { type: 'bool', dims, data };
  throw new SessionError(
    'E_SESSION_RUN',
    `output '${name}' has element type ${t.type}, which naslab does not read; cast it to float32 or int64 in the graph`,
  );
}
