import { Rng } from '../core/rng.js';
import type { Graph } from './graph.js';
import { numel } from './shape.js';
import type { InitSpec } from './types.js';

/**
 * Allocates and initialises every parameter and buffer of the graph, by name. One draw from `rng` seeds
 * the whole graph; each tensor then gets its own stream derived from that seed and its name, so a
 * parameter's initial values do not depend on which other layers exist or in what order they come (two
 * architectures sharing a layer name start that layer the same way).
 */
export function initParameters(graph: Graph, rng: Rng): Map<string, Float32Array> {
  const seed = rng.uint32();
  const out = new Map<string, Float32Array>();
  for (const p of graph.params) {
    out.set(
      p.name,
      initTensor(new Float32Array(numel(p.shape)), p.init, () => Rng.derive(seed, p.name)),
    );
  }
  return out;
}

/** Fills one tensor as its init spec says (random draws come from `stream()`, asked only when needed). */
export function initTensor(data: Float32Array, init: InitSpec, stream: () => Rng): Float32Array {
  switch (init.kind) {
    case 'zeros':
      return data;
    case 'ones':
      return data.fill(1);
    case 'he-normal': {
      // He et al. 2015: N(0, 2 / fan_in) keeps activations' variance constant through ReLU layers.
      const std = Math.sqrt(2 / init.fanIn);
      const r = stream();
      for (let i = 0; i < data.length; i++) data[i] = r.normal() * std;
      return data;
    }
  }
}
