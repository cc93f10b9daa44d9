import type { Graph } from '../../graph/graph.js';
import { OPS } from '../../graph/ops.js';
import type { OpName } from '../../graph/types.js';

const OP_NAMES = Object.keys(OPS) as OpName[];

/** Features per layer: the op (one-hot), then width, spatial size, kernel, stride and position. */
export const LAYER_FEATURES = OP_NAMES.length + 5;

/**
 * The EAS encoder's input: one vector per node of the graph, in its (topological) order, describing
 * the layer as EAS's layer embedding does (type, width, kernel, stride), scaled to about [0, 1].
 */
export function layerFeatures(graph: Graph): {
  readonly xs: Float64Array;
  readonly index: Map<string, number>;
} {
  const nodes = graph.nodes;
  const T = nodes.length;
  const F = LAYER_FEATURES;
  const xs = new Float64Array(T * F);
  const index = new Map<string, number>();
  nodes.forEach((n, t) => {
    index.set(n.name, t);
    const row = t * F;
    xs[row + OP_NAMES.indexOf(n.op)] = 1;
    const shape = n.output.shape;
    const width = typeof shape[1] === 'number' ? shape[1] : 0;
    const size = shape.length === 4 && typeof shape[2] === 'number' ? shape[2] : 0;
    const o = OP_NAMES.length;
    xs[row + o] = Math.log2(1 + width) / 8;
    xs[row + o + 1] = Math.log2(1 + size) / 5;
    if (n.op === 'conv2d' || n.op === 'maxPool' || n.op === 'avgPool') {
      xs[row + o + 2] = n.attrs.kernel[0] / 7;
      xs[row + o + 3] = n.attrs.stride[0] / 4;
    }
    xs[row + o + 4] = T > 1 ? t / (T - 1) : 0;
  });
  return { xs, index };
}
