import { NotFoundError } from '../../core/errors.js';
import type { Graph } from '../graph.js';
import { ModelBuilder, OnnxGraphError, float32, type Dim as OnnxDim } from '../onnx/index.js';
import { formatShape, numel } from '../shape.js';
import type { GraphNode, ParamRole, Shape } from '../types.js';
import { emitInference } from './emit.js';

export type LowerInferenceOptions = {
  /**
   * The IR values the model outputs, by name. Default: the graph's outputs, with each loss
   * (softmaxCrossEntropy) replaced by its logits, so an inference model needs no labels. Name a loss
   * here to get it (SoftmaxCrossEntropyLoss, mean); the labels then become a model input.
   */
  readonly outputs?: readonly string[];
  /** The ONNX graph's name (shows in ORT errors and Netron). Default 'naslab-inference'. */
  readonly name?: string;
};

/**
 * The graph as an ONNX inference model: parameters and batch-norm running statistics become
 * initializers, dropout is the identity, batch norm uses the running statistics. Only the nodes the
 * outputs depend on are emitted and only the inputs they read are declared (ORT wants every declared
 * input fed). The symbolic batch 'N' stays a symbolic ONNX dim, so one model serves any batch size.
 */
export function buildInferenceModel(
  graph: Graph,
  params: ReadonlyMap<string, Float32Array>,
  options: LowerInferenceOptions = {},
): ModelBuilder {
  const outputs = options.outputs ?? defaultOutputs(graph);
  for (const name of outputs) {
    if (!hasValue(graph, name)) {
      throw new NotFoundError(
        `lowerInference: output '${name}' is not a value of the graph; name a graph input or node`,
      );
    }
  }
  const needed = ancestors(graph, outputs);
  const mb = new ModelBuilder({ name: options.name ?? 'naslab-inference' });
  for (const v of graph.inputs) {
    if (needed.has(v.name)) mb.input(v.name, v.dtype, onnxShape(v.shape));
  }
  const param = (node: GraphNode, role: ParamRole): string => {
    const spec = node.params.find((p) => p.role === role);
    if (spec === undefined) {
      throw new OnnxGraphError(`lowerInference: ${node.op} '${node.name}' has no ${role} parameter`);
    }
    const data = params.get(spec.name);
    if (data === undefined || data.length !== numel(spec.shape)) {
      const found = data === undefined ? 'it is missing' : `it has ${data.length} values`;
      throw new OnnxGraphError(
        `lowerInference: parameter '${spec.name}' must be a Float32Array of ${numel(spec.shape)} values ` +
          `(shape ${formatShape(spec.shape)}), but ${found}; initParameters(graph, rng) makes every one`,
      );
    }
    return mb.initializer(spec.name, float32(spec.shape, data));
  };
  for (const node of graph.nodes) {
    if (needed.has(node.name)) emitInference(mb, node, param);
  }
  for (const name of outputs) {
    const v = graph.value(name);
    mb.output(name, v.dtype, onnxShape(v.shape));
  }
  return mb;
}

/** buildInferenceModel serialised: the ModelProto bytes for Session.create. */
export function lowerInference(
  graph: Graph,
  params: ReadonlyMap<string, Float32Array>,
  options: LowerInferenceOptions = {},
): Uint8Array {
  return buildInferenceModel(graph, params, options).toBytes();
}

function defaultOutputs(graph: Graph): string[] {
  const names = graph.outputs.map((v) => {
    const node = graph.node(v.name);
    return node?.op === 'softmaxCrossEntropy' ? (node.inputs[0] as string) : v.name;
  });
  return [...new Set(names)];
}

function hasValue(graph: Graph, name: string): boolean {
  return graph.inputs.some((v) => v.name === name) || graph.node(name) !== undefined;
}

/** Every value the outputs depend on (themselves included), walking the nodes backwards once. */
function ancestors(graph: Graph, outputs: readonly string[]): Set<string> {
  const needed = new Set(outputs);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i] as GraphNode;
    if (needed.has(node.name)) for (const input of node.inputs) needed.add(input);
  }
  return needed;
}

function onnxShape(shape: Shape): OnnxDim[] {
  return [...shape];
}
