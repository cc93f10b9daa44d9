import { describe, expect, it } from 'vitest';
import type { GraphView } from './api-types.js';
import { layoutArchitecture, textWidth } from './arch-layout.js';

// An NB-201 cell: four states, six edges carrying ops.
const cell: GraphView = {
  kind: 'cell',
  nodes: ['0', '1', '2', '3'].map((id) => ({ id, label: `node ${id}` })),
  edges: [
    { from: '0', to: '1', label: 'nor_conv_3x3' },
    { from: '0', to: '2', label: 'skip_connect' },
    { from: '1', to: '2', label: 'none' },
    { from: '0', to: '3', label: 'avg_pool_3x3' },
    { from: '1', to: '3', label: 'nor_conv_1x1' },
    { from: '2', to: '3', label: 'skip_connect' },
  ],
};

describe('architecture layout', () => {
  it('places a cell top to bottom: every edge goes down, labels sit on their edges', () => {
    const layout = layoutArchitecture(cell);
    const y = new Map(layout.nodes.map((n) => [n.id, n.y]));
    expect(layout.nodes).toHaveLength(4);
    expect(layout.edges).toHaveLength(6);
    for (const edge of layout.edges) {
      expect(y.get(edge.to)!).toBeGreaterThan(y.get(edge.from)!);
      expect(edge.points.length).toBeGreaterThanOrEqual(2);
      expect(edge.label?.text).toBe(cell.edges.find((e) => e.from === edge.from && e.to === edge.to)?.label);
    }
    // The drawing holds every node box.
    for (const node of layout.nodes) {
      expect(node.x - node.width / 2).toBeGreaterThanOrEqual(0);
      expect(node.x + node.width / 2).toBeLessThanOrEqual(layout.width);
      expect(node.y + node.height / 2).toBeLessThanOrEqual(layout.height);
      expect(node.width).toBeGreaterThan(textWidth(node.label));
    }
  });

  it('keeps parallel edges of a network apart and unlabelled edges without labels', () => {
    const layout = layoutArchitecture({
      kind: 'network',
      nodes: [
        { id: 'in', label: 'input' },
        { id: 'c', label: 'conv 3x3', op: 'conv' },
        { id: 'add', label: 'add', op: 'add' },
      ],
      edges: [
        { from: 'in', to: 'c' },
        { from: 'in', to: 'add' },
        { from: 'c', to: 'add' },
        { from: 'c', to: 'add' },
      ],
    });
    expect(layout.edges).toHaveLength(4);
    expect(layout.edges.every((e) => e.label === undefined)).toBe(true);
    expect(layout.nodes.find((n) => n.id === 'c')?.op).toBe('conv');
  });
});
