import { InvalidArchitectureError, NotFoundError } from '../../core/errors.js';
import type { Graph } from '../graph.js';
import { emitInference } from '../lower/emit.js';
import { emitConvNchwc } from '../lower/nchwc.js';
import { attr, float32, int64, ModelBuilder } from '../onnx/index.js';
import type { GraphNode, ParamRole, ParamSpec } from '../types.js';
import { emitBatchNormTraining, type BufferUpdate } from './batchnorm.js';
import { GradContext, gradientName } from './context.js';
import { emitDropoutTraining } from './dropout.js';
import { withoutDeadNodes } from './prune.js';
import { emitGradient } from './rules.js';

export type TrainingGradientsOptions = {
  /** The scalar value to differentiate: a softmaxCrossEntropy node's name. */
  readonly loss: string;
  /** The ONNX graph's name. Default 'naslab-gradients'. */
  readonly name?: string;
  /** Seeds dropout's masks (each node's stream mixes it with the node's name). Default 0. */
  readonly seed?: number;
  /**
   * Which trainable parameters to differentiate (default: all). The others are held fixed: model inputs
   * like the rest, without gradient outputs, and the backward nodes only they needed are left out. A
   * bilevel search (DARTS) trains its weights with its architecture weights fixed and the other way round.
   */
  readonly trainable?: (p: ParamSpec) => boolean;
  /**
   * ONNX Runtime's NCHWc channel block on this machine (runtime/nchwc.ts), to run the dense convs that
   * fit, and their input gradients, as its blocked direct convolutions (lower/nchwc.ts). Default: plain
   * ONNX ops only (what any runtime loads).
   */
  readonly nchwcBlock?: number;
};

export type TrainingGradients = {
  readonly model: ModelBuilder;
  /** The loss output's name (the loss value's IR name). */
  readonly loss: string;
  /** The trainable parameters, each a model input and with its gradient output `gradientName(p.name)`. */
  readonly params: readonly ParamSpec[];
  /** The trainable parameters `trainable` left out: model inputs, fed like the others, no gradient. */
  readonly frozen: readonly ParamSpec[];
  /**
   * The buffers (batch norm's running statistics), each a model input, with `next`, the output holding
   * its value after this batch: a training loop feeds `next` back as it does updated parameters.
   */
  readonly buffers: readonly BufferSlot[];
};

/** A buffer and the output holding its updated value. */
export type BufferSlot = { readonly spec: ParamSpec; readonly next: string };

/**
 * The forward and backward pass as one ONNX model: inputs are the data the loss reads (x, labels) and
 * every trainable parameter of the nodes the loss depends on (inputs, not initializers, so an optimiser
 * step can feed updated weights); outputs are the loss and `<param>.grad` for each of those parameters.
 * Reverse mode: nodes are visited backwards, each op's rule (rules.ts) turns its output gradient into
 * its inputs' and parameters' gradients, and a value read by several nodes sums their contributions.
 * The forward part is the inference emission (lower/emit.ts), fed parameters instead of initializers,
 * except batch norm, which runs in training mode (batch statistics; batchnorm.ts) and also outputs its
 * updated running statistics (`buffers`), taking the current ones as inputs, and dropout, which draws a
 * seeded mask per step (dropout.ts).
 */
export function buildTrainingGradients(graph: Graph, options: TrainingGradientsOptions): TrainingGradients {
  const lossNode = graph.node(options.loss);
  if (lossNode === undefined) {
    throw new NotFoundError(
      `buildTrainingGradients: loss '${options.loss}' is not a node of the graph; name a softmaxCrossEntropy node`,
    );
  }
  if (lossNode.output.shape.length !== 0 || lossNode.output.dtype !== 'float32') {
    throw new InvalidArchitectureError(
      `buildTrainingGradients: loss '${options.loss}' must be a float32 scalar (a softmaxCrossEntropy node), ` +
        `but it is ${lossNode.op} of shape [${lossNode.output.shape.join(', ')}]`,
    );
  }
  const nodes = ancestorNodes(graph, lossNode.name);
  const select = options.trainable ?? (() => true);
  const params = nodes.flatMap((n) => n.params.filter((p) => p.trainable && select(p)));
  const frozen = nodes.flatMap((n) => n.params.filter((p) => p.trainable && !select(p)));
  const differentiated = new Set(params.map((p) => p.name));
  const wanted = (p: ParamSpec): boolean => differentiated.has(p.name);
  const bufferSpecs = nodes.flatMap((n) =>
    n.op === 'batchNorm' ? n.params.filter((p) => !p.trainable) : [],
  );
  const needsGrad = dependsOnParams(nodes, wanted);

  const mb = new ModelBuilder({ name: options.name ?? 'naslab-gradients' });
  const read = new Set(nodes.flatMap((n) => n.inputs));
  for (const v of graph.inputs) if (read.has(v.name)) mb.input(v.name, v.dtype, [...v.shape]);
  for (const p of params) mb.input(p.name, 'float32', p.shape);
  for (const p of frozen) mb.input(p.name, 'float32', p.shape);
  for (const p of bufferSpecs) mb.input(p.name, 'float32', p.shape);
  const param = (node: GraphNode, role: ParamRole): string => {
    const spec = node.params.find((p) => p.role === role);
    if (spec === undefined || !spec.trainable) {
      throw new InvalidArchitectureError(`autodiff: ${node.op} '${node.name}' has no trainable ${role}`);
    }
    return spec.name;
  };
  const updates: BufferUpdate[] = [];
  const buffer = (node: GraphNode, role: ParamRole): string => {
    const spec = node.params.find((p) => p.role === role && !p.trainable);
    if (spec === undefined)
      throw new InvalidArchitectureError(`autodiff: ${node.op} '${node.name}' has no ${role}`);
    return spec.name;
  };
  const block = options.nchwcBlock;
  const convRelus = block === undefined ? new Map<string, string>() : relusOfConvs(nodes);
  const fused = new Set<string>();
  const blocked = (node: GraphNode): boolean => {
    if (node.op !== 'conv2d' || block === undefined) return false;
    const relu = convRelus.get(node.name);
    const channels = graph.value(node.inputs[0] as string).shape[1] as number;
    const done = emitConvNchwc(mb, node, channels, param, block, relu);
    if (done && relu !== undefined) fused.add(relu);
    return done;
  };
  for (const node of nodes) {
    if (fused.has(node.name)) continue; // a ReLU its conv applied
    if (node.op === 'dropout' && node.attrs.rate > 0) emitDropoutTraining(mb, node, options.seed ?? 0);
    else if (node.op === 'batchNorm') {
      const roles = { param: (r: ParamRole) => param(node, r), buffer: (r: ParamRole) => buffer(node, r) };
      updates.push(...emitBatchNormTraining(mb, node, roles.param, roles.buffer));
    } else if (!blocked(node)) emitInference(mb, node, param);
  }

  const ctx = new GradContext(mb, (v) => needsGrad.has(v), relusReadOnlyByMaxPool(nodes), options.nchwcBlock);
  const pending = new Map<string, string[]>();
  const add = (value: string, grad: string): void => {
    pending.set(value, [...(pending.get(value) ?? []), grad]);
  };
  add(lossNode.name, mb.initializer(`${lossNode.name}.d.seed`, float32([], [1])));
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i] as GraphNode;
    const dy = accumulate(mb, node.name, pending.get(node.name));
    if (!needsGrad.has(node.name)) continue;
    if (dy === null) {
      // Only a zero node between it and the loss: its parameters' gradients are exactly zero.
      for (const p of node.params.filter(wanted)) zeroGradient(mb, p);
      continue;
    }
    const result = emitGradient(ctx, graph, node, dy);
    result.inputs.forEach((g, k) => {
      if (g !== null) add(node.inputs[k] as string, g);
    });
    for (const p of node.params.filter(wanted)) {
      if (result.params?.[p.role] !== gradientName(p.name)) {
        throw new Error(`autodiff: the ${node.op} rule did not write the gradient of '${p.name}'`);
      }
    }
  }

  mb.output(lossNode.name, 'float32', []);
  for (const p of params) mb.output(gradientName(p.name), 'float32', p.shape);
  const buffers = bufferSpecs.map((spec): BufferSlot => {
    const next = updates.find((u) => u.input === spec.name)?.next as string;
    mb.output(next, 'float32', spec.shape);
    return { spec, next };
  });
  // Rules write every parameter's gradient; a fixed parameter's is read by nothing (ORT would run it).
  const model = frozen.length === 0 ? mb : withoutDeadNodes(mb);
  return { model, loss: lossNode.name, params, frozen, buffers };
}

/** buildTrainingGradients serialised: the ModelProto bytes for Session.create. */
export function lowerTrainingGradients(graph: Graph, options: TrainingGradientsOptions): Uint8Array {
  return buildTrainingGradients(graph, options).model.toBytes();
}

/** One gradient per value: the only contribution, or a Sum of several (fan-out). */
function accumulate(mb: ModelBuilder, value: string, grads: readonly string[] | undefined): string | null {
  if (grads === undefined || grads.length === 0) return null;
  if (grads.length === 1) return grads[0] as string;
  const out = mb.uniqueName(`${value}.d.sum`);
  mb.node('Sum', grads, [out], {}, { name: out });
  return out;
}

/** A parameter's gradient output as constant zeros of its (static) shape. */
function zeroGradient(mb: ModelBuilder, p: ParamSpec): void {
  const shape = mb.initializer(mb.uniqueName(`${p.name}.d.shape`), int64([p.shape.length], p.shape));
  const out = gradientName(p.name);
  mb.node('ConstantOfShape', [shape], [out], { value: attr.tensor(float32([1], [0])) }, { name: out });
}

/** The nodes the value depends on, itself included, in graph (topological) order. */
function ancestorNodes(graph: Graph, value: string): GraphNode[] {
  const needed = new Set([value]);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i] as GraphNode;
    if (needed.has(node.name)) for (const input of node.inputs) needed.add(input);
  }
  return graph.nodes.filter((n) => needed.has(n.name));
}

/** Each value's reader where exactly one node reads it, once. */
function soleReaders(nodes: readonly GraphNode[]): Map<string, GraphNode> {
  const readers = new Map<string, GraphNode[]>();
  for (const node of nodes) for (const v of node.inputs) readers.set(v, [...(readers.get(v) ?? []), node]);
  const out = new Map<string, GraphNode>();
  for (const [value, r] of readers) if (r.length === 1) out.set(value, r[0] as GraphNode);
  return out;
}

/** conv2d name -> the ReLU that is its output's sole reader, for a blocked conv to apply. */
function relusOfConvs(nodes: readonly GraphNode[]): Map<string, string> {
  const sole = soleReaders(nodes);
  const out = new Map<string, string>();
  for (const node of nodes) {
    const reader = sole.get(node.name);
    if (node.op === 'conv2d' && reader?.op === 'relu') out.set(node.name, reader.name);
  }
  return out;
}

/**
 * The ReLUs whose output exactly one node reads, once, and that node a max pool: the pool's rule
 * masks its gradient for them (GradContext.poolMasksRelu).
 */
function relusReadOnlyByMaxPool(nodes: readonly GraphNode[]): Set<string> {
  const sole = soleReaders(nodes);
  return new Set(
    nodes.filter((n) => n.op === 'relu' && sole.get(n.name)?.op === 'maxPool').map((n) => n.name),
  );
}

/** Values some differentiated parameter feeds: only they need a gradient (the data and labels do not). */
function dependsOnParams(nodes: readonly GraphNode[], wanted: (p: ParamSpec) => boolean): Set<string> {
  const out = new Set<string>();
  for (const node of nodes) {
    if (node.params.some(wanted) || node.inputs.some((v) => out.has(v))) out.add(node.name);
  }
  return out;
}
