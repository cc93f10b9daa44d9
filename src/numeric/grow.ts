/** A copy of `a` with room for `size` elements (the rest zero): the tapes grow to the longest walk. */
export function grownF64(a: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(size);
  out.set(a);
  return out;
}

export function grownI32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(size);
  out.set(a);
  return out;
}
