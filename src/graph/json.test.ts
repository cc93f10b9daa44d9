import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { countFlops, countParams } from './count.js';
import type { GraphJSON } from './graph.js';
import { graphFromJSON } from './json.js';
import { everyOp, smallCnn } from './networks.testkit.js';

function roundTrip(json: GraphJSON): unknown {
  return JSON.parse(JSON.stringify(json)) as unknown;
}

function configError(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('graph JSON', () => {
  it('round-trips every op through text: same document, shapes, params and counts', () => {
    const g = everyOp();
    const back = graphFromJSON(roundTrip(g.toJSON()));
    expect(back.toJSON()).toEqual(g.toJSON());
    expect(back.nodes.map((n) => n.output)).toEqual(g.nodes.map((n) => n.output));
    expect(back.params).toEqual(g.params);
    expect(back.outputs.map((v) => v.name)).toEqual(g.outputs.map((v) => v.name));
    expect(new Set(g.nodes.map((n) => n.op)).size).toBe(15);
    expect(countParams(back)).toBe(countParams(g));
    expect(countFlops(back)).toBe(countFlops(g));
  });

  it('is plain data, detached from the graph', () => {
    const g = smallCnn();
    const json = g.toJSON();
    expect(json.format).toBe('naslab-graph');
    expect(json.nodes[0]).toEqual({
      name: 'conv1',
      op: 'conv2d',
      inputs: ['x'],
      attrs: {
        outChannels: 16,
        kernel: [3, 3],
        stride: [1, 1],
        pads: [1, 1, 1, 1],
        dilation: [1, 1],
        groups: 1,
        bias: true,
      },
      shape: ['N', 16, 28, 28],
    });
    (json.nodes[0]?.inputs as string[]).push('oops');
    expect(g.nodes[0]?.inputs).toEqual(['x']);
  });

  it('names the field of a malformed document', () => {
    const json = smallCnn().toJSON();
    const bad = (
      edit: (doc: { nodes: Record<string, unknown>[] } & Record<string, unknown>) => void,
    ): string =>
      configError(() => {
        const doc = roundTrip(json) as { nodes: Record<string, unknown>[] } & Record<string, unknown>;
        edit(doc);
        graphFromJSON(doc, 'run.json');
      });
    expect(bad((d) => (d.format = 'other'))).toContain('run.json: invalid configuration\n  format:');
    expect(bad((d) => ((d.nodes[0] as Record<string, unknown>).op = 'conv3d'))).toContain('nodes[0].op');
    expect(
      bad((d) => {
        (d.nodes[0] as { attrs: Record<string, unknown> }).attrs.kernel = [3];
      }),
    ).toContain("run.json: nodes[0] ('conv1') attrs: invalid configuration\n  kernel");
    expect(
      bad((d) => {
        (d.nodes[0] as { attrs: Record<string, unknown> }).attrs.extra = 1;
      }),
    ).toContain("nodes[0] ('conv1') attrs");
    expect(bad((d) => ((d.nodes[1] as Record<string, unknown>).inputs = ['nowhere']))).toBe(
      "run.json: node 'relu_1' reads 'nowhere', which is not an input or an earlier node",
    );
    expect(bad((d) => (d.outputs = ['ghost']))).toBe(
      "run.json: outputs reads 'ghost', which is not an input or an earlier node",
    );
    expect(bad((d) => ((d.nodes[0] as Record<string, unknown>).shape = ['N', 16, 26, 26]))).toBe(
      "run.json: node 'conv1' was stored with shape [N,16,26,26] but infers [N,16,28,28] (written by another version of naslab?)",
    );
  });

  it('re-checks shapes: a stored graph that no longer fits is a ConfigError carrying the shape error', () => {
    const json = roundTrip(smallCnn().toJSON()) as { nodes: { attrs: Record<string, unknown> }[] };
    (json.nodes[0] as { attrs: Record<string, unknown> }).attrs.kernel = [31, 31];
    expect(configError(() => graphFromJSON(json))).toBe(
      "graph JSON: conv2d 'conv1': kernel 31 with padding 1 does not fit input 28x28",
    );
  });
});
