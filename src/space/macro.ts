import { ConfigError } from '../core/errors.js';
import type { SearchSpace, SpaceSpec } from '../core/space.js';
import type { Decision, Sample } from '../core/types.js';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import type { Value } from '../graph/types.js';
import {
  macroOptionsToSpec,
  parseMacroOptions,
  type MacroOp,
  type MacroOptions,
  type MacroOptionsInput,
} from './macro-options.js';
import {
  channelsOf,
  classifierHead,
  convBn,
  convBnRelu,
  decisionValue,
  networkInput,
  pool,
  sepConvBn,
} from './net-parts.js';
import { validateSample } from './walk.js';

export {
  MACRO_DEFAULTS,
  MACRO_OPS,
  defaultReductions,
  type MacroMerge,
  type MacroOp,
  type MacroOptions,
  type MacroOptionsInput,
} from './macro-options.js';

/** One layer of a macro architecture: its op and the earlier layers it takes a skip connection from. */
export interface MacroLayer {
  readonly op: MacroOp;
  readonly skips: readonly number[];
}

const SKIP_CHOICES = Object.freeze([0, 1]);
const LAYER_PATTERN = /^([a-z0-9]+)(?:\[(\d+(?:,\d+)*)\])?$/;

/**
 * ENAS's macro search space (Pham et al. 2018): `layers` layers in a chain; layer i applies one op
 * (decision `op_i`) to layer i-1's output and takes a skip connection from each earlier layer j < i
 * (decision `skip_i_j`, 0 or 1; j = i-1 is a residual around the op). Decisions come layer by layer:
 * op_i, then skip_i_0 .. skip_i_{i-1}.
 *
 * The network: stem conv3x3-BN; the layers; global average pool and a dense layer to the classes.
 * Conv ops are conv-BN-ReLU (ENAS's order); a separable conv is depthwise then pointwise, then BN-ReLU;
 * pools are 3x3, stride 1, same padding, preceded by a 1x1 conv-BN-ReLU only where the channels change
 * (ENAS puts one before every op). merge 'concat': the op's output and the skipped-in layers are
 * concatenated and projected back by a 1x1 conv-BN-ReLU (the paper's description); merge 'add': they are
 * summed (a 1x1 conv-BN projects a skip whose channels differ) and batch-normalised (ENAS's code). After
 * each layer listed in `reductions` a 2x2 max pool halves the maps and the channels double; a skip from
 * before a reduction is max-pooled down to the size it meets.
 */
export class MacroSpace implements SearchSpace<Graph> {
  readonly name: string;
  readonly options: MacroOptions;
  private readonly decisions: readonly Decision[];

  constructor(options: MacroOptionsInput) {
    this.options = parseMacroOptions(options, `space "${options.name ?? 'macro'}"`);
    this.name = this.options.name;
    const list: Decision[] = [];
    for (let i = 0; i < this.options.layers; i++) {
      list.push(Object.freeze({ name: `op_${i}`, choices: Object.freeze([...this.options.ops]) }));
      for (let j = 0; j < i; j++) list.push(Object.freeze({ name: `skip_${i}_${j}`, choices: SKIP_CHOICES }));
    }
    this.decisions = Object.freeze(list);
  }

  /** The decisions never depend on earlier choices: the first one not yet taken. */
  next(prefix: Sample): Decision | null {
    for (const d of this.decisions) if (prefix[d.name] === undefined) return d;
    return null;
  }

  /** The layers of a complete sample (InvalidArchitectureError names a missing or wrong decision). */
  layers(sample: Sample): MacroLayer[] {
    validateSample(this, sample);
    return Array.from({ length: this.options.layers }, (_, i) => {
      const skips: number[] = [];
      for (let j = 0; j < i; j++) if (decisionValue(this.name, sample, `skip_${i}_${j}`) === 1) skips.push(j);
      return { op: decisionValue(this.name, sample, `op_${i}`) as MacroOp, skips };
    });
  }

  /** e.g. `conv3x3 sepconv5x5[0] maxpool3x3 avgpool3x3[0,2]`: each layer's op and its skip sources. */
  key(sample: Sample): string {
    return this.layers(sample)
      .map((l) => (l.skips.length === 0 ? l.op : `${l.op}[${l.skips.join(',')}]`))
      .join(' ');
  }

  /** The inverse of key(). ConfigError if the key is malformed or not in this space. */
  sampleFromKey(key: string): Sample {
    const parts = key.split(' ');
    const bad = (why: string): never => {
      throw new ConfigError(`space "${this.name}": key ${JSON.stringify(key)}: ${why}`);
    };
    if (parts.length !== this.options.layers)
      bad(`has ${parts.length} layers, the space ${this.options.layers}`);
    const sample: Record<string, string | number> = {};
    parts.forEach((part, i) => {
      const m = LAYER_PATTERN.exec(part);
      if (m === null) return bad(`layer ${i} "${part}" is not op or op[j,k,...]`);
      const op = m[1] as string;
      if (!(this.options.ops as readonly string[]).includes(op)) {
        bad(`layer ${i}: op "${op}" is not one of ${this.options.ops.join(', ')}`);
      }
      const skips = m[2] === undefined ? [] : m[2].split(',').map(Number);
      if (skips.some((j, k) => j >= i || (k > 0 && j <= (skips[k - 1] as number)))) {
        bad(`layer ${i}: skips must be ascending layer indices below ${i}`);
      }
      sample[`op_${i}`] = op;
      for (let j = 0; j < i; j++) sample[`skip_${i}_${j}`] = skips.includes(j) ? 1 : 0;
    });
    return sample;
  }

  /**
   * The training graph: input `x` [N,C,H,W] and int64 `labels` [N]; outputs `logits` [N,classes] and the
   * mean softmax cross-entropy `loss`. Layer i's nodes are named `l<i>/...`.
   */
  decode(sample: Sample): Graph {
    const o = this.options;
    const layers = this.layers(sample);
    const b = new GraphBuilder();
    const stem = convBn(b, networkInput(b, o.input), 'stem', { out: o.channels, kernel: 3 });
    // Layer j's output at each level from its own on (level k: after k reductions), pooled lazily, once.
    const outputs: { readonly level: number; readonly versions: Value[] }[] = [];
    const at = (j: number, level: number): Value => {
      const { level: base, versions } = outputs[j] as (typeof outputs)[number];
      for (let k = base + versions.length; k <= level; k++) {
        const prev = versions[versions.length - 1] as Value;
        versions.push(b.maxPool(prev, { name: `l${j}/down${k}`, kernel: 2 }));
      }
      return versions[level - base] as Value;
    };
    let level = 0;
    let h = stem;
    layers.forEach((layer, i) => {
      const c = o.channels * 2 ** level;
      const name = `l${i}`;
      const out = applyOp(b, h, layer.op, c, name);
      const skips = layer.skips.map((j) => at(j, level));
      let merged = out;
      if (skips.length > 0 && o.merge === 'concat') {
        const cat = b.concat([out, ...skips], { name: `${name}/concat` });
        merged = convBnRelu(b, cat, `${name}/proj`, { out: c, kernel: 1 });
      } else if (skips.length > 0) {
        const terms = skips.map((s, k) =>
          channelsOf(s) === c ? s : convBn(b, s, `${name}/proj${layer.skips[k]}`, { out: c, kernel: 1 }),
        );
        merged = b.batchNorm(b.add([out, ...terms], { name: `${name}/add` }), { name: `${name}/bn` });
      }
      outputs.push({ level, versions: [merged] });
      if (o.reductions.includes(i)) level++;
      h = at(i, level);
    });
    return classifierHead(b, h, o.classes);
  }

  toJSON(): SpaceSpec {
    return macroOptionsToSpec(this.options);
  }
}

/** One layer's op on its input, giving `c` channels. */
function applyOp(b: GraphBuilder, x: Value, op: MacroOp, c: number, name: string): Value {
  switch (op) {
    case 'conv3x3':
    case 'conv5x5':
      return convBnRelu(b, x, `${name}/${op}`, { out: c, kernel: op === 'conv3x3' ? 3 : 5 });
    case 'sepconv3x3':
    case 'sepconv5x5': {
      const sep = sepConvBn(b, x, `${name}/${op}`, { out: c, kernel: op === 'sepconv3x3' ? 3 : 5 });
      return b.relu(sep, { name: `${name}/${op}/relu` });
    }
    case 'maxpool3x3':
    case 'avgpool3x3': {
      const fitted = channelsOf(x) === c ? x : convBnRelu(b, x, `${name}/in`, { out: c, kernel: 1 });
      return pool(b, fitted, `${name}/${op}`, op === 'maxpool3x3' ? 'max' : 'avg', 3, 1);
    }
  }
}

/** Rebuilds a macro space from its toJSON() or a config section (ConfigError names a bad field). */
export function macroSpaceFromSpec(spec: SpaceSpec): MacroSpace {
  const name = typeof spec['name'] === 'string' ? spec['name'] : 'macro';
  return new MacroSpace(parseMacroOptions(spec, `space "${name}"`));
}
