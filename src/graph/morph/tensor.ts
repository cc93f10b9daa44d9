/**
 * Index arithmetic on flat float32 tensors viewed as [outer, axis, inner]: the one shape every weight
 * a morphism touches takes (a conv weight [O, I, kh, kw] is [1, O, I*kh*kw] along its output axis and
 * [O, I, kh*kw] along its input axis; a dense weight [In, Out] is [In, Out, 1] and [1, In, Out]).
 */
export type AxisView = { readonly outer: number; readonly axis: number; readonly inner: number };

/**
 * out[a, j, r] = t[a, map[j], r] * scale(a, j, r): the new axis has map.length entries, entry j copying
 * old entry map[j]. `scale` defaults to 1 (a plain gather).
 */
export function gatherAxis(
  t: Float32Array,
  view: AxisView,
  map: ArrayLike<number>,
  scale?: (a: number, j: number, r: number) => number,
): Float32Array {
  const { outer, axis, inner } = view;
  if (t.length !== outer * axis * inner) {
    throw new RangeError(`gatherAxis: ${t.length} values do not make [${outer}, ${axis}, ${inner}]`);
  }
  const n = map.length;
  const out = new Float32Array(outer * n * inner);
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < n; j++) {
      const src = (a * axis + (map[j] as number)) * inner;
      const dst = (a * n + j) * inner;
      for (let r = 0; r < inner; r++) {
        const v = t[src + r] as number;
        out[dst + r] = scale === undefined ? v : v * scale(a, j, r);
      }
    }
  }
  return out;
}

/** out[a, j, r] = t[a, from + j, r] for j < count: a contiguous slice of the axis. */
export function sliceAxis(t: Float32Array, view: AxisView, from: number, count: number): Float32Array {
  return gatherAxis(
    t,
    view,
    Array.from({ length: count }, (_, j) => from + j),
  );
}

/** How many new entries copy each old one: counts[i] = #{ j : map[j] = i }. */
export function copyCounts(map: ArrayLike<number>, size: number): Int32Array {
  const counts = new Int32Array(size);
  for (let j = 0; j < map.length; j++) {
    const i = map[j] as number;
    counts[i] = (counts[i] as number) + 1;
  }
  return counts;
}

export function scaled(t: Float32Array, factor: number): Float32Array {
  return t.map((v) => v * factor);
}
