import type { Rng } from '../../core/rng.js';
import { deepen, deepenPoints, type DeepenOptions, type DeepenPoint } from './deepen.js';
import type { Net, Params } from './net.js';
import { splitPath, splittableLayers, type SplitOptions } from './path.js';
import type { Graph } from '../graph.js';
import { widen, widenableLayers, type WidenOptions } from './widen.js';

/**
 * One transformation as plain JSON data, so a controller can store the ones it chose (in its state or
 * a trial's record) and replay them: applying the same specs with the same seeds gives the same network.
 */
export type MorphSpec =
  | ({ readonly kind: 'widen'; readonly layer: string } & WidenOptions)
  | ({ readonly kind: 'deepen'; readonly after: string } & Omit<DeepenOptions, 'statistics'>)
  | ({ readonly kind: 'split'; readonly layer: string } & SplitOptions);

/** Applies one transformation (MorphError when it does not apply). Only widen draws from `rng`. */
export function applyMorph(graph: Graph, params: Params, spec: MorphSpec, rng: Rng): Net {
  switch (spec.kind) {
    case 'widen':
      return widen(graph, params, spec.layer, spec, rng);
    case 'deepen':
      return deepen(graph, params, spec.after, spec, rng);
    case 'split':
      return splitPath(graph, params, spec.layer, spec, rng);
  }
}

/** Applies transformations one after another; each sees the network the previous one made. */
export function applyMorphs(graph: Graph, params: Params, specs: readonly MorphSpec[], rng: Rng): Net {
  let net: Net = { graph, params: new Map(params) };
  for (const spec of specs) net = applyMorph(net.graph, net.params, spec, rng);
  return net;
}

/** Where each transformation applies in this graph: what a controller chooses among. */
export type MorphCandidates = {
  readonly widen: readonly string[];
  readonly deepen: readonly DeepenPoint[];
  readonly split: readonly string[];
};

export function morphCandidates(graph: Graph): MorphCandidates {
  return { widen: widenableLayers(graph), deepen: deepenPoints(graph), split: splittableLayers(graph) };
}
