import type { Graph } from '../graph.js';
import type { GraphNode } from '../types.js';
import { MorphError, consumers, isOutput } from './net.js';

/**
 * Which tensors a widening touches. Widening layer L to more units makes L's output carry copies of
 * some channels: value v then holds old channel map[j] at new channel j. That spreads forward through
 * channel-wise ops (relu, batch norm, pools, dropout, identity, zero, depthwise convs), becomes a
 * longer map through concat and flatten, and stops at the next conv2d/dense layer (an "absorber"),
 * whose incoming weights for the copies are split so its output is unchanged. An add needs every
 * term widened with the same map, so it spreads backward too: to other conv2d/dense layers feeding
 * the add (more "sources", widened with the same copies), through channel-wise ops. That closure is
 * Net2WiderNet on a residual stream.
 */
export type WidenPlan = {
  /** For each value whose channels change: new channel j holds old channel map[j] (axis 1). */
  readonly maps: ReadonlyMap<string, Int32Array>;
  /** conv2d/dense layers whose output units are copied: the widened layer and those an add couples to it. */
  readonly sources: ReadonlySet<string>;
  /** conv2d/dense layers reading a widened value, with that value's map (their input side is split). */
  readonly absorbers: ReadonlyMap<string, Int32Array>;
};

const CHANNELWISE = new Set([
  'relu',
  'batchNorm',
  'maxPool',
  'avgPool',
  'globalAvgPool',
  'dropout',
  'identity',
  'zero',
]);

/** A conv2d with one group or a dense layer: the layers that can be widened and that absorb a widening. */
export function isPlainLayer(node: GraphNode): boolean {
  return (node.op === 'conv2d' && node.attrs.groups === 1) || node.op === 'dense';
}

/** One filter per input channel: its output channels follow its input's, like a channel-wise op. */
export function isDepthwise(graph: Graph, node: GraphNode): boolean {
  if (node.op !== 'conv2d' || node.attrs.groups === 1) return false;
  const channels = graph.value(node.inputs[0] as string).shape[1];
  return node.attrs.groups === channels && node.attrs.outChannels === channels;
}

function sameMap(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The closure of widening `target` (a plain layer) so that its output channel j copies old channel
 * map[j]. Throws MorphError ('not-applicable') naming the node that blocks it.
 */
export function planWiden(graph: Graph, target: GraphNode, map: Int32Array): WidenPlan {
  const who = `widen '${target.name}'`;
  const fail = (why: string): never => {
    throw new MorphError('not-applicable', `${who}: ${why}`);
  };
  const readers = consumers(graph);
  const maps = new Map<string, Int32Array>();
  const sources = new Set<string>();
  const absorbers = new Map<string, Int32Array>();
  const queue: string[] = [];
  const concats = new Set<GraphNode>();

  /**
   * Value `name` must carry `m`: record it, then make its producer produce it (backward), unless the
   * map was derived from the producer's own inputs (`derived`: a concat or flatten output).
   */
  const assign = (name: string, m: Int32Array, via: string, derived = false): void => {
    const have = maps.get(name);
    if (have !== undefined) {
      if (!sameMap(have, m)) fail(`'${name}' would need two different channel copies (${via})`);
      return;
    }
    maps.set(name, m);
    queue.push(name);
    if (derived) return;
    const producer = graph.node(name);
    if (producer === undefined) {
      fail(`it is added to the graph input '${name}' (${via}), whose channels cannot be copied`);
    } else if (isPlainLayer(producer)) {
      sources.add(producer.name);
    } else if (CHANNELWISE.has(producer.op) || isDepthwise(graph, producer)) {
      assign(producer.inputs[0] as string, m, via);
    } else if (producer.op === 'add') {
      for (const input of producer.inputs) assign(input, m, via);
    } else {
      fail(
        `'${name}' (${producer.op}) is added to it (${via}); only conv2d/dense layers, channel-wise ` +
          'ops and adds can be widened to match',
      );
    }
  };

  /** The consumers of a widened value (forward). */
  const spread = (name: string): void => {
    const m = maps.get(name) as Int32Array;
    for (const node of readers.get(name) ?? []) {
      if (isPlainLayer(node)) absorbers.set(node.name, m);
      else if (CHANNELWISE.has(node.op) || isDepthwise(graph, node))
        assign(node.name, m, `through '${node.name}'`);
      else if (node.op === 'add') assign(node.name, m, `add '${node.name}'`);
      else if (node.op === 'concat') concats.add(node);
      else if (node.op === 'flatten')
        assign(node.name, flattenMap(graph, name, m), `flatten '${node.name}'`, true);
      else if (node.op === 'softmaxCrossEntropy')
        fail(`'${name}' feeds the loss '${node.name}': it is the network's output layer`);
      else fail(`its output reaches ${node.op} '${node.name}', which cannot carry copied channels`);
    }
  };

  const run = (): void => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) spread(name);
  };
  if (!isPlainLayer(target)) fail('only a conv2d with one group or a dense layer can be widened');
  assign(target.name, map, 'the widened layer');
  run();
  // A concat's map joins its inputs' maps, so it waits until the adds have settled what feeds it.
  while (concats.size > 0) {
    const pending = graph.nodes.filter((n) => concats.has(n));
    concats.clear();
    for (const node of pending) {
      if (!maps.has(node.name))
        assign(node.name, concatMap(graph, node, maps), `concat '${node.name}'`, true);
    }
    run();
  }
  for (const node of graph.nodes) {
    if (node.op === 'concat' && maps.has(node.name)) {
      if (!sameMap(maps.get(node.name) as Int32Array, concatMap(graph, node, maps))) {
        fail(`concat '${node.name}' is reached twice in a way this transform does not support`);
      }
    }
  }
  for (const name of maps.keys()) {
    if (isOutput(graph, name))
      fail(`'${name}' is a network output; widening would change the output's shape`);
  }
  return { maps, sources, absorbers };
}

/** [N, C, H, W] flattened: feature c*HW + s copies old feature map[c]*HW + s. */
function flattenMap(graph: Graph, name: string, m: Int32Array): Int32Array {
  const shape = graph.value(name).shape;
  const hw = shape.slice(2).reduce<number>((a, d) => a * (d as number), 1);
  const out = new Int32Array(m.length * hw);
  for (let c = 0; c < m.length; c++) {
    for (let s = 0; s < hw; s++) out[c * hw + s] = (m[c] as number) * hw + s;
  }
  return out;
}

/** Each input's map (identity where it is not widened), offset by the old channels before it. */
function concatMap(graph: Graph, node: GraphNode, maps: ReadonlyMap<string, Int32Array>): Int32Array {
  const parts: number[] = [];
  let offset = 0;
  for (const input of node.inputs) {
    const channels = graph.value(input).shape[1] as number;
    const m = maps.get(input);
    if (m === undefined) for (let c = 0; c < channels; c++) parts.push(offset + c);
    else for (const c of m) parts.push(offset + c);
    offset += channels;
  }
  return Int32Array.from(parts);
}
