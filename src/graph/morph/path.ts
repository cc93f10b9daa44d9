import type { Rng } from '../../core/rng.js';
import type { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import type { GraphNode, Value } from '../types.js';
import {
  MorphError,
  checkParams,
  collectParams,
  consumers,
  findNode,
  freshName,
  isOutput,
  rebuild,
  type Net,
  type Params,
} from './net.js';
import { scaled, sliceAxis } from './tensor.js';
import { layerWidth } from './widen.js';
import { isPlainLayer } from './widen-plan.js';

export type SplitMerge = 'add' | 'concat';

export type SplitOptions = {
  /** How the branches' outputs are merged. */
  readonly merge: SplitMerge;
  /** Number of branches, at least 2. Default 2. */
  readonly branches?: number;
  /**
   * add: each branch's positive share of the output, summing to 1 (default equal shares). concat: each
   * branch's number of output channels, summing to the layer's width (default as equal as possible).
   */
  readonly shares?: readonly number[];
};

/**
 * The unit a split replaces: a plain layer (conv2d with one group, or dense), then the batch norm that
 * alone reads it, then the relu that alone reads that, as far as they exist.
 */
export type SplitUnit = { readonly layer: GraphNode; readonly norm?: GraphNode; readonly relu?: GraphNode };

/**
 * Path-level transformation (Cai et al. 2018, TreeCell): the unit at `where` becomes branches reading
 * the same input, merged by add or concat, and the network computes the same function.
 * - add: every branch is a copy of the unit with its last affine map (batch norm's gamma and beta, or
 *   the layer's weight and bias when there is no norm) scaled by its share w_k > 0. The relu is
 *   positively homogeneous, relu(w y) = w relu(y), so the branches sum to the unit's output, with batch
 *   statistics in training mode too (every branch sees the same ones).
 * - concat: branch k computes a contiguous block of the unit's output channels (the layer's filters and
 *   the norm's statistics of those channels), so the channel concat in order is the unit's output.
 * The merge node takes the name of the unit's last node, so the rest of the graph is unchanged; branch
 * nodes are named `<node>/b<k>`. A later widen, deepen or split of one branch makes the branches differ.
 */
export function splitPath(graph: Graph, params: Params, where: string, how: SplitOptions, _rng?: Rng): Net {
  const layer = findNode(graph, where, 'split', 'a conv2d or dense layer');
  const fail = (reason: 'not-applicable' | 'bad-option', why: string): never => {
    throw new MorphError(reason, `split '${where}': ${why}`);
  };
  if (!isPlainLayer(layer))
    fail('not-applicable', `${layer.op} cannot be split; name a conv2d with one group or a dense layer`);
  checkParams(graph, params, 'split');
  const unit = splitUnit(graph, layer);
  const count = how.branches ?? how.shares?.length ?? 2;
  if (!(Number.isSafeInteger(count) && count >= 2))
    fail('bad-option', `branches must be an integer >= 2, got ${String(count)}`);
  if (how.merge !== 'add' && how.merge !== 'concat') {
    fail('bad-option', `merge must be 'add' or 'concat', got ${JSON.stringify(how.merge)}`);
  }
  const width = layerWidth(layer);
  const shares =
    how.merge === 'add' ? addShares(how.shares, count, fail) : concatShares(how.shares, count, width, fail);
  const nodes = [unit.layer, unit.norm, unit.relu].filter((n): n is GraphNode => n !== undefined);
  const last = nodes[nodes.length - 1] as GraphNode;
  const taken = new Set<string>();
  const names = shares.map((_, k) =>
    nodes.map((n) => {
      const name = freshName(graph, `${n.name}/b${k}`, taken);
      taken.add(name);
      return name;
    }),
  );
  // Branch k: its share (add) or its block of channels [from, from + size) (concat).
  const branches: Branch[] = shares.map((share, k) => {
    const from = shares.slice(0, k).reduce((a, s) => a + s, 0);
    return how.merge === 'add' ? { share, from: 0, size: width } : { share: 1, from, size: share };
  });
  // With add, the last affine map of the unit takes the share: the norm if there is one, else the layer.
  const scaledNode = unit.norm ?? unit.layer;
  const computed = new Map<string, Float32Array>();
  const emitBranch = (b: GraphBuilder, input: Value, k: number): Value => {
    const branch = branches[k] as Branch;
    let h = input;
    nodes.forEach((node, i) => {
      const name = (names[k] as string[])[i] as string;
      h = b.addNode(node.op, [h], resized(node, branch.size), name);
      for (const spec of node.params) {
        const data = params.get(spec.name) as Float32Array;
        const value =
          how.merge === 'concat'
            ? channelBlock(node, spec.role, spec.shape, data, branch)
            : node === scaledNode && spec.role !== 'runningMean' && spec.role !== 'runningVar'
              ? scaled(data, branch.share)
              : data.slice();
        computed.set(`${name}.${spec.role}`, value);
      }
    });
    return h;
  };
  const skip = new Set(nodes.slice(1).map((n) => n.name));
  const next = rebuild(
    graph,
    (b, node, inputs) => {
      if (node !== unit.layer) return undefined;
      const outs = branches.map((_, k) => emitBranch(b, inputs[0] as Value, k));
      return how.merge === 'add' ? b.add(outs, { name: last.name }) : b.concat(outs, { name: last.name });
    },
    skip,
  );
  return { graph: next, params: collectParams(next, params, computed) };
}

type Branch = { readonly share: number; readonly from: number; readonly size: number };

/** A unit node's attributes for a branch of `size` output channels (batch norm and relu have none to change). */
function resized(node: GraphNode, size: number): GraphNode['attrs'] {
  if (node.op === 'conv2d') return { ...node.attrs, outChannels: size };
  if (node.op === 'dense') return { ...node.attrs, outFeatures: size };
  return node.attrs;
}

/** The branch's block of a parameter's output channels: weight rows (conv) or columns (dense), else a slice. */
function channelBlock(
  node: GraphNode,
  role: string,
  shape: readonly number[],
  data: Float32Array,
  { from, size }: Branch,
): Float32Array {
  if (role !== 'weight') return data.slice(from, from + size);
  const [d0, d1, ...rest] = shape as [number, number, ...number[]];
  const view =
    node.op === 'dense'
      ? { outer: d0, axis: d1, inner: 1 }
      : { outer: 1, axis: d0, inner: rest.reduce((a, d) => a * d, d1) };
  return sliceAxis(data, view, from, size);
}

/** The unit splitPath() would replace for this layer. */
export function splitUnit(graph: Graph, layer: GraphNode): SplitUnit {
  const readers = consumers(graph);
  const only = (node: GraphNode, op: string): GraphNode | undefined => {
    const next = readers.get(node.name) ?? [];
    return next.length === 1 && next[0]?.op === op && !isOutput(graph, node.name) ? next[0] : undefined;
  };
  const norm = only(layer, 'batchNorm');
  const relu = only(norm ?? layer, 'relu');
  return { layer, ...(norm && { norm }), ...(relu && { relu }) };
}

/** The layers splitPath() accepts: every conv2d with one group and every dense layer. */
export function splittableLayers(graph: Graph): string[] {
  return graph.nodes.filter(isPlainLayer).map((n) => n.name);
}

type Fail = (reason: 'not-applicable' | 'bad-option', why: string) => never;

function addShares(given: readonly number[] | undefined, count: number, fail: Fail): number[] {
  const shares = given === undefined ? Array.from({ length: count }, () => 1 / count) : [...given];
  const sum = shares.reduce((a, b) => a + b, 0);
  if (
    shares.length !== count ||
    !shares.every((s) => Number.isFinite(s) && s > 0) ||
    Math.abs(sum - 1) > 1e-6
  ) {
    fail(
      'bad-option',
      `add shares must be ${count} positive numbers summing to 1, got ${JSON.stringify(given)}`,
    );
  }
  return shares;
}

function concatShares(
  given: readonly number[] | undefined,
  count: number,
  width: number,
  fail: Fail,
): number[] {
  if (width < count)
    fail('not-applicable', `${width} output channels cannot make ${count} branches of at least one`);
  const shares =
    given === undefined
      ? Array.from(
          { length: count },
          (_, k) => Math.floor((width * (k + 1)) / count) - Math.floor((width * k) / count),
        )
      : [...given];
  const sum = shares.reduce((a, b) => a + b, 0);
  if (shares.length !== count || !shares.every((s) => Number.isSafeInteger(s) && s > 0) || sum !== width) {
    fail(
      'bad-option',
      `concat shares must be ${count} positive integers summing to the width ${width}, got ${JSON.stringify(given)}`,
    );
  }
  return shares;
}
