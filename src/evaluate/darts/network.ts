import type { Graph } from '../../graph/graph.js';
import type { Value } from '../../graph/types.js';
import { cellNetwork, cellOp, type CellOp, type CellSpace } from '../../space/cell.js';
import { NONE_OP, type DartsEdge } from '../../strategy/darts/genotype.js';

/** The relaxed network and, per mixture node, the edge whose alpha it reads. */
export type DartsNetwork = {
  readonly graph: Graph;
  /** Mixture node name -> edge index (into the edges given); every cell of a kind maps to its kind's edges. */
  readonly mixtures: ReadonlyMap<string, number>;
};

/**
 * DARTS's search network over a cell space: the space's own macro-structure (stem, `cells` normal cells
 * per stage, two reduction cells, the same pre-processing and head as CellSpace.decode), but in every
 * cell node n reads every earlier node i through `c<k>/n<n>/in<i>/mix`, a mixture (graph op `mixture`)
 * of every candidate op, and sums them; the cell's output concatenates all its blocks (DARTS), not the
 * loose ones only (which blocks are loose is known only once the cell is discrete). Ops and strides
 * are the space's: a reduction cell applies stride 2 to its inputs; `none` is a zero of the other
 * terms' shape.
 */
export function buildDartsNetwork(
  space: CellSpace,
  edges: readonly DartsEdge[],
  ops: readonly string[],
): DartsNetwork {
  const index = new Map(edges.map((e, i) => [`${e.kind}/${e.node}/${e.input}`, i]));
  const mixtures = new Map<string, number>();
  const real = ops.filter((op) => op !== NONE_OP);
  const graph = cellNetwork(space.options, (b, { kind, name, nodes, channels, reduce }) => {
    for (let n = 2; n < space.options.blocks + 2; n++) {
      const mixed = nodes.map((x, i) => {
        const stride = reduce && i < 2 ? 2 : 1;
        const prefix = `${name}/n${n}/in${i}`;
        const made = new Map(
          real.map((op) => [op, cellOp(b, x, op as CellOp, channels, stride, `${prefix}/${op}`)]),
        );
        const first = made.get(real[0] as string) as Value;
        const terms = ops.map((op) =>
          op === NONE_OP ? b.zero(first, { name: `${prefix}/none` }) : (made.get(op) as Value),
        );
        const mix = b.mixture(terms, { name: `${prefix}/mix` });
        const edge = index.get(`${kind}/${n}/${i}`);
        if (edge === undefined) throw new RangeError(`darts: no edge ${kind} node ${n} input ${i}`);
        mixtures.set(mix.name, edge);
        return mix;
      });
      nodes.push(b.add(mixed, { name: `${name}/n${n}` }));
    }
    return b.concat(nodes.slice(2), { name: `${name}/out` });
  });
  return { graph, mixtures };
}
