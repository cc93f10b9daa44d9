import { InvalidArchitectureError } from '../../core/errors.js';
import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { formatShape, numel } from '../shape.js';
import type { GraphNode, ParamRole, Value } from '../types.js';

/**
 * The shared ground of the network morphisms: a network is a graph plus its weights by parameter name
 * (what initParameters makes and trainEpochs returns, batch norm's running statistics included).
 */
export type Params = ReadonlyMap<string, Float32Array>;
export type Net = { readonly graph: Graph; readonly params: Map<string, Float32Array> };

/** Why a transformation was refused: the layer does not exist, the transform does not apply, or an option is bad. */
export type MorphReason = 'unknown-layer' | 'not-applicable' | 'bad-option';

/**
 * A transformation that cannot be made. It is an InvalidArchitectureError, so an evaluator that lets it
 * escape marks the child trial invalid; `reason` lets a controller tell a bad pick from a bug.
 */
export class MorphError extends InvalidArchitectureError {
  readonly reason: MorphReason;
  constructor(reason: MorphReason, message: string) {
    super(message);
    this.name = 'MorphError';
    this.reason = reason;
  }
}

/** A node by name, or MorphError naming what the transform wants (`what`: "a conv2d or dense node"). */
export function findNode(graph: Graph, name: string, transform: string, what: string): GraphNode {
  const node = graph.node(name);
  if (node === undefined) {
    const input = graph.inputs.some((v) => v.name === name);
    throw new MorphError(
      'unknown-layer',
      `${transform}: ${input ? `'${name}' is a graph input` : `no node named '${name}'`}; name ${what}`,
    );
  }
  return node;
}

/** Every parameter of `graph` must be in `params` with the right size: a transform reads them all. */
export function checkParams(graph: Graph, params: Params, transform: string): void {
  for (const p of graph.params) {
    const data = params.get(p.name);
    if (data === undefined || data.length !== numel(p.shape)) {
      const found = data === undefined ? 'it is missing' : `it has ${data.length} values`;
      throw new MorphError(
        'bad-option',
        `${transform}: parameter '${p.name}' must hold ${numel(p.shape)} values (shape ` +
          `${formatShape(p.shape)}), but ${found}; pass the parameters of this graph (trainEpochs' params)`,
      );
    }
  }
}

/** The parameter `<node>.<role>` of a node's params, or undefined when the node has none of that role. */
export function paramOf(node: GraphNode, params: Params, role: ParamRole): Float32Array | undefined {
  const spec = node.params.find((p) => p.role === role);
  return spec === undefined ? undefined : params.get(spec.name);
}

/** The nodes reading each value, in graph order. */
export function consumers(graph: Graph): Map<string, GraphNode[]> {
  const out = new Map<string, GraphNode[]>();
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      const list = out.get(input) ?? [];
      if (!list.includes(node)) list.push(node);
      out.set(input, list);
    }
  }
  return out;
}

export function isOutput(graph: Graph, name: string): boolean {
  return graph.outputs.some((v) => v.name === name);
}

/**
 * Emits a node's replacement into the builder; `inputs` are the node's inputs as rebuilt so far. Return
 * undefined to keep the node as it is. The value returned stands for the node's output from then on
 * (consumers and graph outputs read it), and for the value of its own name too: deepen puts a new layer
 * after a node and hands that layer's output on; a path-level split replaces a unit of nodes at its
 * first one, by a merge named as its last one (whose consumers come later).
 */
export type Emit = (b: GraphBuilder, node: GraphNode, inputs: Value[]) => Value | undefined;

/**
 * The graph rebuilt node by node through GraphBuilder, so every shape and parameter is inferred and
 * checked again: a widened conv's consumers get their new input channels without being told.
 * `skip` names nodes already emitted as part of another node's replacement (path-level units).
 */
export function rebuild(graph: Graph, emit: Emit, skip: ReadonlySet<string> = new Set()): Graph {
  const b = new GraphBuilder();
  const env = new Map<string, Value>();
  for (const v of graph.inputs) env.set(v.name, b.input(v.name, v.shape, v.dtype));
  const get = (name: string): Value => {
    const v = env.get(name);
    if (v === undefined) throw new InvalidArchitectureError(`morph: value '${name}' was not rebuilt`);
    return v;
  };
  for (const node of graph.nodes) {
    if (skip.has(node.name)) continue;
    const inputs = node.inputs.map(get);
    const out = emit(b, node, inputs) ?? b.addNode(node.op, inputs, node.attrs, node.name);
    env.set(node.name, out);
    // A replacement of several nodes returns the value standing for the last one, by that one's name.
    if (out.name !== node.name) env.set(out.name, out);
  }
  return b.build(graph.outputs.map((v) => get(v.name)));
}

/**
 * The new graph's parameters: `computed` where a transform made new values, copies of the parent's
 * otherwise (copies, so training the child never writes into the parent). A size mismatch means a
 * transform forgot a tensor whose shape changed: a bug, reported as such.
 */
export function collectParams(
  graph: Graph,
  parent: Params,
  computed: ReadonlyMap<string, Float32Array>,
): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const p of graph.params) {
    const data = computed.get(p.name) ?? parent.get(p.name);
    if (data === undefined || data.length !== numel(p.shape)) {
      throw new InvalidArchitectureError(
        `morph: no values of shape ${formatShape(p.shape)} for parameter '${p.name}' (a bug in the transform)`,
      );
    }
    out.set(p.name, computed.has(p.name) ? data : data.slice());
  }
  return out;
}

/** A node name not used in the graph: `base`, else `base-2`, `base-3`... */
export function freshName(graph: Graph, base: string, taken: ReadonlySet<string> = new Set()): string {
  const used = (n: string) =>
    graph.node(n) !== undefined || graph.inputs.some((v) => v.name === n) || taken.has(n);
  if (!used(base)) return base;
  for (let i = 2; ; i++) if (!used(`${base}-${i}`)) return `${base}-${i}`;
}
