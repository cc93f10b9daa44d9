import type { Sample } from '../../core/types.js';
import { CELL_KINDS, type CellKind, type CellOptions } from '../../space/cell.js';

/** DARTS's zero op: an edge that contributes nothing. A candidate in the relaxation, never in a cell. */
export const NONE_OP = 'none';

/**
 * One edge of the continuous relaxation of a cell-space cell: node `node` (2 .. blocks + 1) reads node
 * `input` (< node) through a mixture of every candidate op, weighted by softmax(alpha). Every cell of
 * one kind shares its kind's edges' alphas (DARTS's alphas_normal, alphas_reduce).
 */
export type DartsEdge = { readonly kind: CellKind; readonly node: number; readonly input: number };

/** Every edge, normal cell first, then by node and input: the order alphas are stored in. */
export function dartsEdges(options: Pick<CellOptions, 'blocks'>): DartsEdge[] {
  const edges: DartsEdge[] = [];
  for (const kind of CELL_KINDS) {
    for (let node = 2; node < options.blocks + 2; node++) {
      for (let input = 0; input < node; input++) edges.push({ kind, node, input });
    }
  }
  return edges;
}

/** The candidate ops of every edge: `none` first when it is searched over, then the space's ops. */
export function dartsOps(options: Pick<CellOptions, 'ops'>, none: boolean): readonly string[] {
  return none ? [NONE_OP, ...options.ops] : [...options.ops];
}

function softmax(alpha: ArrayLike<number>): number[] {
  let top = -Infinity;
  for (let i = 0; i < alpha.length; i++) top = Math.max(top, alpha[i] as number);
  const e = Array.from({ length: alpha.length }, (_, i) => Math.exp((alpha[i] as number) - top));
  const z = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / z);
}

/** An edge's strongest op other than none and its weight (the first on a tie). */
export function strongestOp(
  alpha: ArrayLike<number>,
  ops: readonly string[],
): { op: string; weight: number } {
  const w = softmax(alpha);
  let best = -1;
  for (let i = 0; i < ops.length; i++) {
    if (ops[i] === NONE_OP) continue;
    if (best < 0 || (w[i] as number) > (w[best] as number)) best = i;
  }
  return { op: ops[best] as string, weight: w[best] as number };
}

/**
 * DARTS's discretisation (Liu et al. 2019, section 2.4) on the cell space's decisions: for each block,
 * the two incoming edges whose strongest non-none op weighs most (ties: the lower input), each with
 * that op. The first becomes `<kind>_<n>_in1`/`op1`, the second `in2`/`op2` (the space's key orders the
 * terms canonically anyway). `alpha(e)` is edge e's architecture weights, in `ops` order.
 */
export function discretize(
  edges: readonly DartsEdge[],
  ops: readonly string[],
  alpha: (edge: number) => ArrayLike<number>,
): Sample {
  const sample: Record<string, string | number> = {};
  const byNode = new Map<string, { input: number; op: string; weight: number }[]>();
  edges.forEach((e, i) => {
    const id = `${e.kind}_${e.node}`;
    const list = byNode.get(id) ?? [];
    list.push({ input: e.input, ...strongestOp(alpha(i), ops) });
    byNode.set(id, list);
  });
  for (const [id, list] of byNode) {
    const ranked = [...list].sort((a, b) => b.weight - a.weight || a.input - b.input);
    ranked.slice(0, 2).forEach((t, k) => {
      sample[`${id}_in${k + 1}`] = t.input;
      sample[`${id}_op${k + 1}`] = t.op;
    });
  }
  return sample;
}
