import type { Graph } from './graph.js';
import type { OpDef } from './op-def.js';
import { OPS } from './ops.js';
import { numel } from './shape.js';
import type { OpName } from './types.js';

/** Trainable parameters (batch norm's running statistics are buffers and do not count). */
export function countParams(graph: Graph): number {
  let n = 0;
  for (const p of graph.params) if (p.trainable) n += numel(p.shape);
  return n;
}

/**
 * Multiply-accumulates of one forward pass per node, for one sample. The convention is NAS-Bench-201's
 * table (flops_M columns), so counts compare with the benchmark and the HW-NAS papers built on it:
 * - conv2d: kh*kw*(cin/groups)*cout*oh*ow, plus cout*oh*ow for the bias;
 * - dense: in*out, plus out for the bias;
 * - everything else 0: pooling (the table counts its avg pools as 0: checked in count.test.ts), batch
 *   norm, relu, add, concat, global pooling, dropout, the loss, and mixture (an elementwise weighted
 *   sum, like add; its alpha counts as parameters).
 * countParams and countFlops reproduce the table's params_M and flops_M for whole NAS-Bench-201 networks.
 */
export function macsByNode(graph: Graph): Map<string, number> {
  const out = new Map<string, number>();
  for (const node of graph.nodes) {
    const def = OPS[node.op] as OpDef<OpName>;
    const inputs = node.inputs.map((name) => graph.value(name));
    out.set(node.name, def.macs?.(inputs, node.output.shape, node.attrs) ?? 0);
  }
  return out;
}

/**
 * FLOPs of one forward pass over `batch` samples (default 1, whatever batch the graph was built with),
 * counted as multiply-accumulates by the convention of macsByNode. Divide by 1e6 for the MFLOPs that
 * NAS-Bench-201 reports.
 */
export function countFlops(graph: Graph, batch = 1): number {
  let perSample = 0;
  for (const macs of macsByNode(graph).values()) perSample += macs;
  return perSample * batch;
}
