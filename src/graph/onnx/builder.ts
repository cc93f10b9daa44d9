import { attributeProblem, type Attributes } from './attributes.js';
import { encodeModel } from './encode.js';
import { OnnxGraphError } from './errors.js';
import type { GraphSpec, Initializer, ModelMeta, NodeSpec, ValueInfo } from './graph.js';
import { checkTensor, isElemType, type Dim, type ElemType, type TensorData } from './tensor.js';

export interface ModelBuilderOptions {
  /** The graph's name (shows in ORT errors and in Netron). */
  readonly name?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
}

export interface NodeOptions {
  /** Node name; default `<opType>_<k>`, unique in the graph. */
  readonly name?: string;
  /** Operator domain; default '' (ai.onnx). */
  readonly domain?: string;
}

/** Where a tensor name comes from, for error messages and the topological-order check. */
type Producer = { kind: 'input' } | { kind: 'initializer' } | { kind: 'node'; index: number; node: string };

function describe(p: Producer): string {
  return p.kind === 'node' ? `node '${p.node}'` : `the graph ${p.kind}`;
}

/**
 * Builds one ONNX model (opset 17, IR 8) from typed pieces. Cheap mistakes fail at the call that makes them
 * (a name produced twice, an initializer whose data does not fit its dims, a non-integer int attribute);
 * whole-graph ones (an input nobody produces, nodes out of topological order, an output never computed)
 * fail in validate(), which toBytes() runs. Shapes and op semantics are left to ONNX Runtime.
 */
export class ModelBuilder {
  private readonly name: string;
  private readonly meta: ModelMeta;
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly nodes: NodeSpec[] = [];
  private readonly producers = new Map<string, Producer>();
  /** Every tensor name produced or handed out by uniqueName(), so fresh names never collide. */
  private readonly taken = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private readonly counters = new Map<string, number>();
  private readonly nodeCounters = new Map<string, number>();

  constructor(options: ModelBuilderOptions = {}) {
    this.name = options.name ?? 'naslab';
    this.meta = {
      producerName: 'naslab',
      producerVersion: options.producerVersion ?? '',
      docString: options.docString ?? '',
    };
  }

  /** A tensor name not used so far: `base` itself if free, else `base_1`, `base_2`... Reserved once returned. */
  uniqueName(base: string): string {
    let name = base;
    let k = this.counters.get(base) ?? 0;
    while (name === '' || this.taken.has(name)) name = `${base}_${++k}`;
    this.counters.set(base, k);
    this.taken.add(name);
    return name;
  }

  /** Declares a graph input. Use a string dim for a size fixed at run time: `['N', 1, 28, 28]`. */
  input(name: string, type: ElemType, shape: readonly Dim[]): string {
    this.checkValueInfo(name, type, shape, 'input');
    this.produce(name, { kind: 'input' });
    this.inputs.push({ name, type, shape: [...shape] });
    return name;
  }

  /** Declares a graph output: a name some node, input or initializer produces (checked in validate()). */
  output(name: string, type: ElemType, shape?: readonly Dim[]): string {
    this.checkValueInfo(name, type, shape, 'output');
    if (this.outputs.some((o) => o.name === name)) {
      throw new OnnxGraphError(`graph output '${name}' is declared twice; declare each output once`);
    }
    this.outputs.push(shape === undefined ? { name, type } : { name, type, shape: [...shape] });
    return name;
  }

  /** Adds a named constant tensor (weights, shapes, axes). The data is copied at toBytes() time. */
  initializer(name: string, tensor: TensorData): string {
    checkTensor(tensor, `initializer '${name}'`);
    this.produce(name, { kind: 'initializer' });
    this.initializers.push({ name, tensor });
    return name;
  }

  /** Whether a tensor of this name exists already (an input, an initializer or a node's output). */
  produces(name: string): boolean {
    return this.producers.has(name);
  }

  /**
   * Appends a node. Nodes must come in topological order (ONNX requires it), which building forward
   * gives naturally. Returns the output names.
   */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Attributes = {},
    options: NodeOptions = {},
  ): readonly string[] {
    if (opType === '') throw new OnnxGraphError('node: opType must not be empty');
    // Everything is checked before anything is recorded, so a failed call leaves the builder unchanged.
    const name = options.name ?? this.freshNodeName(opType);
    if (this.nodeNames.has(name))
      throw new OnnxGraphError(`node name '${name}' is used twice; node names are unique`);
    if (outputs.length === 0) throw new OnnxGraphError(`node '${name}' (${opType}) has no outputs`);
    for (const [key, value] of Object.entries(attributes)) {
      if (value.kind === 'tensor') checkTensor(value.value, `node '${name}' attribute '${key}'`);
      const problem = attributeProblem(value);
      if (problem !== null)
        throw new OnnxGraphError(`node '${name}' (${opType}) attribute '${key}': ${problem}`);
    }
    const index = this.nodes.length;
    const producer: Producer = { kind: 'node', index, node: name };
    outputs.forEach((out, i) => {
      if (outputs.indexOf(out) !== i) throw new OnnxGraphError(`node '${name}' lists output '${out}' twice`);
      this.checkFree(out, `output of node '${name}'`);
    });
    for (const out of outputs) this.produce(out, producer, `output of node '${name}'`);
    if (options.name === undefined) this.nodeCounters.set(opType, (this.nodeCounters.get(opType) ?? 0) + 1);
    this.nodeNames.add(name);
    this.nodes.push({
      name,
      opType,
      domain: options.domain ?? '',
      inputs: [...inputs],
      outputs: [...outputs],
      attributes: { ...attributes },
    });
    return [...outputs];
  }

  /** One-output shorthand: appends the node with a fresh output name (`<opType>_out`...) and returns it. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Attributes = {},
    options: NodeOptions = {},
  ): string {
    const out = this.uniqueName(`${options.name ?? opType}_out`);
    try {
      this.node(opType, inputs, [out], attributes, options);
    } catch (e) {
      this.taken.delete(out); // the name was never produced: give it back
      throw e;
    }
    return out;
  }

  /**
   * Whole-graph checks: every node input is produced before the node, every output is produced,
   * and there is at least one output. Throws OnnxGraphError naming the tensor and node.
   */
  validate(): void {
    this.nodes.forEach((n, index) => {
      for (const input of n.inputs) {
        if (input === '') continue;
        const p = this.producers.get(input);
        if (p === undefined) {
          throw new OnnxGraphError(
            `node '${n.name}' (${n.opType}) reads '${input}', which nothing produces; ` +
              'add it as a graph input, an initializer or the output of an earlier node',
          );
        }
        if (p.kind === 'node' && p.index >= index) {
          throw new OnnxGraphError(
            `node '${n.name}' (${n.opType}) reads '${input}' before ${describe(p)} produces it; ` +
              'add nodes in topological order',
          );
        }
      }
    });
    if (this.outputs.length === 0)
      throw new OnnxGraphError(`graph '${this.name}' has no outputs; declare one`);
    for (const o of this.outputs) {
      if (!this.producers.has(o.name)) {
        throw new OnnxGraphError(
          `graph output '${o.name}' is never produced; no node, input or initializer makes it`,
        );
      }
    }
  }

  /** The graph as plain data (a snapshot; later builder calls do not change it). */
  spec(): GraphSpec {
    return {
      name: this.name,
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      initializers: [...this.initializers],
      nodes: [...this.nodes],
    };
  }

  /** Validates, then serialises the ModelProto. */
  toBytes(): Uint8Array {
    this.validate();
    return encodeModel(this.spec(), this.meta);
  }

  private checkFree(name: string, what: string): void {
    if (name === '') throw new OnnxGraphError(`${what}: tensor names must not be empty`);
    const before = this.producers.get(name);
    if (before !== undefined) {
      throw new OnnxGraphError(
        `'${name}' is produced twice (by ${describe(before)} and as ${what}); use builder.uniqueName()`,
      );
    }
  }

  private produce(name: string, p: Producer, what = `graph ${p.kind}`): void {
    this.checkFree(name, what);
    this.producers.set(name, p);
    this.taken.add(name);
  }

  /** The next free `<opType>_<k>`; node() advances the counter only once the node is recorded. */
  private freshNodeName(opType: string): string {
    let k = this.nodeCounters.get(opType) ?? 0;
    let name = `${opType}_${k}`;
    while (this.nodeNames.has(name)) {
      name = `${opType}_${++k}`;
      this.nodeCounters.set(opType, k);
    }
    return name;
  }

  private checkValueInfo(
    name: string,
    type: ElemType,
    shape: readonly Dim[] | undefined,
    what: string,
  ): void {
    if (name === '') throw new OnnxGraphError(`graph ${what}: name must not be empty`);
    if (!isElemType(type)) {
      throw new OnnxGraphError(`graph ${what} '${name}': unknown element type ${JSON.stringify(type)}`);
    }
    for (const d of shape ?? []) {
      const ok = typeof d === 'string' ? d !== '' : Number.isSafeInteger(d) && d >= 0;
      if (!ok) {
        throw new OnnxGraphError(
          `graph ${what} '${name}': dims are non-negative integers or symbolic names like 'N', found ${JSON.stringify(d)}`,
        );
      }
    }
  }
}
