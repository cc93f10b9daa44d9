import { z } from 'zod';
import type { SearchSpace, SpaceSpec } from '../core/space.js';
import type { Decision, Sample } from '../core/types.js';
import { parseConfig } from '../core/validate.js';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import type { Value } from '../graph/types.js';
import { classifierHead, convBn, decisionValue, networkInput, pool, reluConvBn, sum } from './net-parts.js';
import { classesField, inputField, posInt } from './net-parts.js';
import { NB201_EDGES, Nb201Space, nb201SampleFromKey, type Nb201Op } from './nb201.js';
import { validateSample } from './walk.js';

/** Small by default so a trial trains in seconds; the benchmark's network is channels 16, cells 5. */
export const NB201_NET_DEFAULTS = { channels: 8, cells: 1 } as const;

/** The nb201-net space's parameters, every field filled (defaults applied). */
export interface Nb201NetOptions {
  readonly name: string;
  readonly input: readonly [number, number, number];
  readonly classes: number;
  /** Channels of the first stage (C); the stages have C, 2C, 4C. */
  readonly channels: number;
  /** Cells per stage (N). */
  readonly cells: number;
}

/** The options as a caller writes them: input and classes required, the rest defaulted. */
export interface Nb201NetOptionsInput {
  readonly name?: string;
  readonly input: readonly [number, number, number];
  readonly classes: number;
  readonly channels?: number;
  readonly cells?: number;
}

const schema = z.strictObject({
  type: z.literal('nb201-net').optional(),
  name: z.string().min(1).optional(),
  input: inputField,
  classes: classesField,
  channels: posInt.default(NB201_NET_DEFAULTS.channels),
  cells: posInt.max(32, 'at most 32 cells per stage').default(NB201_NET_DEFAULTS.cells),
});

/** Validates options (a config section or a stored spec); ConfigError names the bad field. */
export function parseNb201NetOptions(value: unknown, where = 'space "nb201-net"'): Nb201NetOptions {
  const o = parseConfig(schema, value, where);
  return {
    name: o.name ?? 'nb201-net',
    input: o.input,
    classes: o.classes,
    channels: o.channels,
    cells: o.cells,
  };
}

/**
 * NAS-Bench-201's cell trained for real: the same decisions (`edge_i_j`, five ops each) and the same key
 * (the benchmark's arch string) as the tabular `nb201` space, so a sample from one is a sample of the
 * other, decoded to the benchmark's network (xautodl's TinyNetwork): stem conv3x3-BN (C channels);
 * three stages of `cells` cells with C, 2C, 4C channels; between stages a residual block (ReLU-conv3x3
 * stride 2-BN, ReLU-conv3x3-BN, plus a shortcut avgpool2 + conv1x1); BN, ReLU, global average pool,
 * dense. In a cell node j sums its edges from nodes i < j: `none` adds nothing (a node whose edges are
 * all `none` is zeros), `skip_connect` the node itself, `nor_conv_kxk` ReLU-conv-BN (no conv bias),
 * `avg_pool_3x3` an average pool (stride 1, padding 1, padding not counted). With channels 16, cells 5,
 * 10 classes and a 3x32x32 input its parameter count and FLOPs are the benchmark's CIFAR-10 columns.
 */
export class Nb201NetSpace implements SearchSpace<Graph> {
  readonly name: string;
  readonly options: Nb201NetOptions;
  private readonly cell = new Nb201Space();

  constructor(options: Nb201NetOptionsInput) {
    this.options = parseNb201NetOptions(options, `space "${options.name ?? 'nb201-net'}"`);
    this.name = this.options.name;
  }

  next(prefix: Sample): Decision | null {
    return this.cell.next(prefix);
  }

  /** The benchmark's arch string, as Nb201Space.key. */
  key(sample: Sample): string {
    return this.cell.key(sample);
  }

  /** The inverse of key(): nb201SampleFromKey. */
  sampleFromKey(key: string): Sample {
    return nb201SampleFromKey(key);
  }

  agentState(prefix: Sample): string {
    return this.cell.agentState(prefix);
  }

  /**
   * The training graph: input `x` [N,C,H,W] and int64 `labels` [N]; outputs `logits` [N,classes] and
   * `loss`. Stage s cell k's nodes are named `s<s>c<k>/...`, the residual blocks `res<s>/...`.
   */
  decode(sample: Sample): Graph {
    validateSample(this, sample);
    const ops = NB201_EDGES.map((e) => ({ ...e, op: decisionValue(this.name, sample, e.name) as Nb201Op }));
    const o = this.options;
    const b = new GraphBuilder();
    let h = convBn(b, networkInput(b, o.input), 'stem', { out: o.channels, kernel: 3 });
    const cell = (input: Value, c: number, name: string): Value => {
      const nodes = [input];
      for (let to = 1; to <= 3; to++) {
        const terms: Value[] = [];
        for (const e of ops) {
          if (e.to !== to || e.op === 'none') continue;
          terms.push(edgeOp(b, nodes[e.from] as Value, e.op, c, `${name}/${e.name}`));
        }
        // `none` terms add zeros: left out, unless nothing else feeds the node.
        const node =
          terms.length === 0 ? b.zero(input, { name: `${name}/n${to}` }) : sum(b, terms, `${name}/n${to}`);
        nodes.push(node);
      }
      return nodes[3] as Value;
    };
    for (let stage = 0; stage < 3; stage++) {
      const c = o.channels * 2 ** stage;
      if (stage > 0) h = residual(b, h, c, `res${stage}`);
      for (let k = 0; k < o.cells; k++) h = cell(h, c, `s${stage}c${k}`);
    }
    h = b.relu(b.batchNorm(h, { name: 'final/bn' }), { name: 'final/relu' });
    return classifierHead(b, h, o.classes);
  }

  toJSON(): SpaceSpec {
    const o = this.options;
    return {
      type: 'nb201-net',
      name: o.name,
      input: [...o.input],
      classes: o.classes,
      channels: o.channels,
      cells: o.cells,
    };
  }
}

function edgeOp(b: GraphBuilder, x: Value, op: Exclude<Nb201Op, 'none'>, c: number, name: string): Value {
  switch (op) {
    case 'skip_connect':
      return b.identity(x, { name });
    case 'nor_conv_1x1':
      return reluConvBn(b, x, name, { out: c, kernel: 1 });
    case 'nor_conv_3x3':
      return reluConvBn(b, x, name, { out: c, kernel: 3 });
    case 'avg_pool_3x3':
      return pool(b, x, name, 'avg', 3, 1);
  }
}

/** xautodl's ResNetBasicblock with stride 2: two ReLU-conv3x3-BN plus an avgpool2 + conv1x1 shortcut. */
function residual(b: GraphBuilder, x: Value, c: number, name: string): Value {
  const a = reluConvBn(b, x, `${name}/a`, { out: c, kernel: 3, stride: 2 });
  const main = reluConvBn(b, a, `${name}/b`, { out: c, kernel: 3 });
  const down = b.avgPool(x, { name: `${name}/down/pool`, kernel: 2 });
  const shortcut = b.conv2d(down, { name: `${name}/down/conv`, outChannels: c, kernel: 1, bias: false });
  return b.add([main, shortcut], { name: `${name}/add` });
}

/** Rebuilds an nb201-net space from its toJSON() or a config section (ConfigError names a bad field). */
export function nb201NetSpaceFromSpec(spec: SpaceSpec): Nb201NetSpace {
  const name = typeof spec['name'] === 'string' ? spec['name'] : 'nb201-net';
  return new Nb201NetSpace(parseNb201NetOptions(spec, `space "${name}"`));
}
