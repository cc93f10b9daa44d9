import { ConfigError } from '../core/errors.js';

/**
 * The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type code, the number of dimensions, each
 * dimension as a big-endian uint32, then the values. naslab reads the unsigned-byte type (0x08) that
 * image and label files use.
 */
export interface IdxArray {
  readonly dims: readonly number[];
  /** Row-major values; a view into the bytes it was parsed from. */
  readonly data: Uint8Array;
}

const UBYTE = 0x08;
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};
/** More dimensions than any image tensor has: a larger count means the bytes are not IDX. */
const MAX_DIMS = 8;

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** Parses IDX bytes (already unzipped); `source` names the file in errors. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const notIdx = `${source}: not an IDX file`;
  if (bytes.length < 4) {
    throw new ConfigError(`${notIdx}: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  }
  const magic = Array.from(bytes.subarray(0, 4), hex).join(' ');
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new ConfigError(`${notIdx}: the magic number ${magic} must start with two zero bytes`);
  }
  const type = bytes[2] as number;
  if (type !== UBYTE) {
    const name = TYPE_NAMES[type];
    throw new ConfigError(
      name === undefined
        ? `${notIdx}: unknown type code ${hex(type)} in the magic number ${magic}`
        : `${source}: IDX values of type ${name} (${hex(type)}) are not supported; ` +
            'naslab reads unsigned-byte (0x08) files such as MNIST and Fashion-MNIST',
    );
  }
  const ndims = bytes[3] as number;
  if (ndims < 1 || ndims > MAX_DIMS) {
    throw new ConfigError(
      `${notIdx}: ${ndims} dimensions in the magic number ${magic} (expected 1 to ${MAX_DIMS})`,
    );
  }
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) {
    throw new ConfigError(
      `${source}: truncated IDX header: ${ndims} dimensions need ${headerLength} bytes, the file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    dims.push(size);
    count *= size;
  }
  const found = bytes.length - headerLength;
  if (found !== count) {
    const what = found < count ? 'truncated' : 'has trailing bytes';
    throw new ConfigError(
      `${source}: IDX data ${what}: dimensions ${dims.join(' x ')} need ${count} values, the file holds ${found}`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Writes an unsigned-byte IDX array (tests and the subset script). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new RangeError(
      `encodeIdx: dimensions ${dims.join(' x ')} need ${count} values, got ${data.length}`,
    );
  }
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((size, d) => view.setUint32(4 + 4 * d, size, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
