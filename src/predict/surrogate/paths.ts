import { ConfigError } from '../../core/errors.js';
import type { SearchSpace } from '../../core/space.js';
import type { Sample } from '../../core/types.js';
import { NB201_EDGES, NB201_OPS } from '../../space/nb201.js';
import type { Encoder } from './encode.js';

/** An edge of a cell DAG carrying an op (nb201 puts ops on edges). */
export interface CellEdge {
  readonly from: number;
  readonly to: number;
  readonly op: string;
}

/**
 * What a cell space tells the path encoding: its ops that carry data (the alphabet of paths), the
 * longest input-to-output path, and the op sequence of every input-to-output path of a sample. Ops
 * outside `ops` (nb201's `none`) cut the paths through them. A new cell space adds one of these to
 * PATH_ENUMERATORS under its space name.
 */
export interface PathEnumerator {
  readonly ops: readonly string[];
  readonly maxLength: number;
  paths(sample: Sample): string[][];
}

/**
 * Every path from `input` to `output` of a DAG, as op sequences, skipping edges whose op is not in
 * `live` (a `none` edge carries nothing, so no path runs through it). Depth first, in edge order.
 */
export function dagPaths(
  edges: readonly CellEdge[],
  input: number,
  output: number,
  live: ReadonlySet<string>,
): string[][] {
  const out: string[][] = [];
  const visit = (node: number, ops: string[]): void => {
    if (node === output) {
      out.push([...ops]);
      return;
    }
    for (const e of edges) {
      if (e.from !== node || !live.has(e.op)) continue;
      ops.push(e.op);
      visit(e.to, ops);
      ops.pop();
    }
  };
  visit(input, []);
  return out;
}

const NB201_LIVE_OPS = NB201_OPS.filter((op) => op !== 'none');

/** nb201: paths from node 0 to node 3 (lengths 1 to 3: at most 4 + 16 + 64 = 84 distinct sequences). */
export const nb201Paths: PathEnumerator = {
  ops: NB201_LIVE_OPS,
  maxLength: 3,
  paths(sample) {
    const edges = NB201_EDGES.map((e) => {
      const op = sample[e.name];
      if (op === undefined) throw new ConfigError(`nb201 path encoding: decision "${e.name}" is missing`);
      return { from: e.from, to: e.to, op: String(op) };
    });
    return dagPaths(edges, 0, 3, new Set(NB201_LIVE_OPS));
  },
};

/** Path enumerators by space name. */
export const PATH_ENUMERATORS: Readonly<Record<string, PathEnumerator>> = { nb201: nb201Paths };

/**
 * BANANAS's path encoding (White et al. 2021): one indicator per possible op sequence from input to
 * output, 1 when the cell has such a path. Unlike one-hot it is invariant to which edge carries an op
 * when the data flow is the same, and a `none` that disconnects part of the cell removes its paths.
 * Features are ordered by length, then lexicographically by op index (length-1 paths first).
 */
export class PathEncoder implements Encoder {
  readonly name = 'path';
  readonly size: number;
  private readonly opIndex: ReadonlyMap<string, number>;
  /** Offset of the first sequence of each length (index = length - 1). */
  private readonly offsets: readonly number[];

  constructor(private readonly enumerator: PathEnumerator) {
    this.opIndex = new Map(enumerator.ops.map((op, i) => [op, i]));
    const offsets: number[] = [];
    let size = 0;
    for (let length = 1; length <= enumerator.maxLength; length++) {
      offsets.push(size);
      size += enumerator.ops.length ** length;
    }
    this.offsets = offsets;
    this.size = size;
  }

  /** The feature index of an op sequence. */
  indexOf(path: readonly string[]): number {
    if (path.length < 1 || path.length > this.enumerator.maxLength) {
      throw new ConfigError(`path of length ${path.length}: expected 1 to ${this.enumerator.maxLength}`);
    }
    let index = 0;
    for (const op of path) {
      const i = this.opIndex.get(op);
      if (i === undefined)
        throw new ConfigError(`path op "${op}" is not one of ${this.enumerator.ops.join(', ')}`);
      index = index * this.enumerator.ops.length + i;
    }
    return this.offsets[path.length - 1]! + index;
  }

  encode(sample: Sample): number[] {
    const out = new Array<number>(this.size).fill(0);
    for (const path of this.enumerator.paths(sample)) out[this.indexOf(path)] = 1;
    return out;
  }
}

/** The path encoder for a space, or a ConfigError listing the spaces that have one. */
export function pathEncoderFor(space: SearchSpace<unknown>): PathEncoder {
  const enumerator = PATH_ENUMERATORS[space.name];
  if (enumerator === undefined) {
    throw new ConfigError(
      `space "${space.name}" has no path encoding (spaces with one: ${Object.keys(PATH_ENUMERATORS).join(', ')}); ` +
        'use the one-hot encoding',
    );
  }
  return new PathEncoder(enumerator);
}
