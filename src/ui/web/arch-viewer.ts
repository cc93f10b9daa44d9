import type { GraphView } from './api-types.js';
import { layoutArchitecture, type PlacedEdge } from './arch-layout.js';
import { svg } from './dom.js';

/** A CSS class per op family, so a glance tells convolutions from pools, skips and absent edges. */
export function opClass(op: string | undefined): string {
  const name = (op ?? '').toLowerCase();
  if (name.includes('conv')) return 'op-conv';
  if (name.includes('pool')) return 'op-pool';
  if (name.includes('skip') || name.includes('identity')) return 'op-skip';
  if (name === 'none' || name === 'zero') return 'op-none';
  if (name === 'input' || name === 'output') return 'op-io';
  return 'op-other';
}

const SCALE = 1.25;

function pathOf(edge: PlacedEdge): string {
  return edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/** Draws a trial's graph as SVG: labelled boxes, edges with arrowheads, op labels on a cell's edges. */
export function drawArchitecture(graph: GraphView): SVGSVGElement {
  const layout = layoutArchitecture(graph);
  const markerId = 'arch-arrow';
  const root = svg('svg', {
    viewBox: `0 0 ${Math.max(1, layout.width)} ${Math.max(1, layout.height)}`,
    // Drawn a little larger than laid out: a cell is a handful of nodes and reads better big.
    width: Math.ceil(layout.width * SCALE),
    height: Math.ceil(layout.height * SCALE),
    class: `arch arch-${graph.kind}`,
    role: 'img',
    'aria-label': `${graph.kind} with ${graph.nodes.length} nodes and ${graph.edges.length} edges`,
  });
  root.append(
    svg(
      'defs',
      {},
      svg(
        'marker',
        {
          id: markerId,
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
        },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arch-arrowhead' }),
      ),
    ),
  );
  for (const edge of layout.edges) {
    const group = svg('g', { class: `arch-edge ${opClass(edge.label?.text)}` });
    group.append(svg('path', { d: pathOf(edge), 'marker-end': `url(#${markerId})` }));
    if (edge.label !== undefined) {
      group.append(
        svg(
          'text',
          { x: edge.label.x, y: edge.label.y, 'dominant-baseline': 'middle', 'text-anchor': 'middle' },
          edge.label.text,
        ),
      );
    }
    root.append(group);
  }
  for (const node of layout.nodes) {
    root.append(
      svg(
        'g',
        { class: `arch-node ${opClass(node.op ?? node.label)}`, 'data-node-id': node.id },
        svg('rect', {
          x: node.x - node.width / 2,
          y: node.y - node.height / 2,
          width: node.width,
          height: node.height,
          rx: 5,
        }),
        svg(
          'text',
          { x: node.x, y: node.y, 'dominant-baseline': 'middle', 'text-anchor': 'middle' },
          node.label,
        ),
        node.shape !== undefined && svg('title', {}, `${node.label}: ${node.shape.join(' x ')}`),
      ),
    );
  }
  return root;
}
