import { ConfigError } from '../core/errors.js';
import type { SearchSpace, SpaceSpec } from '../core/space.js';
import type { Decision, Sample } from '../core/types.js';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import type { Value } from '../graph/types.js';
import {
  CELL_KINDS,
  cellOptionsToSpec,
  parseCellOptions,
  type CellKind,
  type CellOp,
  type CellOptions,
  type CellOptionsInput,
} from './cell-options.js';
import { classifierHead, convBn, networkInput, pool, reluConvBn, sepConvBn } from './net-parts.js';
import { validateSample } from './walk.js';

export {
  CELL_DEFAULTS,
  CELL_KINDS,
  CELL_OPS,
  type CellKind,
  type CellOp,
  type CellOptions,
  type CellOptionsInput,
} from './cell-options.js';

/** One input of a block: an earlier node of the cell (0, 1: the cell's inputs; 2..: blocks) and an op. */
export interface CellTerm {
  readonly input: number;
  readonly op: CellOp;
}

/** A block: node `node` of the cell, the sum of two terms (in canonical order: by input, then op). */
export interface CellBlock {
  readonly node: number;
  readonly terms: readonly [CellTerm, CellTerm];
}

export type CellStructure = Readonly<Record<CellKind, readonly CellBlock[]>>;

const TERM_PATTERN = /^([a-z0-9]+)~(\d+)$/;
const CELL_PATTERN = /^(normal|reduce)\((.*)\)$/;

function compareTerms(a: CellTerm, b: CellTerm): number {
  return a.input - b.input || (a.op < b.op ? -1 : a.op > b.op ? 1 : 0);
}

/**
 * NASNet / ENAS-micro cells (Zoph et al. 2018, Pham et al. 2018): a cell has two input nodes (the
 * outputs of the two cells before it) and `blocks` blocks; block node n (2 .. blocks+1) adds two terms,
 * each an op applied to an earlier node. Decisions, for the normal cell then the reduction cell, block
 * by block: `<kind>_<n>_in1`, `<kind>_<n>_in2` (a node index below n), `<kind>_<n>_op1`,
 * `<kind>_<n>_op2`. The blocks no other block reads are concatenated as the cell's output.
 *
 * The network: stem conv3x3-BN; `cells` normal cells, a reduction cell, `cells` normal cells, a reduction
 * cell, `cells` normal cells; ReLU, global average pool, dense. A reduction cell doubles the channels
 * and applies its ops to the cell inputs with stride 2. Each cell first maps its inputs to its channels
 * with ReLU-conv1x1-BN (stride 2 for an input from before a reduction, a one-path stand-in for NASNet's
 * factorized reduction, which needs a one-pixel shift the IR has no op for). Ops: identity (a stride-2
 * identity is ReLU-conv1x1-BN with stride 2, as above); sepconv k x k = (ReLU, depthwise, pointwise, BN)
 * twice, stride on the first (NASNet's, ENAS's and DARTS's); 3x3 max/avg pools, padding 1 (the average
 * excludes the padding).
 */
export class CellSpace implements SearchSpace<Graph> {
  readonly name: string;
  readonly options: CellOptions;
  private readonly decisions: readonly Decision[];

  constructor(options: CellOptionsInput) {
    this.options = parseCellOptions(options, `space "${options.name ?? 'cell'}"`);
    this.name = this.options.name;
    const ops = Object.freeze([...this.options.ops]);
    const list: Decision[] = [];
    for (const kind of CELL_KINDS) {
      for (let n = 2; n < this.options.blocks + 2; n++) {
        const inputs = Object.freeze(Array.from({ length: n }, (_, i) => i));
        list.push(
          { name: `${kind}_${n}_in1`, choices: inputs },
          { name: `${kind}_${n}_in2`, choices: inputs },
        );
        list.push({ name: `${kind}_${n}_op1`, choices: ops }, { name: `${kind}_${n}_op2`, choices: ops });
      }
    }
    this.decisions = Object.freeze(list.map((d) => Object.freeze(d)));
  }

  /** The decisions never depend on earlier choices: the first one not yet taken. */
  next(prefix: Sample): Decision | null {
    for (const d of this.decisions) if (prefix[d.name] === undefined) return d;
    return null;
  }

  /** Both cells of a complete sample (InvalidArchitectureError names a missing or wrong decision). */
  structure(sample: Sample): CellStructure {
    validateSample(this, sample);
    const cell = (kind: CellKind): CellBlock[] =>
      Array.from({ length: this.options.blocks }, (_, b) => {
        const n = b + 2;
        const term = (k: 1 | 2): CellTerm => ({
          input: sample[`${kind}_${n}_in${k}`] as number,
          op: sample[`${kind}_${n}_op${k}`] as CellOp,
        });
        const terms = [term(1), term(2)].sort(compareTerms) as [CellTerm, CellTerm];
        return { node: n, terms };
      });
    return { normal: cell('normal'), reduce: cell('reduce') };
  }

  /**
   * e.g. `normal(sepconv3x3~0+identity~1|avgpool3x3~0+maxpool3x3~2) reduce(...)`: each block's two terms
   * as op~input, in canonical order, so swapping a block's two terms gives the same key.
   */
  key(sample: Sample): string {
    const s = this.structure(sample);
    const cell = (kind: CellKind): string =>
      `${kind}(${s[kind].map((b) => b.terms.map((t) => `${t.op}~${t.input}`).join('+')).join('|')})`;
    return `${cell('normal')} ${cell('reduce')}`;
  }

  /** A sample with this key (terms in canonical order). ConfigError if malformed or not in this space. */
  sampleFromKey(key: string): Sample {
    const bad = (why: string): never => {
      throw new ConfigError(`space "${this.name}": key ${JSON.stringify(key)}: ${why}`);
    };
    const cells = key.split(' ');
    if (cells.length !== 2) bad('expected "normal(...) reduce(...)"');
    const sample: Record<string, string | number> = {};
    CELL_KINDS.forEach((kind, c) => {
      const m = CELL_PATTERN.exec(cells[c] as string);
      if (m === null || m[1] !== kind) return bad(`expected ${kind}(...) as cell ${c + 1}`);
      const blocks = (m[2] as string).split('|');
      if (blocks.length !== this.options.blocks)
        bad(`${kind} has ${blocks.length} blocks, the space ${this.options.blocks}`);
      blocks.forEach((block, b) => {
        const n = b + 2;
        const terms = block.split('+');
        if (terms.length !== 2) bad(`${kind} block ${n}: expected op~input+op~input`);
        terms.forEach((term, t) => {
          const tm = TERM_PATTERN.exec(term);
          if (tm === null) return bad(`${kind} block ${n}: "${term}" is not op~input`);
          const op = tm[1] as string;
          const input = Number(tm[2]);
          if (!(this.options.ops as readonly string[]).includes(op))
            bad(`op "${op}" is not one of ${this.options.ops.join(', ')}`);
          if (input >= n) bad(`${kind} block ${n}: input ${input} must be below ${n}`);
          sample[`${kind}_${n}_in${t + 1}`] = input;
          sample[`${kind}_${n}_op${t + 1}`] = op;
        });
      });
    });
    return sample;
  }

  /**
   * The training graph: input `x` [N,C,H,W] and int64 `labels` [N]; outputs `logits` [N,classes] and
   * `loss`. Cell k's nodes are named `c<k>/...` (`c<k>/n<node>/t<term>/...` inside a block).
   */
  decode(sample: Sample): Graph {
    const s = this.structure(sample);
    return cellNetwork(this.options, (b, cell) => {
      const { kind, name, nodes, channels, reduce } = cell;
      const used = new Set<number>();
      for (const block of s[kind]) {
        const terms = block.terms.map((t, i) => {
          used.add(t.input);
          const stride = reduce && t.input < 2 ? 2 : 1;
          return cellOp(
            b,
            nodes[t.input] as Value,
            t.op,
            channels,
            stride,
            `${name}/n${block.node}/t${i + 1}`,
          );
        });
        nodes.push(b.add(terms, { name: `${name}/n${block.node}` }));
      }
      const loose = nodes.filter((_, i) => i >= 2 && !used.has(i));
      return loose.length === 1 ? (loose[0] as Value) : b.concat(loose, { name: `${name}/out` });
    });
  }

  toJSON(): SpaceSpec {
    return cellOptionsToSpec(this.options);
  }
}

/** One cell being built: its kind, name prefix `c<k>`, channel count, and its two preprocessed inputs. */
export interface CellUnderConstruction {
  readonly kind: CellKind;
  readonly name: string;
  readonly channels: number;
  readonly reduce: boolean;
  /** [input 0, input 1] after the 1x1 preprocessing; the body appends its block nodes. */
  readonly nodes: Value[];
}

/**
 * The network around the cells: stem, three stages of `cells` normal cells with a reduction cell
 * between stages (channels double at each), each cell's two inputs preprocessed by relu-conv1x1-BN (the
 * older one with stride 2 after a reduction), the classifier head. `body` builds one cell and returns its
 * output; the cell space and DARTS's relaxed network share this skeleton.
 */
export function cellNetwork(
  o: CellOptions,
  body: (b: GraphBuilder, cell: CellUnderConstruction) => Value,
): Graph {
  const b = new GraphBuilder();
  let s1 = convBn(b, networkInput(b, o.input), 'stem', { out: o.channels, kernel: 3 });
  let s0 = s1;
  let c = o.channels;
  let prevReduced = false;
  const plan: CellKind[] = [];
  for (let stage = 0; stage < 3; stage++) {
    if (stage > 0) plan.push('reduce');
    for (let n = 0; n < o.cells; n++) plan.push('normal');
  }
  plan.forEach((kind, k) => {
    const reduce = kind === 'reduce';
    if (reduce) c *= 2;
    const name = `c${k}`;
    const p0 = reluConvBn(b, s0, `${name}/pre0`, { out: c, kernel: 1, stride: prevReduced ? 2 : 1 });
    const nodes = [p0, reluConvBn(b, s1, `${name}/pre1`, { out: c, kernel: 1 })];
    const out = body(b, { kind, name, channels: c, reduce, nodes });
    s0 = s1;
    s1 = out;
    prevReduced = reduce;
  });
  return classifierHead(b, b.relu(s1, { name: 'final/relu' }), o.classes);
}

/** One term's op on node `x` (which has `c` channels), with the cell's stride (DARTS's relaxed edges reuse it). */
export function cellOp(
  b: GraphBuilder,
  x: Value,
  op: CellOp,
  c: number,
  stride: number,
  name: string,
): Value {
  switch (op) {
    case 'identity':
      return stride === 1 ? b.identity(x, { name }) : reluConvBn(b, x, name, { out: c, kernel: 1, stride });
    case 'sepconv3x3':
    case 'sepconv5x5': {
      const kernel = op === 'sepconv3x3' ? 3 : 5;
      const first = sepConvBn(b, b.relu(x, { name: `${name}/relu1` }), `${name}/a`, {
        out: c,
        kernel,
        stride,
      });
      return sepConvBn(b, b.relu(first, { name: `${name}/relu2` }), `${name}/b`, { out: c, kernel });
    }
    case 'avgpool3x3':
    case 'maxpool3x3':
      return pool(b, x, name, op === 'maxpool3x3' ? 'max' : 'avg', 3, stride);
  }
}

/** Rebuilds a cell space from its toJSON() or a config section (ConfigError names a bad field). */
export function cellSpaceFromSpec(spec: SpaceSpec): CellSpace {
  const name = typeof spec['name'] === 'string' ? spec['name'] : 'cell';
  return new CellSpace(parseCellOptions(spec, `space "${name}"`));
}
