/**
 * Float arrays <-> base64 strings, so policy weights and optimiser moments travel inside JSON strategy
 * state exactly (bit for bit) and compactly. Isomorphic, and fast enough to run on every trial: a table
 * driven encoder writing bytes that TextDecoder turns into the string at once (string building per
 * character made a 1 MB blob take tens of milliseconds).
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const PAD = 61; // '='
const ascii = new TextDecoder('latin1');
const bytesOf = new TextEncoder();

function bytesToBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[o++] = ENCODE[n >> 18] as number;
    out[o++] = ENCODE[(n >> 12) & 63] as number;
    out[o++] = ENCODE[(n >> 6) & 63] as number;
    out[o++] = ENCODE[n & 63] as number;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] as number) << 16) | (rest > 1 ? (bytes[i + 1] as number) << 8 : 0);
    out[o++] = ENCODE[n >> 18] as number;
    out[o++] = ENCODE[(n >> 12) & 63] as number;
    out[o++] = rest > 1 ? (ENCODE[(n >> 6) & 63] as number) : PAD;
    out[o] = PAD;
  }
  return ascii.decode(out);
}

function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new RangeError('base64 blob: length is not a multiple of 4');
  const input = bytesOf.encode(text);
  if (input.length !== text.length) throw new RangeError('base64 blob: invalid (non-ASCII) character');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((input.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < input.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = input[i + k] as number;
      const v = c === PAD && i + k >= input.length - padding ? 0 : (DECODE[c] as number);
      if (v < 0) throw new RangeError(`base64 blob: invalid character at ${i + k}`);
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

export function float64ToBase64(values: Float64Array): string {
  return bytesToBase64(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

export function base64ToFloat64(text: string, expectedLength?: number): Float64Array {
  const bytes = base64ToBytes(text);
  if (bytes.length % 8 !== 0)
    throw new RangeError('base64 float64 blob: length is not a multiple of 8 bytes');
  const out = new Float64Array(bytes.buffer, 0, bytes.length / 8);
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new RangeError(`base64 float64 blob: expected ${expectedLength} values, found ${out.length}`);
  }
  return out;
}

/**
 * Float32 arrays back to back as one blob, exact at 4 bytes a value (network weights). The bytes go
 * through the float64 encoding, which copies bytes and never reads them as numbers, padded with one zero
 * value when the count is odd so they fill whole float64s.
 */
export function packFloat32(arrays: readonly Float32Array[]): string {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const flat = new Float32Array(total + (total % 2));
  let at = 0;
  for (const a of arrays) {
    flat.set(a, at);
    at += a.length;
  }
  return float64ToBase64(new Float64Array(flat.buffer));
}

/** The inverse of packFloat32: one new array per length, in order; RangeError when the blob holds another total. */
export function unpackFloat32(text: string, lengths: readonly number[]): Float32Array[] {
  const total = lengths.reduce((n, len) => n + len, 0);
  const bytes = base64ToFloat64(text, (total + (total % 2)) / 2);
  const flat = new Float32Array(bytes.buffer, bytes.byteOffset, total + (total % 2));
  const out: Float32Array[] = [];
  let at = 0;
  for (const len of lengths) {
    out.push(flat.slice(at, at + len));
    at += len;
  }
  return out;
}
