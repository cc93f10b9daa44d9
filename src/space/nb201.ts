import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import type { ArchGraph, ArchNode, SearchSpace, SpaceSpec } from '../core/space.js';
import type { Choice, Decision, Sample } from '../core/types.js';

/** The five NAS-Bench-201 edge operations, in the benchmark's order. */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

/** The six edges in the order of the benchmark's arch string: edge_i_j feeds node j's output into node i. */
export const NB201_EDGES = [
  { name: 'edge_1_0', to: 1, from: 0 },
  { name: 'edge_2_0', to: 2, from: 0 },
  { name: 'edge_2_1', to: 2, from: 1 },
  { name: 'edge_3_0', to: 3, from: 0 },
  { name: 'edge_3_1', to: 3, from: 1 },
  { name: 'edge_3_2', to: 3, from: 2 },
] as const;

const DECISIONS: readonly Decision[] = Object.freeze(
  NB201_EDGES.map((e) => Object.freeze({ name: e.name, choices: Object.freeze([...NB201_OPS]) })),
);

const OP_SET: ReadonlySet<string> = new Set(NB201_OPS);

const ARCH_PATTERN = /^\|(\w+)~0\|\+\|(\w+)~0\|(\w+)~1\|\+\|(\w+)~0\|(\w+)~1\|(\w+)~2\|$/;

function edge(sample: Sample, name: string): Choice {
  const value = sample[name];
  if (value === undefined) throw new InvalidArchitectureError(`nb201: decision "${name}" is missing`);
  return value;
}

/**
 * NAS-Bench-201's cell: 4 nodes, 6 edges, 5 ops per edge (15,625 architectures). The key is the
 * benchmark's own arch string, so a table lookup needs no translation.
 */
export class Nb201Space implements SearchSpace<ArchGraph> {
  readonly name = 'nb201';

  next(prefix: Sample): Decision | null {
    for (const d of DECISIONS) if (prefix[d.name] === undefined) return d;
    return null;
  }

  /** Hot path (one call per evaluation): one string concatenation, no validation of the op names. */
  key(sample: Sample): string {
    return (
      '|' +
      edge(sample, 'edge_1_0') +
      '~0|+|' +
      edge(sample, 'edge_2_0') +
      '~0|' +
      edge(sample, 'edge_2_1') +
      '~1|+|' +
      edge(sample, 'edge_3_0') +
      '~0|' +
      edge(sample, 'edge_3_1') +
      '~1|' +
      edge(sample, 'edge_3_2') +
      '~2|'
    );
  }

  /**
   * The cell's structure so far, as BlockQNN describes a block to its agent: the node being built, the
   * node feeding the next edge and whether that node is live (reached from the input through non-`none`
   * edges: an op on a dead node's edge adds nothing), and the ops already chosen into the node being
   * built, e.g. "n3<-n1 live [nor_conv_3x3]". "done" once the cell is complete.
   */
  agentState(prefix: Sample): string {
    // The next decision is the first edge not chosen yet (as next() has it).
    const target = NB201_EDGES.find((e) => prefix[e.name] === undefined);
    if (target === undefined) return 'done';
    const live = [true, false, false, false];
    const into: string[] = [];
    for (const e of NB201_EDGES) {
      const op = prefix[e.name];
      if (op === undefined) continue;
      if (op !== 'none' && live[e.from] === true) live[e.to] = true;
      if (e.to === target.to) into.push(String(op));
    }
    const from = live[target.from] === true ? 'live' : 'dead';
    return `n${target.to}<-n${target.from} ${from} [${into.join(',')}]`;
  }

  /** Nodes n0..n3 sum their incoming edges; every edge is a node of its own, `none` edges included. */
  decode(sample: Sample): ArchGraph {
    const nodes: ArchNode[] = [{ id: 'n0', op: 'input', inputs: [] }];
    for (let to = 1; to <= 3; to++) {
      const incoming: string[] = [];
      for (const e of NB201_EDGES) {
        if (e.to !== to) continue;
        nodes.push({ id: e.name, op: String(edge(sample, e.name)), inputs: [`n${e.from}`] });
        incoming.push(e.name);
      }
      nodes.push({ id: `n${to}`, op: 'sum', inputs: incoming });
    }
    return { kind: 'cell', nodes };
  }

  toJSON(): SpaceSpec {
    return { type: 'nb201' };
  }
}

/** Parses a benchmark arch string (the inverse of Nb201Space.key). */
export function nb201SampleFromKey(archStr: string): Sample {
  const match = ARCH_PATTERN.exec(archStr);
  if (match === null) {
    throw new ConfigError(
      `not a NAS-Bench-201 arch string: ${JSON.stringify(archStr)}; expected ` +
        `|op~0|+|op~0|op~1|+|op~0|op~1|op~2| with op one of ${NB201_OPS.join(', ')}`,
    );
  }
  const sample: Record<string, Choice> = {};
  NB201_EDGES.forEach((e, i) => {
    const op = match[i + 1] as string;
    if (!OP_SET.has(op)) {
      throw new ConfigError(
        `NAS-Bench-201 arch string ${JSON.stringify(archStr)}: unknown op "${op}" on ${e.name}; ` +
          `expected one of ${NB201_OPS.join(', ')}`,
      );
    }
    sample[e.name] = op;
  });
  return sample;
}
