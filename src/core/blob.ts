/**
 * Float arrays <-> base64 strings, so policy weights and optimiser moments travel inside JSON strategy
 * state exactly (bit for bit) and compactly. Isomorphic: uses btoa/atob, present in browsers and Node.
 */
export function float64ToBase64(values: Float64Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export function base64ToFloat64(text: string, expectedLength?: number): Float64Array {
  const binary = atob(text);
  if (binary.length % 8 !== 0)
    throw new RangeError('base64 float64 blob: length is not a multiple of 8 bytes');
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const out = new Float64Array(bytes.buffer);
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new RangeError(`base64 float64 blob: expected ${expectedLength} values, found ${out.length}`);
  }
  return out;
}
