import { ConfigError } from '../../core/errors.js';
import type { ArchGraph } from '../../core/space.js';
import { Graph } from '../../graph/graph.js';
import type { GraphNode as IrNode, Pair } from '../../graph/types.js';
import type { GraphEdge, GraphNode, GraphView } from '../web/api-types.js';

const pair = (p: Pair): string => `${p[0]}x${p[1]}`;
const strided = (stride: Pair): string => (stride[0] > 1 || stride[1] > 1 ? ` /${stride[0]}` : '');

/** A short label: `conv 3x3 16`, `dwconv 3x3 /2`, `maxpool 2x2 /2`, `dense 10`. */
export function irLabel(node: IrNode): string {
  switch (node.op) {
    case 'conv2d': {
      const a = node.attrs;
      const dilated = a.dilation[0] > 1 ? ` d${a.dilation[0]}` : '';
      const kind = a.groups > 1 ? 'dwconv' : 'conv';
      return `${kind} ${pair(a.kernel)} ${a.outChannels}${strided(a.stride)}${dilated}`;
    }
    case 'maxPool':
      return `maxpool ${pair(node.attrs.kernel)}${strided(node.attrs.stride)}`;
    case 'avgPool':
      return `avgpool ${pair(node.attrs.kernel)}${strided(node.attrs.stride)}`;
    case 'globalAvgPool':
      return 'global avgpool';
    case 'batchNorm':
      return 'bn';
    case 'dense':
      return `dense ${node.attrs.outFeatures}`;
    case 'dropout':
      return `dropout ${node.attrs.rate}`;
    case 'softmaxCrossEntropy':
      return 'loss';
    default:
      return node.op;
  }
}

/**
 * The network IR as a DAG: one node per graph input and op. The training head's int64 `labels` input
 * and the loss that reads it are left out: they are how the network is trained, not its architecture.
 */
function networkView(graph: Graph): GraphView {
  const dropped = new Set(graph.inputs.filter((v) => v.dtype !== 'float32').map((v) => v.name));
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const input of graph.inputs) {
    if (dropped.has(input.name)) continue;
    nodes.push({
      id: input.name,
      label: `input ${input.shape.slice(1).join('x')}`,
      op: 'input',
      shape: input.shape,
    });
  }
  for (const node of graph.nodes) {
    if (node.inputs.some((name) => dropped.has(name))) {
      dropped.add(node.name);
      continue;
    }
    nodes.push({ id: node.name, label: irLabel(node), op: node.op, shape: node.output.shape });
    for (const from of node.inputs) edges.push({ from, to: node.name });
  }
  return { kind: 'network', nodes, edges };
}

/** NAS-Bench-201's op names, shortened for an edge label. */
const CELL_OP_LABELS: Readonly<Record<string, string>> = {
  nor_conv_3x3: 'conv 3x3',
  nor_conv_1x1: 'conv 1x1',
  skip_connect: 'skip',
  avg_pool_3x3: 'avgpool 3x3',
};

/**
 * A cell (nb201's ArchGraph): its ops are the nodes with one input read by exactly one other node, and
 * become labelled edges between the cell's nodes (n0 the input, the last node the output), so
 * NAS-Bench-201's cell is 4 nodes and 6 edges, `none` edges included (the viewer may draw them faint).
 */
function cellView(arch: ArchGraph): GraphView {
  const readers = new Map<string, string[]>();
  for (const node of arch.nodes) {
    for (const input of node.inputs) readers.set(input, [...(readers.get(input) ?? []), node.id]);
  }
  const edgeOps = new Set(
    arch.nodes.filter((n) => n.inputs.length === 1 && readers.get(n.id)?.length === 1).map((n) => n.id),
  );
  const vertices = arch.nodes.filter((n) => !edgeOps.has(n.id));
  const last = vertices[vertices.length - 1]?.id;
  const nodes: GraphNode[] = vertices.map((n) => ({
    id: n.id,
    label: n.op === 'input' ? 'input' : n.id === last ? `${n.id} (output)` : n.id,
    op: n.op,
  }));
  const edges: GraphEdge[] = [];
  for (const node of arch.nodes) {
    if (edgeOps.has(node.id)) {
      const to = (readers.get(node.id) as string[])[0] as string;
      edges.push({ from: node.inputs[0] as string, to, label: CELL_OP_LABELS[node.op] ?? node.op });
    } else {
      // A vertex reading another vertex directly: a plain edge.
      for (const from of node.inputs) if (!edgeOps.has(from)) edges.push({ from, to: node.id });
    }
  }
  return { kind: 'cell', nodes, edges };
}

/** A layer chain or a list of decisions (nasbench-macro, declared spaces): one node per entry. */
function chainView(arch: ArchGraph): GraphView {
  const nodes: GraphNode[] = arch.nodes.map((n) => ({
    id: n.id,
    label: arch.kind === 'decisions' ? `${n.id} = ${n.op}` : n.op === 'input' ? 'input' : n.op,
    op: n.op,
  }));
  const edges = arch.nodes.flatMap((n) => n.inputs.map((from) => ({ from, to: n.id })));
  return { kind: 'network', nodes, edges };
}

function isArchGraph(value: unknown): value is ArchGraph {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    'nodes' in value &&
    Array.isArray((value as { nodes: unknown }).nodes)
  );
}

/** What a space decoded (an IR Graph or an ArchGraph) as the viewer's DAG. */
export function archView(decoded: unknown): GraphView {
  if (decoded instanceof Graph) return networkView(decoded);
  if (isArchGraph(decoded)) return decoded.kind === 'cell' ? cellView(decoded) : chainView(decoded);
  throw new ConfigError('this space decodes to something the architecture viewer cannot draw');
}
