import { NotFoundError } from '../core/errors.js';
import type { GraphNode, OpAttrs, OpName, ParamSpec, Shape, Value } from './types.js';

/** A node as stored: enough to rebuild it (fromJSON re-infers shapes and parameters from the attributes). */
export type NodeJSON = {
  readonly name: string;
  readonly op: OpName;
  readonly inputs: readonly string[];
  readonly attrs: OpAttrs[OpName];
  /** The inferred output shape: for the dashboard, and checked on load (a drift between versions fails). */
  readonly shape: Shape;
};

export type GraphJSON = {
  readonly format: 'naslab-graph';
  readonly version: 1;
  readonly inputs: readonly Value[];
  readonly nodes: readonly NodeJSON[];
  readonly outputs: readonly string[];
};

/**
 * A network: inputs, nodes in topological order (the builder only lets a node read values that exist),
 * and outputs. Immutable; made by GraphBuilder.build() or graphFromJSON().
 */
export class Graph {
  readonly inputs: readonly Value[];
  readonly nodes: readonly GraphNode[];
  readonly outputs: readonly Value[];
  /** Every parameter and buffer, in node order (the order initParameters fills them). */
  readonly params: readonly ParamSpec[];
  private readonly values = new Map<string, Value>();
  private readonly byName = new Map<string, GraphNode>();

  constructor(inputs: readonly Value[], nodes: readonly GraphNode[], outputs: readonly Value[]) {
    this.inputs = [...inputs];
    this.nodes = [...nodes];
    this.outputs = [...outputs];
    this.params = this.nodes.flatMap((n) => n.params);
    for (const v of inputs) this.values.set(v.name, v);
    for (const n of nodes) {
      this.values.set(n.name, n.output);
      this.byName.set(n.name, n);
    }
  }

  /** A value (graph input or node output) by name. */
  value(name: string): Value {
    const v = this.values.get(name);
    if (v === undefined) throw new NotFoundError(`graph: no value named '${name}'`);
    return v;
  }

  node(name: string): GraphNode | undefined {
    return this.byName.get(name);
  }

  toJSON(): GraphJSON {
    return structuredClone({
      format: 'naslab-graph',
      version: 1,
      inputs: this.inputs,
      nodes: this.nodes.map((n) => ({
        name: n.name,
        op: n.op,
        inputs: n.inputs,
        attrs: n.attrs,
        shape: n.output.shape,
      })),
      outputs: this.outputs.map((v) => v.name),
    });
  }
}
