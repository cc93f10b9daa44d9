import { ConfigError, TrialFailedError } from '../../core/errors.js';
import type { Graph, GraphJSON, NodeJSON } from '../../graph/graph.js';
import { graphFromJSON } from '../../graph/json.js';
import type { OpAttrs } from '../../graph/types.js';

/** A layer's width under the multiplier: rounded, at least 1 (the same width always maps the same way). */
export function scaledWidth(width: number, multiplier: number): number {
  return Math.max(1, Math.round(width * multiplier));
}

/** Nodes whose output is the network's answer: the dense layers read by the loss or returned as outputs. */
function headNodes(doc: GraphJSON): Set<string> {
  const heads = new Set<string>(doc.outputs);
  for (const n of doc.nodes) if (n.op === 'softmaxCrossEntropy') n.inputs.forEach((i) => heads.add(i));
  return heads;
}

function narrowNode(n: NodeJSON, multiplier: number, heads: ReadonlySet<string>): NodeJSON {
  if (heads.has(n.name)) return n;
  if (n.op === 'dense') {
    const attrs = n.attrs as OpAttrs['dense'];
    const narrowed: OpAttrs['dense'] = { ...attrs, outFeatures: scaledWidth(attrs.outFeatures, multiplier) };
    return { ...n, attrs: narrowed };
  }
  if (n.op === 'conv2d') {
    const attrs = n.attrs as OpAttrs['conv2d'];
    const outChannels = scaledWidth(attrs.outChannels, multiplier);
    // A depthwise conv (groups = channels) stays depthwise: its input narrowed the same way.
    const groups = attrs.groups === attrs.outChannels ? outChannels : attrs.groups;
    const narrowed: OpAttrs['conv2d'] = { ...attrs, outChannels, groups };
    return { ...n, attrs: narrowed };
  }
  return n;
}

/**
 * The width proxy: the same network with every convolution's output channels and every hidden dense
 * layer's units multiplied by `multiplier` (rounded, at least 1); the classifier keeps its classes.
 * Shapes and parameters are re-inferred (graphFromJSON), so batch norms and the layers reading a
 * narrowed one follow. Applies to any space's graph, with no option of the space involved.
 */
export function narrowGraph(graph: Graph, multiplier: number): Graph {
  if (multiplier === 1) return graph;
  const doc = graph.toJSON();
  const heads = headNodes(doc);
  // Stored shapes would be checked against the narrowed ones on load: leave them out to be re-inferred.
  const nodes = doc.nodes.map((n) => {
    const { shape: _shape, ...rest } = narrowNode(n, multiplier, heads);
    return rest;
  });
  try {
    return graphFromJSON({ ...doc, nodes }, `evaluator.widthMultiplier ${multiplier}`);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // E.g. a group count that no longer divides the narrowed channels: this network has no such proxy.
    throw new TrialFailedError(
      `train: this network cannot be narrowed by evaluator.widthMultiplier ${multiplier}: ${e.message}`,
      { cause: e },
    );
  }
}
