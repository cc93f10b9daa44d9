import dagre from '@dagrejs/dagre';
import type { GraphView } from './api-types.js';

/** A node box, centred at (x, y). */
export interface PlacedNode {
  readonly id: string;
  readonly label: string;
  readonly op?: string;
  readonly shape?: readonly (number | string)[];
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly label?: { readonly text: string; readonly x: number; readonly y: number };
}

export interface ArchLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

/**
 * Text is measured by character count rather than by the browser: the layout stays a pure function
 * (tested in Node), and the viewer draws labels in a monospace font where the estimate holds.
 */
const CHAR_WIDTH = 7.2;
const NODE_HEIGHT = 28;
const PADDING_X = 16;

/** What dagre writes on a node and on an edge (its label position, when the edge has a label). */
interface DagreBox {
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
}

interface DagreEdge {
  readonly points?: readonly { readonly x: number; readonly y: number }[];
  readonly x?: number;
  readonly y?: number;
}

export function textWidth(text: string): number {
  return Math.ceil(text.length * CHAR_WIDTH);
}

/**
 * Lays a trial's architecture out top to bottom with dagre. A cell's ops sit on its edges, so those
 * labels get room of their own (dagre places labelled edges through a label slot between ranks).
 */
export function layoutArchitecture(graph: GraphView): ArchLayout {
  // Typed at each read below: dagre's declarations import their own files without extensions, which
  // do not resolve under NodeNext, so the graph's labels would otherwise be untyped.
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({
    rankdir: 'TB',
    nodesep: graph.kind === 'cell' ? 40 : 24,
    ranksep: graph.kind === 'cell' ? 36 : 28,
    edgesep: 16,
    marginx: 12,
    marginy: 12,
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    g.setNode(node.id, { width: textWidth(node.label) + PADDING_X * 2, height: NODE_HEIGHT });
  }
  graph.edges.forEach((edge, i) => {
    const label = edge.label ?? '';
    const sized = label === '' ? {} : { width: textWidth(label) + 8, height: 16, labelpos: 'c' as const };
    g.setEdge(edge.from, edge.to, sized, String(i));
  });
  dagre.layout(g);

  const nodes = graph.nodes.map((node): PlacedNode => {
    const placed: DagreBox = g.node(node.id);
    return {
      id: node.id,
      label: node.label,
      ...(node.op === undefined ? {} : { op: node.op }),
      ...(node.shape === undefined ? {} : { shape: node.shape }),
      x: placed.x ?? 0,
      y: placed.y ?? 0,
      width: placed.width,
      height: placed.height,
    };
  });
  const edges = graph.edges.map((edge, i): PlacedEdge => {
    const placed: DagreEdge = g.edge({ v: edge.from, w: edge.to, name: String(i) });
    const points = (placed.points ?? []).map((p) => ({ x: p.x, y: p.y }));
    const label =
      edge.label === undefined || edge.label === '' || placed.x === undefined || placed.y === undefined
        ? undefined
        : { text: edge.label, x: placed.x, y: placed.y };
    return { from: edge.from, to: edge.to, points, ...(label === undefined ? {} : { label }) };
  });
  const size: { width?: number; height?: number } = g.graph();
  return { width: size.width ?? 0, height: size.height ?? 0, nodes, edges };
}
