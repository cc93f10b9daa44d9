import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import type { SearchSpace, SpaceSpec } from '../core/space.js';
import type { Choice, Decision, Sample } from '../core/types.js';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import { BATCH, type Value } from '../graph/types.js';
import {
  chainOptionsToSpec,
  parseChainOptions,
  type ChainOptions,
  type ChainOptionsInput,
} from './chain-options.js';
import { traceChain, windowChoice, type ChainLayer, type Representation } from './chain-walk.js';
import { walk } from './walk.js';

export { CHAIN_DEFAULTS, type ChainOptions, type ChainOptionsInput, type PoolKind } from './chain-options.js';
export type { ChainLayer, Representation } from './chain-walk.js';

/** `C(32,3,1)`, `P(max,2,2)`, `FC(128)`: one layer of a key. */
function layerKey(l: ChainLayer): string {
  if (l.kind === 'conv') return `C(${l.filters},${l.kernel},${l.stride})`;
  if (l.kind === 'pool') return `P(${l.pool},${l.kernel},${l.stride})`;
  return `FC(${l.units})`;
}

/**
 * MetaQNN's representation-size bins, (inf, 8], (8, 4], (4, 1], on the smaller spatial side; 'flat' once
 * an fc layer ran.
 */
export function sizeBin(rep: Representation): string {
  if (rep.flat) return 'flat';
  const size = Math.min(rep.height, rep.width);
  return size >= 8 ? 'r8+' : size >= 4 ? 'r4-7' : 'r1-3';
}

const LAYER_PATTERN = /^(?:C\((\d+),(\d+),(\d+)\)|P\((max|avg),(\d+),(\d+)\)|FC\((\d+)\))$/;

/**
 * MetaQNN-style layer sequences (Baker et al. 2017): up to maxLayers layers, each conv (filters, kernel,
 * stride; 'same' padding + relu), pool (max/avg, (kernel, stride) window) or fc (units + relu), ended by
 * terminate; a dense layer to the classes follows. Decisions: `layer_i` (conv | pool | fc | terminate),
 * then the layer's parameters (`filters_i`, `kernel_i`, `stride_i`, `pool_i`, `window_i`, `units_i`).
 * Only choices that keep the network buildable are offered (see chain-walk.ts), and a decision with a
 * single allowed choice is implied rather than asked.
 */
export class ChainSpace implements SearchSpace<Graph> {
  readonly name: string;
  readonly options: ChainOptions;

  constructor(options: ChainOptionsInput) {
    this.options = parseChainOptions(options, `space "${options.name ?? 'chain'}"`);
    this.name = this.options.name;
  }

  next(prefix: Sample): Decision | null {
    return traceChain(this.options, prefix).cursor?.decision ?? null;
  }

  /** The complete layer sequence of a sample (InvalidArchitectureError if it is incomplete). */
  layers(sample: Sample): readonly ChainLayer[] {
    const trace = traceChain(this.options, sample);
    if (trace.cursor !== null) {
      const d = trace.cursor.decision;
      throw new InvalidArchitectureError(
        `space "${this.name}": decision "${d.name}" is missing (choices: ${d.choices.join(', ')})`,
      );
    }
    return trace.layers;
  }

  /** e.g. `C(32,3,1)-P(max,2,2)-C(64,3,1)-FC(128)-T`; `T` alone for the bare classifier. */
  key(sample: Sample): string {
    return [...this.layers(sample).map(layerKey), 'T'].join('-');
  }

  /** The inverse of key(): the sample whose key this is. ConfigError if the space cannot produce it. */
  sampleFromKey(key: string): Sample {
    const parts = key.split('-');
    if (parts[parts.length - 1] !== 'T') {
      throw new ConfigError(
        `space "${this.name}": key ${JSON.stringify(key)} must end with "-T" (or be "T")`,
      );
    }
    const wanted: Record<string, Choice> = {};
    parts.slice(0, -1).forEach((part, i) => {
      const m = LAYER_PATTERN.exec(part);
      if (m === null) {
        throw new ConfigError(
          `space "${this.name}": key ${JSON.stringify(key)}: layer ${i} "${part}" is not C(filters,kernel,stride), ` +
            'P(max|avg,kernel,stride) or FC(units)',
        );
      }
      if (m[1] !== undefined) {
        Object.assign(wanted, { [`layer_${i}`]: 'conv', [`filters_${i}`]: Number(m[1]) });
        Object.assign(wanted, { [`kernel_${i}`]: Number(m[2]), [`stride_${i}`]: Number(m[3]) });
      } else if (m[4] !== undefined) {
        const window = windowChoice(Number(m[5]), Number(m[6]));
        Object.assign(wanted, { [`layer_${i}`]: 'pool', [`pool_${i}`]: m[4], [`window_${i}`]: window });
      } else {
        Object.assign(wanted, { [`layer_${i}`]: 'fc', [`units_${i}`]: Number(m[7]) });
      }
    });
    wanted[`layer_${parts.length - 1}`] = 'terminate';
    const sample = walk(this, (d) => {
      const value = wanted[d.name];
      if (value === undefined || !d.choices.includes(value)) {
        throw new ConfigError(
          `space "${this.name}": key ${JSON.stringify(key)} is not in this space: decision "${d.name}" ` +
            `allows ${d.choices.join(', ')}, the key asks ${value === undefined ? 'nothing' : JSON.stringify(value)}`,
        );
      }
      return value;
    });
    if (this.key(sample) !== key) {
      throw new ConfigError(
        `space "${this.name}": key ${JSON.stringify(key)} is not in this space (it stops at ${this.key(sample)})`,
      );
    }
    return sample;
  }

  /**
   * MetaQNN's state: depth, layer type and representation-size bin. Before `layer_i` the type is the
   * previous layer's ('input' first), e.g. "d2 pool r4-7"; before a layer's parameter it is the layer's
   * kind and the parameter, e.g. "d2 conv.kernel r4-7" (so equal choice values of different decisions
   * are different actions). "done" once complete.
   */
  agentState(prefix: Sample): string {
    const cursor = traceChain(this.options, prefix).cursor;
    if (cursor === null) return 'done';
    const type = cursor.role === 'layer' ? cursor.layerType : `${cursor.layerType}.${cursor.role}`;
    return `d${cursor.depth} ${type} ${sizeBin(cursor.rep)}`;
  }

  /**
   * The training graph: input `x` [N,C,H,W] and int64 `labels` [N]; outputs `logits` [N,classes] and the
   * mean softmax cross-entropy `loss`. Node names carry the layer index (conv_0, bn_0, relu_0, pool_1,
   * drop_2, fc_2...). With `batchNorm`, conv (no bias: the norm's beta replaces it) -> batch norm -> relu.
   */
  decode(sample: Sample): Graph {
    const o = this.options;
    const b = new GraphBuilder();
    let h: Value = b.input('x', [BATCH, ...o.input]);
    let flat = false;
    const dropout = (v: Value, name: string): Value =>
      o.dropout > 0 ? b.dropout(v, { name, rate: o.dropout }) : v;
    this.layers(sample).forEach((l, i) => {
      if (l.kind === 'conv') {
        const conv = b.conv2d(h, {
          name: `conv_${i}`,
          outChannels: l.filters,
          kernel: l.kernel,
          stride: l.stride,
          padding: 'same',
          bias: !o.batchNorm,
        });
        const normed = o.batchNorm ? b.batchNorm(conv, { name: `bn_${i}` }) : conv;
        h = b.relu(normed, { name: `relu_${i}` });
      } else if (l.kind === 'pool') {
        const window = { name: `pool_${i}`, kernel: l.kernel, stride: l.stride };
        h = l.pool === 'max' ? b.maxPool(h, window) : b.avgPool(h, window);
      } else {
        if (!flat) h = b.flatten(h, { name: 'flatten' });
        flat = true;
        h = dropout(h, `drop_${i}`);
        h = b.relu(b.dense(h, { name: `fc_${i}`, outFeatures: l.units }), { name: `fc_relu_${i}` });
      }
    });
    if (!flat) h = b.flatten(h, { name: 'flatten' });
    h = dropout(h, 'drop_logits');
    const logits = b.dense(h, { name: 'logits', outFeatures: o.classes });
    const loss = b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' });
    return b.build([logits, loss]);
  }

  toJSON(): SpaceSpec {
    return chainOptionsToSpec(this.options);
  }
}

/** Rebuilds a chain space from its toJSON() or a config section (ConfigError names a bad field). */
export function chainSpaceFromSpec(spec: SpaceSpec): ChainSpace {
  const name = typeof spec['name'] === 'string' ? spec['name'] : 'chain';
  return new ChainSpace(parseChainOptions(spec, `space "${name}"`));
}
