import type { Rng } from '../../core/rng.js';
import type { Graph } from '../graph.js';
import type { GraphNode } from '../types.js';
import { MorphError, checkParams, collectParams, findNode, rebuild, type Net, type Params } from './net.js';
import { isPlainLayer, planWiden, type WidenPlan } from './widen-plan.js';
import { copyCounts, gatherAxis, type AxisView } from './tensor.js';

export type WidenOptions = {
  /** The new number of output channels (conv2d) or units (dense); at least the current one. */
  readonly width: number;
  /**
   * Symmetry breaking, default 0. The copies of a unit share its outgoing weights unequally:
   * share = (1 + noise * z) / copies with z standard normal, centred over the copies so the shares
   * still sum to one. The function stays the same (up to float rounding) while the copies' gradients
   * differ, so they do not stay identical as training goes on.
   */
  readonly noise?: number;
};

/** The current width of a conv2d or dense layer. */
export function layerWidth(node: GraphNode): number {
  if (node.op === 'conv2d') return node.attrs.outChannels;
  if (node.op === 'dense') return node.attrs.outFeatures;
  throw new MorphError('not-applicable', `${node.op} '${node.name}' has no width to change`);
}

/**
 * Net2WiderNet (Chen et al. 2016): `where` (a conv2d with one group, or a dense layer) gets `width`
 * output units; unit j >= the old width copies a unit drawn uniformly from the old ones. Batch norms and
 * other channel-wise ops after it copy the same channels; the next conv2d/dense layers divide their
 * incoming weights for a copied unit by its number of copies, so the network computes the same function.
 * Layers an add couples to it are widened with the same copies (see widen-plan.ts). Widening to the
 * current width returns an unchanged copy.
 */
export function widen(graph: Graph, params: Params, where: string, how: WidenOptions, rng: Rng): Net {
  const target = findNode(graph, where, 'widen', 'a conv2d or dense layer');
  if (!isPlainLayer(target)) {
    throw new MorphError(
      'not-applicable',
      `widen '${where}': ${target.op} cannot be widened; name a conv2d with one group or a dense layer ` +
        `(widenable here: ${widenableLayers(graph).join(', ') || 'none'})`,
    );
  }
  checkParams(graph, params, 'widen');
  const old = layerWidth(target);
  const noise = how.noise ?? 0;
  if (!Number.isSafeInteger(how.width) || how.width < old) {
    throw new MorphError(
      'bad-option',
      `widen '${where}': width must be an integer >= the current ${old}, got ${String(how.width)} ` +
        '(network morphisms only grow a network)',
    );
  }
  if (!(Number.isFinite(noise) && noise >= 0 && noise < 1)) {
    throw new MorphError('bad-option', `widen '${where}': noise must be in [0, 1), got ${String(noise)}`);
  }
  const map = Int32Array.from({ length: how.width }, (_, j) => (j < old ? j : rng.int(old)));
  const plan = planWiden(graph, target, map);
  const computed = new Map<string, Float32Array>();
  const next = rebuild(graph, (b, node, inputs) => {
    const out = plan.maps.get(node.name);
    widenParams(node, params, plan, noise, rng, computed);
    if (out === undefined) return undefined;
    if (node.op === 'conv2d') {
      // A source, or a depthwise conv whose groups follow its input.
      const groups = node.attrs.groups === 1 ? 1 : out.length;
      return b.addNode('conv2d', inputs, { ...node.attrs, outChannels: out.length, groups }, node.name);
    }
    if (node.op === 'dense') {
      return b.addNode('dense', inputs, { ...node.attrs, outFeatures: out.length }, node.name);
    }
    return undefined;
  });
  return { graph: next, params: collectParams(next, params, computed) };
}

/** The layers widen() accepts here: plain conv2d/dense layers whose widening reaches no output. */
export function widenableLayers(graph: Graph): string[] {
  return graph.nodes
    .filter((node) => {
      if (!isPlainLayer(node)) return false;
      const w = layerWidth(node);
      try {
        planWiden(
          graph,
          node,
          Int32Array.from({ length: w + 1 }, (_, j) => (j < w ? j : 0)),
        );
        return true;
      } catch (e) {
        if (e instanceof MorphError) return false;
        throw e;
      }
    })
    .map((n) => n.name);
}

/** The node's new parameters under the plan, into `computed`; nothing for untouched nodes. */
function widenParams(
  node: GraphNode,
  params: Params,
  plan: WidenPlan,
  noise: number,
  rng: Rng,
  computed: Map<string, Float32Array>,
): void {
  const outMap = plan.maps.get(node.name);
  const inMap = plan.absorbers.get(node.name);
  if (outMap === undefined && inMap === undefined) return;
  for (const spec of node.params) {
    let data = params.get(spec.name) as Float32Array;
    if (spec.role !== 'weight') {
      // Bias and batch norm's gamma, beta and running statistics: one value per output channel.
      if (outMap !== undefined) data = gatherAxis(data, { outer: 1, axis: data.length, inner: 1 }, outMap);
      computed.set(spec.name, data);
      continue;
    }
    const shape = [...spec.shape];
    // Output side first (a source's copies), then input side (an absorber's split) on the new shape.
    if (outMap !== undefined) {
      data = gatherAxis(data, outputView(node, shape), outMap);
      shape[node.op === 'dense' ? 1 : 0] = outMap.length;
    }
    if (inMap !== undefined) {
      const view = inputView(node, shape);
      data = gatherAxis(data, view, inMap, splitShares(inMap, view, noise, rng));
    }
    computed.set(spec.name, data);
  }
}

/** A conv2d weight [O, I, kh, kw] or dense weight [In, Out] along its output axis. */
function outputView(node: GraphNode, shape: readonly number[]): AxisView {
  const [d0, d1, kh = 1, kw = 1] = shape as [number, number, number?, number?];
  return node.op === 'dense'
    ? { outer: d0, axis: d1, inner: 1 }
    : { outer: 1, axis: d0, inner: d1 * kh * kw };
}

/** Along its input axis (only plain layers absorb, so a conv here has one group). */
function inputView(node: GraphNode, shape: readonly number[]): AxisView {
  const [d0, d1, kh = 1, kw = 1] = shape as [number, number, number?, number?];
  return node.op === 'dense' ? { outer: 1, axis: d0, inner: d1 } : { outer: d0, axis: d1, inner: kh * kw };
}

/**
 * The share of an old unit's outgoing weight each copy takes: 1 / copies, or with noise a centred
 * perturbation of it per weight (the shares of one weight's copies still sum to 1).
 */
function splitShares(
  map: Int32Array,
  view: AxisView,
  noise: number,
  rng: Rng,
): (a: number, j: number, r: number) => number {
  const counts = copyCounts(map, view.axis);
  if (noise === 0) return (_a, j) => 1 / (counts[map[j] as number] as number);
  const n = map.length;
  const z = new Float64Array(view.outer * n * view.inner);
  for (let k = 0; k < z.length; k++) z[k] = rng.normal();
  // Centre z over the copies of each old unit, per (a, r).
  const mean = new Float64Array(view.outer * view.axis * view.inner);
  for (let a = 0; a < view.outer; a++) {
    for (let j = 0; j < n; j++) {
      const i = map[j] as number;
      for (let r = 0; r < view.inner; r++) {
        const at = (a * view.axis + i) * view.inner + r;
        mean[at] = (mean[at] as number) + (z[(a * n + j) * view.inner + r] as number) / (counts[i] as number);
      }
    }
  }
  return (a, j, r) => {
    const i = map[j] as number;
    const centred =
      (z[(a * n + j) * view.inner + r] as number) - (mean[(a * view.axis + i) * view.inner + r] as number);
    return (1 + noise * centred) / (counts[i] as number);
  };
}
