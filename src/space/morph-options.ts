import type { Graph } from '../graph/graph.js';
import { layerWidth, morphCandidates, type MorphSpec } from '../graph/morph/index.js';

/** What the morph space offers at each step (its spec's fields, defaults applied). */
export interface MorphChoiceRules {
  /** Widths a widened layer may take; a widen goes to the next one above the layer's width. */
  readonly widths: readonly number[];
  /** Kernel sizes (odd) of a conv that Net2Deeper inserts after a [N, C, H, W] value. */
  readonly kernels: readonly number[];
  /** Merges offered for path-level splits; empty: no splits. */
  readonly merges: readonly ('add' | 'concat')[];
}

export const MORPH_CHOICE_DEFAULTS: MorphChoiceRules = {
  widths: [8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256],
  kernels: [1, 3, 5],
  merges: ['add', 'concat'],
};

/**
 * One transformation offered at a step: its choice string (the decision's value), what kind it is, the
 * graph node it acts on, its option (the new width, the inserted kernel, the merge) and the MorphSpec.
 */
export interface MorphOption {
  readonly choice: string;
  readonly kind: 'widen' | 'deepen' | 'split';
  readonly node: string;
  /** Index of the option among the kind's options (deepen: kernel index, split: merge index; else 0). */
  readonly option: number;
  readonly spec: MorphSpec;
}

/** The transformations that apply to `graph`, in a fixed order (widen, deepen, split; node order). */
export function morphOptions(graph: Graph, rules: MorphChoiceRules): MorphOption[] {
  const c = morphCandidates(graph);
  const out: MorphOption[] = [];
  for (const layer of c.widen) {
    const node = graph.node(layer);
    if (node === undefined) continue;
    const width = rules.widths.find((w) => w > layerWidth(node));
    if (width === undefined) continue;
    out.push({
      choice: `widen:${layer}`,
      kind: 'widen',
      node: layer,
      option: 0,
      spec: { kind: 'widen', layer, width },
    });
  }
  for (const p of c.deepen) {
    if (p.kind === 'dense') {
      out.push({
        choice: `deepen:${p.name}`,
        kind: 'deepen',
        node: p.name,
        option: 0,
        spec: { kind: 'deepen', after: p.name },
      });
      continue;
    }
    rules.kernels.forEach((kernel, i) => {
      out.push({
        choice: `deepen:${p.name}:k${kernel}`,
        kind: 'deepen',
        node: p.name,
        option: i,
        spec: { kind: 'deepen', after: p.name, kernel },
      });
    });
  }
  // Path-level transformations of hidden layers only: splitting the classifier (or a branch of it)
  // changes nothing a later transformation could build on, since its width is fixed by the classes.
  const hidden = new Set(c.widen);
  for (const layer of c.split) {
    if (!hidden.has(layer)) continue;
    const node = graph.node(layer);
    // A concat split gives each branch at least one unit.
    const wide = node !== undefined && layerWidth(node) >= 2;
    rules.merges.forEach((merge, i) => {
      if (merge === 'concat' && !wide) return;
      out.push({
        choice: `split:${layer}:${merge}`,
        kind: 'split',
        node: layer,
        option: i,
        spec: { kind: 'split', layer, merge },
      });
    });
  }
  return out;
}
