import { InvalidArchitectureError } from '../core/errors.js';
import { Graph } from './graph.js';
import type { Fail, OpDef } from './op-def.js';
import { OPS } from './ops.js';
import { formatShape, isDim, perSampleSize, resolvePads, toPair, type PadOption } from './shape.js';
import type { DType, GraphNode, OpAttrs, OpName, Pair, Shape, Value } from './types.js';

type Named = { readonly name?: string };
export type Conv2dOptions = Named & {
  readonly outChannels: number;
  readonly kernel: number | Pair;
  readonly stride?: number | Pair;
  /** Default 0; 'same' keeps ceil(input / stride) (extra pixel at the bottom/right, as ONNX SAME_UPPER). */
  readonly padding?: PadOption;
  readonly dilation?: number | Pair;
  /** Default 1; groups = input channels = outChannels is a depthwise conv. */
  readonly groups?: number;
  /** Default true (turn off before batch norm). */
  readonly bias?: boolean;
};
export type PoolOptions = Named & {
  readonly kernel: number | Pair;
  /** Default: the kernel (non-overlapping); a 3x3 kernel with stride 2 overlaps. */
  readonly stride?: number | Pair;
  readonly padding?: PadOption;
};
/** countIncludePad defaults to false (ONNX's default, and NAS-Bench-201's avg_pool_3x3). */
export type AvgPoolOptions = PoolOptions & { readonly countIncludePad?: boolean };
/** Defaults: epsilon 1e-5, momentum 0.1 (PyTorch's convention, see BatchNormAttrs). */
export type BatchNormOptions = Named & { readonly epsilon?: number; readonly momentum?: number };
export type DenseOptions = Named & { readonly outFeatures: number; readonly bias?: boolean };
/** The per-sample target shape; one entry may be -1 (inferred). */
export type ReshapeOptions = Named & { readonly shape: readonly number[] };
export type DropoutOptions = Named & { readonly rate: number };

// '.' is reserved: parameters are named '<node>.<role>'.
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_:/-]*$/;

/**
 * Builds a Graph op by op, inferring each output's shape as it goes, so a bad architecture fails at the
 * layer that breaks it, with an InvalidArchitectureError naming the op and the node.
 *
 *   const b = new GraphBuilder();
 *   const x = b.input('x', [BATCH, 1, 28, 28]);
 *   const y = b.dense(b.flatten(b.relu(b.conv2d(x, { outChannels: 16, kernel: 3, padding: 1 }))), { outFeatures: 10 });
 *   const graph = b.build([y]);
 */
export class GraphBuilder {
  private readonly inputs: Value[] = [];
  private readonly nodes: GraphNode[] = [];
  private readonly values = new Map<string, Value>();

  /** A graph input; axis 0 is the batch: BATCH ('N') for any batch size, or a fixed size. */
  input(name: string, shape: Shape, dtype: DType = 'float32'): Value {
    this.checkName(name, 'input');
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d, i) => isDim(d, i))) {
      throw new InvalidArchitectureError(
        `input '${name}': shape must be [batch, ...sizes] with batch 'N' or a positive integer and ` +
          `positive integer sizes, got ${JSON.stringify(shape)}`,
      );
    }
    if (dtype !== 'float32' && dtype !== 'int64') {
      throw new InvalidArchitectureError(
        `input '${name}': dtype must be float32 or int64, got ${String(dtype)}`,
      );
    }
    const v: Value = { name, shape: [...shape], dtype };
    this.inputs.push(v);
    this.values.set(name, v);
    return v;
  }

  /** A value already in the builder, by name. */
  get(name: string): Value | undefined {
    return this.values.get(name);
  }

  /**
   * The one way a node enters the graph (the op methods and fromJSON all come here): checks the inputs
   * belong to this builder, infers the output and names the parameters.
   */
  addNode<K extends OpName>(op: K, inputs: readonly Value[], attrs: OpAttrs[K], name?: string): Value {
    const nodeName = name ?? this.freshName(op);
    if (name !== undefined) this.checkName(name, op);
    const fail: Fail = (message) => {
      throw new InvalidArchitectureError(`${op} '${nodeName}': ${message}`);
    };
    const def = OPS[op] as OpDef<K>;
    const arityOk = def.variadic ? inputs.length >= def.arity : inputs.length === def.arity;
    if (!arityOk) {
      fail(`expects ${def.variadic ? 'at least ' : ''}${def.arity} input(s), got ${inputs.length}`);
    }
    for (const v of inputs) {
      if (this.values.get(v.name) !== v) fail(`input '${v.name}' is not a value of this graph`);
    }
    const copy = structuredClone(attrs);
    const { shape, dtype } = def.infer(inputs, copy, fail);
    const params = (def.params?.(inputs, copy) ?? []).map((p) => ({ name: `${nodeName}.${p.role}`, ...p }));
    const output: Value = { name: nodeName, shape, dtype };
    const node = { name: nodeName, op, inputs: inputs.map((v) => v.name), attrs: copy, output, params };
    this.nodes.push(node as GraphNode);
    this.values.set(nodeName, output);
    return output;
  }

  conv2d(x: Value, o: Conv2dOptions): Value {
    const kernel = toPair(o.kernel);
    const stride = toPair(o.stride ?? 1);
    const dilation = toPair(o.dilation ?? 1);
    const pads = resolvePads(o.padding ?? 0, spatial(x), kernel, stride, dilation);
    const attrs = {
      outChannels: o.outChannels,
      kernel,
      stride,
      pads,
      dilation,
      groups: o.groups ?? 1,
      bias: o.bias ?? true,
    };
    return this.addNode('conv2d', [x], attrs, o.name);
  }

  maxPool(x: Value, o: PoolOptions): Value {
    return this.addNode('maxPool', [x], poolAttrs(x, o), o.name);
  }

  avgPool(x: Value, o: AvgPoolOptions): Value {
    const attrs = { ...poolAttrs(x, o), countIncludePad: o.countIncludePad ?? false };
    return this.addNode('avgPool', [x], attrs, o.name);
  }

  globalAvgPool(x: Value, o: Named = {}): Value {
    return this.addNode('globalAvgPool', [x], {}, o.name);
  }

  batchNorm(x: Value, o: BatchNormOptions = {}): Value {
    return this.addNode(
      'batchNorm',
      [x],
      { epsilon: o.epsilon ?? 1e-5, momentum: o.momentum ?? 0.1 },
      o.name,
    );
  }

  relu(x: Value, o: Named = {}): Value {
    return this.addNode('relu', [x], {}, o.name);
  }

  add(xs: readonly Value[], o: Named = {}): Value {
    return this.addNode('add', xs, {}, o.name);
  }

  concat(xs: readonly Value[], o: Named = {}): Value {
    return this.addNode('concat', xs, { axis: 1 }, o.name);
  }

  dense(x: Value, o: DenseOptions): Value {
    return this.addNode('dense', [x], { outFeatures: o.outFeatures, bias: o.bias ?? true }, o.name);
  }

  flatten(x: Value, o: Named = {}): Value {
    return this.addNode('flatten', [x], {}, o.name);
  }

  reshape(x: Value, o: ReshapeOptions): Value {
    const name = o.name ?? this.freshName('reshape');
    return this.addNode('reshape', [x], { shape: resolveReshape(x, o.shape, name) }, name);
  }

  dropout(x: Value, o: DropoutOptions): Value {
    return this.addNode('dropout', [x], { rate: o.rate }, o.name);
  }

  softmaxCrossEntropy(logits: Value, labels: Value, o: Named = {}): Value {
    return this.addNode('softmaxCrossEntropy', [logits, labels], {}, o.name);
  }

  identity(x: Value, o: Named = {}): Value {
    return this.addNode('identity', [x], {}, o.name);
  }

  zero(x: Value, o: Named = {}): Value {
    return this.addNode('zero', [x], {}, o.name);
  }

  /** DARTS's mixed op: sum_i softmax(alpha)_i xs[i], with the node's trainable `alpha` [xs.length]. */
  mixture(xs: readonly Value[], o: Named = {}): Value {
    return this.addNode('mixture', xs, {}, o.name);
  }

  /** The finished graph with these outputs; the builder may go on to build a larger one. */
  build(outputs: readonly Value[]): Graph {
    if (outputs.length === 0) throw new InvalidArchitectureError('graph: build() needs at least one output');
    for (const v of outputs) {
      if (this.values.get(v.name) !== v) {
        throw new InvalidArchitectureError(`graph: output '${v.name}' is not a value of this graph`);
      }
    }
    return new Graph(this.inputs, this.nodes, outputs);
  }

  private checkName(name: string, what: string): void {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new InvalidArchitectureError(
        `${what} '${String(name)}': a name is letters, digits, '_', '-', ':' or '/' (no '.': parameters use it)`,
      );
    }
    if (this.values.has(name))
      throw new InvalidArchitectureError(`${what} '${name}': the name is already used`);
  }

  private freshName(op: OpName): string {
    for (let i = 1; ; i++) {
      const name = `${op}_${i}`;
      if (!this.values.has(name)) return name;
    }
  }
}

/** The input's [H, W] for 'same' padding; a wrong rank is reported by the op's own check. */
function spatial(x: Value): Pair {
  return x.shape.length === 4 ? [x.shape[2] as number, x.shape[3] as number] : [1, 1];
}

function poolAttrs(x: Value, o: PoolOptions): OpAttrs['maxPool'] {
  const kernel = toPair(o.kernel);
  const stride = toPair(o.stride ?? o.kernel);
  return { kernel, stride, pads: resolvePads(o.padding ?? 0, spatial(x), kernel, stride, [1, 1]) };
}

function resolveReshape(x: Value, shape: readonly number[], name: string): number[] {
  const holes = shape.filter((d) => d === -1).length;
  if (holes === 0) return [...shape];
  const fail = (why: string): never => {
    throw new InvalidArchitectureError(
      `reshape '${name}': cannot reshape ${formatShape(x.shape)} to ${formatShape([x.shape[0] ?? 'N', ...shape])}: ${why}`,
    );
  };
  if (holes > 1) fail('at most one dimension may be -1');
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = perSampleSize(x.shape);
  if (!(known > 0) || total % known !== 0) fail(`${total} values per sample do not divide by ${known}`);
  return shape.map((d) => (d === -1 ? total / known : d));
}
