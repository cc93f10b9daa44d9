import { attr, float32, int64, type Attributes, type ModelBuilder } from '../onnx/index.js';
import type { GraphNode, ParamRole } from '../types.js';

/**
 * What a gradient rule gets besides its node and the incoming gradient: node emission with fresh names,
 * small constants, and which of the node's inputs want a gradient (a value no trainable parameter feeds,
 * such as the data, gets none, so conv1's input gradient is never computed).
 */
export class GradContext {
  constructor(
    readonly mb: ModelBuilder,
    private readonly needsGrad: (value: string) => boolean,
    private readonly fusedRelus: ReadonlySet<string> = new Set(),
    /** ONNX Runtime's NCHWc channel block, when blocked convs may be used (lower/nchwc.ts). */
    readonly nchwcBlock?: number,
  ) {}

  /** Whether the value a node reads needs its gradient. */
  wants(value: string): boolean {
    return this.needsGrad(value);
  }

  /**
   * Whether `value` is a ReLU whose only reader is a max pool that applies the ReLU's mask to its own
   * (smaller) gradient (rules-spatial.ts): the ReLU rule then passes its gradient through unmasked.
   */
  poolMasksRelu(value: string): boolean {
    return this.fusedRelus.has(value);
  }

  /**
   * Appends one ONNX node computing part of `node`'s backward pass and returns its output: named `out`
   * when given (a parameter's gradient output), else a fresh `<node>.d.<what>` ('.' keeps it apart from
   * IR values, and 'd' from parameter roles).
   */
  op(
    node: GraphNode,
    opType: string,
    inputs: readonly string[],
    what: string,
    attributes: Attributes = {},
    out?: string,
  ): string {
    const name = out ?? this.mb.uniqueName(`${node.name}.d.${what}`);
    this.mb.node(opType, inputs, [name], attributes, { name });
    return name;
  }

  /** An int64 constant (shapes, axes, pads): a vector unless `dims` shapes it (Gather indices). */
  ints(node: GraphNode, what: string, values: readonly number[], dims = [values.length]): string {
    return this.mb.initializer(this.mb.uniqueName(`${node.name}.d.${what}`), int64(dims, values));
  }

  /** A float32 constant; dims [] is a scalar. */
  floats(node: GraphNode, what: string, dims: readonly number[], values: ArrayLike<number>): string {
    return this.mb.initializer(this.mb.uniqueName(`${node.name}.d.${what}`), float32(dims, values));
  }

  /** Casts a bool or int64 tensor to float32 (ONNX TensorProto FLOAT = 1). */
  toFloat(node: GraphNode, value: string, what: string): string {
    return this.op(node, 'Cast', [value], what, { to: attr.int(1) });
  }
}

/** The model output holding d(loss)/d(param): `<param>.grad`. */
export function gradientName(param: string): string {
  return `${param}.grad`;
}

/** A rule's result: the gradient of each input (null: not wanted, or not differentiable) and of each parameter. */
export type GradResult = {
  readonly inputs: readonly (string | null)[];
  readonly params?: Partial<Record<ParamRole, string>>;
};

/** The name a rule writes a parameter's gradient to, so the model output needs no extra Identity. */
export function paramGradOut(node: GraphNode, role: ParamRole): string {
  const spec = node.params.find((p) => p.role === role);
  if (spec === undefined) throw new Error(`autodiff: ${node.op} '${node.name}' has no ${role} parameter`);
  return gradientName(spec.name);
}

/** A bias's gradient: the incoming gradient summed over every axis but the channel one. */
export function biasGradient(
  ctx: GradContext,
  node: GraphNode,
  dy: string,
  reduceAxes: readonly number[],
): string {
  const axes = ctx.ints(node, 'biasAxes', reduceAxes);
  return ctx.op(node, 'ReduceSum', [dy, axes], 'db', { keepdims: attr.int(0) }, paramGradOut(node, 'bias'));
}
