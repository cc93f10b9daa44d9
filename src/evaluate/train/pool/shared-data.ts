import type { Dataset } from '../../../data/dataset.js';
import type { Splits } from '../../../data/split.js';

/** True when the dataset's arrays live in SharedArrayBuffers (posting it to a worker copies nothing). */
export function isShared(data: Dataset): boolean {
  return data.x.buffer instanceof SharedArrayBuffer && data.y.buffer instanceof SharedArrayBuffer;
}

function sharedCopy<T extends Float32Array | Int32Array>(a: T, make: (b: SharedArrayBuffer) => T): T {
  const out = make(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/**
 * The dataset with its samples and labels moved into SharedArrayBuffers: copied once here, after which
 * every worker it is posted to reads the same memory. Training only reads datasets, so sharing is safe.
 * A dataset already shared is returned as it is.
 */
export function shareDataset(data: Dataset): Dataset {
  if (isShared(data)) return data;
  return {
    ...data,
    x: sharedCopy(data.x, (b) => new Float32Array(b)),
    y: sharedCopy(data.y, (b) => new Int32Array(b)),
  };
}

export function shareSplits(data: Splits): Splits {
  return { train: shareDataset(data.train), valid: shareDataset(data.valid), test: shareDataset(data.test) };
}
