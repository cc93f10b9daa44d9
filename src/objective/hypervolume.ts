/**
 * Exact hypervolume of a set of minimisation vectors with respect to a reference point: the measure of
 * the region dominated by the set and bounded by the reference. Points that do not strictly dominate
 * the reference in every coordinate add nothing and are ignored.
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const m = reference.length;
  if (m !== 2 && m !== 3) {
    throw new RangeError(
      `hypervolume is exact for 2 or 3 objectives only; the reference point has ${m} coordinates`,
    );
  }
  if (!reference.every(Number.isFinite)) {
    throw new RangeError(`the hypervolume reference point must be finite, got [${reference.join(', ')}]`);
  }
  const inside: (readonly number[])[] = [];
  points.forEach((p, i) => {
    if (p.length !== m) {
      throw new RangeError(`point ${i} has ${p.length} coordinates, the reference point has ${m}`);
    }
    if (p.every((v, k) => v < (reference[k] as number))) inside.push(p);
  });
  return m === 2 ? area2d(inside, reference) : volume3d(inside, reference);
}

/** Sweep in x: each point adds the strip between its y and the lowest y seen so far. */
function area2d(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const sorted = [...points].sort(
    (p, q) => (p[0] as number) - (q[0] as number) || (p[1] as number) - (q[1] as number),
  );
  const [rx, ry] = reference as [number, number];
  let area = 0;
  let lowest = ry;
  for (const p of sorted) {
    const y = p[1] as number;
    if (y < lowest) {
      area += (rx - (p[0] as number)) * (lowest - y);
      lowest = y;
    }
  }
  return area;
}

/**
 * Slices along z: between consecutive z values the dominated cross-section is the 2-D hypervolume of
 * the points below, which grows by one point per slice. O(N^2 log N), fine for a few thousand points.
 */
function volume3d(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const sorted = [...points].sort((p, q) => (p[2] as number) - (q[2] as number));
  const rz = reference[2] as number;
  const below: (readonly number[])[] = [];
  let volume = 0;
  for (let k = 0; k < sorted.length; k++) {
    below.push(sorted[k] as readonly number[]);
    const top = k + 1 < sorted.length ? ((sorted[k + 1] as readonly number[])[2] as number) : rz;
    const height = top - ((sorted[k] as readonly number[])[2] as number);
    if (height > 0) volume += area2d(below, reference) * height;
  }
  return volume;
}
