import type { Rng } from '../../core/rng.js';
import type { Graph } from '../graph.js';
import type { GraphNode, Value } from '../types.js';
import {
  MorphError,
  checkParams,
  collectParams,
  findNode,
  isOutput,
  rebuild,
  type Net,
  type Params,
} from './net.js';

export type DeepenOptions = {
  /** The inserted conv's kernel: odd, stride 1, 'same' padding. Default 3. Ignored after a [N, F] value. */
  readonly kernel?: number;
  /**
   * A relu after the inserted layer. Default: exactly when `where`'s output is non-negative (it comes
   * out of a relu, maybe through pools, dropout, flatten...), the only case where relu is the identity.
   */
  readonly relu?: boolean;
  /** A batch norm after the inserted layer (before the relu); the layer then has no bias. Default false. */
  readonly batchNorm?: boolean;
  /**
   * `where`'s per-channel mean and biased variance on training data (channelStatistics). With batchNorm
   * they become the norm's running statistics and its gamma/beta undo them: the norm is the identity at
   * inference (as it is without them) and, on batches with those statistics, in training mode too,
   * where it normalises with the batch's own. Without them: mean 0, variance 1, and training mode
   * starts by standardising `where`'s channels.
   */
  readonly statistics?: { readonly mean: ArrayLike<number>; readonly variance: ArrayLike<number> };
};

/** A place deepen() can insert a layer: after this node, a conv (after [N,C,H,W]) or a dense layer (after [N,F]). */
export type DeepenPoint = {
  readonly name: string;
  readonly kind: 'conv' | 'dense';
  readonly nonNegative: boolean;
};

/**
 * Net2DeeperNet (Chen et al. 2016): inserts an identity-initialised layer after node `where`, which
 * every consumer of `where` then reads. After [N, C, H, W] it is a C -> C conv whose kernel is 1 at the
 * centre of channel c's own filter and 0 elsewhere; after [N, F] a dense layer with the identity matrix;
 * zero biases. Optionally a batch norm set to the identity at inference, and a relu (the identity on the
 * non-negative output of a relu, so it is only allowed there). The network computes the same function.
 */
export function deepen(
  graph: Graph,
  params: Params,
  where: string,
  how: DeepenOptions = {},
  _rng?: Rng,
): Net {
  const node = findNode(graph, where, 'deepen', 'the node after which to insert a layer');
  const point = pointOf(graph, node);
  const fail = (reason: 'not-applicable' | 'bad-option', why: string): never => {
    throw new MorphError(reason, `deepen after '${where}': ${why}`);
  };
  if (point === undefined)
    fail('not-applicable', `its output ${describe(node.output)} is not [N, C, H, W] or [N, F]`);
  const { kind, nonNegative } = point as DeepenPoint;
  if (isOutput(graph, where))
    fail('not-applicable', 'it is a network output; a layer after it would rename the output');
  checkParams(graph, params, 'deepen');
  const relu = how.relu ?? nonNegative;
  if (relu && !nonNegative) {
    fail(
      'not-applicable',
      'its output can be negative, so a relu after it would not be the identity; insert without relu or after a relu',
    );
  }
  const kernel = how.kernel ?? 3;
  if (kind === 'conv' && !(Number.isSafeInteger(kernel) && kernel >= 1 && kernel % 2 === 1)) {
    fail(
      'bad-option',
      `kernel must be an odd positive integer (the identity needs a centre), got ${String(kernel)}`,
    );
  }
  const width = node.output.shape[1] as number;
  const stats = how.statistics;
  if (stats !== undefined && (stats.mean.length !== width || stats.variance.length !== width)) {
    fail('bad-option', `statistics must hold ${width} means and variances (one per channel)`);
  }
  const base = freeBase(graph, `${where}/deeper`);
  const computed = new Map<string, Float32Array>();
  const next = rebuild(graph, (b, n, inputs) => {
    if (n.name !== where) return undefined;
    let h = b.addNode(n.op, inputs, n.attrs, n.name);
    const bias = how.batchNorm !== true;
    if (kind === 'conv') {
      const pad = (kernel - 1) / 2;
      h = b.conv2d(h, { name: `${base}/conv`, outChannels: width, kernel, padding: pad, bias });
      computed.set(`${base}/conv.weight`, identityKernel(width, kernel));
      if (bias) computed.set(`${base}/conv.bias`, new Float32Array(width));
    } else {
      h = b.dense(h, { name: `${base}/fc`, outFeatures: width, bias });
      computed.set(`${base}/fc.weight`, identityKernel(width, 1));
      if (bias) computed.set(`${base}/fc.bias`, new Float32Array(width));
    }
    if (how.batchNorm === true) h = b.batchNorm(h, { name: `${base}/bn` });
    if (relu) h = b.relu(h, { name: `${base}/relu` });
    return h;
  });
  if (how.batchNorm === true) {
    const bn = next.node(`${base}/bn`) as GraphNode;
    const epsilon = bn.op === 'batchNorm' ? bn.attrs.epsilon : 1e-5;
    const mean = Float32Array.from(stats?.mean ?? new Float32Array(width));
    const variance = Float32Array.from(stats?.variance ?? new Float32Array(width).fill(1));
    computed.set(`${base}/bn.runningMean`, mean);
    computed.set(`${base}/bn.runningVar`, variance);
    // gamma (y - mean) / sqrt(var + eps) + beta = y.
    computed.set(
      `${base}/bn.gamma`,
      variance.map((v) => Math.sqrt(v + epsilon)),
    );
    computed.set(`${base}/bn.beta`, mean.slice());
  }
  return { graph: next, params: collectParams(next, params, computed) };
}

/** Every node deepen() accepts: float [N,C,H,W] or [N,F] outputs that are not network outputs. */
export function deepenPoints(graph: Graph): DeepenPoint[] {
  return graph.nodes.flatMap((node) => {
    const point = pointOf(graph, node);
    return point === undefined || isOutput(graph, node.name) ? [] : [point];
  });
}

function pointOf(graph: Graph, node: GraphNode): DeepenPoint | undefined {
  const { shape, dtype } = node.output;
  if (dtype !== 'float32' || (shape.length !== 4 && shape.length !== 2)) return undefined;
  return {
    name: node.name,
    kind: shape.length === 4 ? 'conv' : 'dense',
    nonNegative: nonNegative(graph, node.name),
  };
}

/**
 * Whether a value is >= 0 for every input: a relu's output, and what pools, dropout, reshapes, sums
 * and concatenations of such values make (ops that keep signs).
 */
export function nonNegative(graph: Graph, name: string): boolean {
  const node = graph.node(name);
  if (node === undefined) return false;
  switch (node.op) {
    case 'relu':
    case 'zero':
      return true;
    case 'maxPool':
    case 'avgPool':
    case 'globalAvgPool':
    case 'dropout':
    case 'identity':
    case 'flatten':
    case 'reshape':
    case 'add':
    case 'concat':
      return node.inputs.every((input) => nonNegative(graph, input));
    default:
      return false;
  }
}

/** [c, c, k, k] with 1 at the centre of filter c's own channel (k = 1: the c x c identity matrix). */
function identityKernel(c: number, k: number): Float32Array {
  const w = new Float32Array(c * c * k * k);
  const centre = ((k - 1) / 2) * k + (k - 1) / 2;
  for (let i = 0; i < c; i++) w[(i * c + i) * k * k + centre] = 1;
  return w;
}

/** `base`, or `base-2`... such that none of the inserted layer's node names is taken. */
function freeBase(graph: Graph, base: string): string {
  const taken = (b: string) =>
    ['conv', 'fc', 'bn', 'relu'].some((part) => graph.node(`${b}/${part}`) !== undefined);
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`;
}

function describe(v: Value): string {
  return `[${v.shape.join(', ')}] ${v.dtype}`;
}
