import type { ArchGraph } from '../../core/space.js';
import type { Metrics } from '../../core/types.js';

function isArchGraph(value: unknown): value is ArchGraph {
  return (
    typeof value === 'object' &&
    value !== null &&
    'nodes' in value &&
    Array.isArray((value as { nodes: unknown }).nodes)
  );
}

/**
 * BlockQNN's block density: edges divided by nodes of the block's DAG (Zhong et al. 2018, Sec. 3.3).
 * `none` nodes (nb201's zero op) are not part of the DAG, nor are links to or from them. nb201's decoded
 * cell has its 4 sum nodes plus one node per edge, so k live edges give 2k links over 4 + k nodes.
 * Undefined when the architecture is not a graph or the DAG has no link.
 */
export function blockDensity(arch: unknown): number | undefined {
  if (!isArchGraph(arch)) return undefined;
  const live = new Set(arch.nodes.filter((n) => n.op !== 'none').map((n) => n.id));
  let links = 0;
  for (const node of arch.nodes) {
    if (!live.has(node.id)) continue;
    for (const input of node.inputs) if (live.has(input)) links++;
  }
  return links > 0 && live.size > 0 ? links / live.size : undefined;
}

export interface EarlyStopShaping {
  /** Weight of log(FLOPs). */
  readonly mu: number;
  /** Weight of log(density). */
  readonly rho: number;
  /** The metric holding the FLOPs (nb201: flops_M). */
  readonly flopsMetric: string;
}

/**
 * BlockQNN's early-stop reward is acc - mu log(FLOPs) - rho log(Density): a network trained for a few
 * epochs is ranked too high when it is large and dense. This returns the subtracted part. A term whose
 * value is missing or not positive (no FLOPs metric, an invalid trial, a DAG without links) is left out
 * rather than guessed.
 */
export function earlyStopPenalty(shaping: EarlyStopShaping, metrics: Metrics, arch: () => unknown): number {
  let penalty = 0;
  if (shaping.mu !== 0) {
    const flops = metrics[shaping.flopsMetric];
    if (flops !== undefined && flops > 0 && Number.isFinite(flops)) penalty += shaping.mu * Math.log(flops);
  }
  if (shaping.rho !== 0) {
    const density = blockDensity(arch());
    if (density !== undefined) penalty += shaping.rho * Math.log(density);
  }
  return penalty;
}
