import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { Json } from '../../core/types.js';
import { parseConfig } from '../../core/validate.js';
import type { Graph } from '../../graph/graph.js';
import type { MorphOption } from '../../space/morph-options.js';
import { LAYER_FEATURES, layerFeatures } from './features.js';
import { SequenceLstm } from '../../numeric/lstm.js';
import {
  backwardLogits,
  distribution,
  drawIndex,
  entropyOf,
  type LogitShaping,
} from '../policy/categorical.js';
import { ParamVector } from '../../numeric/params.js';

const KINDS = ['widen', 'deepen', 'split'] as const;
type Kind = (typeof KINDS)[number];

export interface EasControllerOptions {
  readonly hidden: number;
  /** Kernel choices of Net2Deeper and merge choices of splits (the morph space's lists): head sizes. */
  readonly kernels: number;
  readonly merges: number;
  readonly shaping: LogitShaping;
}

/** One of a step's (up to three) categorical decisions, recorded for the backward pass. */
interface Pick {
  readonly head: 'kind' | 'where' | 'option';
  /** kind: kind indices; where: node positions; option: option indices. */
  readonly rows: readonly number[];
  /** where/option: the node position whose encoding the logits read. */
  readonly at: number;
  readonly kind: Kind;
  readonly z: Float64Array;
  readonly p: Float64Array;
  readonly lse: number;
  readonly entropy: number;
  readonly action: number;
}

export interface StepOutcome {
  readonly option: MorphOption;
  readonly logp: number;
  readonly entropy: number;
}

const savedSchema = z.strictObject({ kind: z.literal('eas'), hidden: z.number().int(), params: z.string() });

/**
 * The EAS meta-controller (Cai et al. 2018): an encoder, a bidirectional LSTM over the network's layers
 * (features.ts), and actors that read its states. One transformation step is up to three
 * categorical decisions: the kind (widen, deepen, split; from the two directions' final states), where
 * (a layer: its encoding scored by the kind's attention vector, so any layer list works), and, for
 * deepen and split, the option (kernel or merge; a softmax head on the chosen layer's encoding).
 * EAS's Net2Wider actor decides for every layer at once; here a step widens one layer (to the space's
 * next width) and a child takes several steps, which keeps one action space for all kinds.
 *
 * Layout: forward LSTM | backward LSTM | kind W [3 x 2H] b [3] | where v [3 x 2H] |
 * kernel W [K x 2H] b [K] | merge W [M x 2H] b [M]; uniform in [-0.1, 0.1].
 */
export class EasController {
  readonly params = new ParamVector();
  private readonly fwd: SequenceLstm;
  private readonly bwd: SequenceLstm;
  private readonly kindOff: number;
  private readonly whereOff: number;
  private readonly kernelOff: number;
  private readonly mergeOff: number;
  private readonly d: number;
  // The last step's record.
  private picks: Pick[] = [];
  private enc = new Float64Array(0);
  private T = 0;

  constructor(
    readonly options: EasControllerOptions,
    rng: Rng,
  ) {
    const H = options.hidden;
    const F = LAYER_FEATURES;
    const d = 2 * H;
    this.d = d;
    const n = SequenceLstm.count(F, H);
    const size = 2 * n + 3 * d + 3 + 3 * d + (options.kernels + options.merges) * (d + 1);
    this.params.alloc(size, () => rng.float() * 0.2 - 0.1);
    this.fwd = new SequenceLstm(this.params, 0, F, H, false);
    this.bwd = new SequenceLstm(this.params, n, F, H, true);
    this.kindOff = 2 * n;
    this.whereOff = this.kindOff + 3 * d + 3;
    this.kernelOff = this.whereOff + 3 * d;
    this.mergeOff = this.kernelOff + options.kernels * (d + 1);
  }

  /** Chooses one of `options` for `graph`: drawn with `rng`, or the given choice (to replay it for learning). */
  step(graph: Graph, options: readonly MorphOption[], pick: Rng | string): StepOutcome {
    if (options.length === 0) throw new ConfigError('eas: no transformation applies to this network');
    const given = typeof pick === 'string' ? options.find((o) => o.choice === pick) : undefined;
    if (typeof pick === 'string' && given === undefined) {
      throw new ConfigError(`eas: "${pick}" is not a transformation of this network`);
    }
    const draw = (p: Float64Array): number => drawIndex(p, 0, p.length, (pick as Rng).float());
    const { xs, index } = layerFeatures(graph);
    this.encode(xs, index.size);
    this.picks = [];
    const kinds = KINDS.map((k, i) => (options.some((o) => o.kind === k) ? i : -1)).filter((i) => i >= 0);
    const k = this.decide('kind', kinds, 0, 'widen', given ? kinds.indexOf(KINDS.indexOf(given.kind)) : draw);
    const kind = KINDS[kinds[k]!]!;
    const ofKind = options.filter((o) => o.kind === kind);
    const nodes = [...new Set(ofKind.map((o) => o.node))];
    const positions = nodes.map((n) => index.get(n)!);
    const w = this.decide('where', positions, 0, kind, given ? nodes.indexOf(given.node) : draw);
    const node = nodes[w]!;
    const atNode = ofKind.filter((o) => o.node === node);
    let chosen = atNode[0]!;
    if (atNode.length > 1) {
      const rows = atNode.map((o) => o.option);
      const a = this.decide('option', rows, positions[w]!, kind, given ? rows.indexOf(given.option) : draw);
      chosen = atNode[a]!;
    }
    let logp = 0;
    let entropy = 0;
    for (const p of this.picks) {
      logp += p.z[p.action]! - p.lse;
      entropy += p.entropy;
    }
    return { option: chosen, logp, entropy };
  }

  /** The encoder: E [T x 2H], row t = [forward h_t, backward h_t]. */
  private encode(xs: Float64Array, T: number): void {
    const H = this.options.hidden;
    this.T = T;
    const hf = new Float64Array(T * H);
    const hb = new Float64Array(T * H);
    this.fwd.forward(xs, T, hf);
    this.bwd.forward(xs, T, hb);
    this.enc = new Float64Array(T * this.d);
    for (let t = 0; t < T; t++) {
      this.enc.set(hf.subarray(t * H, (t + 1) * H), t * this.d);
      this.enc.set(hb.subarray(t * H, (t + 1) * H), t * this.d + H);
    }
  }

  /** The summary the kind head reads: [forward state at T-1, backward state at 0]. */
  private summary(): Float64Array {
    const H = this.options.hidden;
    const s = new Float64Array(this.d);
    s.set(this.enc.subarray((this.T - 1) * this.d, (this.T - 1) * this.d + H), 0);
    s.set(this.enc.subarray(H, 2 * H), H);
    return s;
  }

  /** One categorical decision over `rows`; records it; returns the action index. */
  private decide(
    head: Pick['head'],
    rows: readonly number[],
    at: number,
    kind: Kind,
    action: number | ((p: Float64Array) => number),
  ): number {
    const k = rows.length;
    const u = new Float64Array(k);
    const w = this.params.values;
    const d = this.d;
    const s = head === 'kind' ? this.summary() : this.enc.subarray(at * d, (at + 1) * d);
    rows.forEach((r, m) => {
      let v = 0;
      if (head === 'where') {
        // r is a node position; the kind's attention vector scores its encoding.
        const vo = this.whereOff + KINDS.indexOf(kind) * d;
        for (let j = 0; j < d; j++) v += w[vo + j]! * this.enc[r * d + j]!;
      } else {
        const { off, n } = this.headOf(head, kind);
        v = w[off + n * d + r]!;
        for (let j = 0; j < d; j++) v += w[off + r * d + j]! * s[j]!;
      }
      u[m] = v;
    });
    const z = new Float64Array(k);
    const p = new Float64Array(k);
    const lse = distribution(this.options.shaping, u, 0, k, z, p, 0);
    const entropy = entropyOf(z, p, 0, k, lse);
    const a = typeof action === 'number' ? action : action(p);
    this.picks.push({ head, rows, at, kind, z, p, lse, entropy, action: a });
    return a;
  }

  /** Where a softmax head's W [n x 2H] and b [n] are. */
  private headOf(head: 'kind' | 'option', kind: Kind): { off: number; n: number } {
    if (head === 'kind') return { off: this.kindOff, n: 3 };
    return kind === 'deepen'
      ? { off: this.kernelOff, n: this.options.kernels }
      : { off: this.mergeOff, n: this.options.merges };
  }

  /** Adds d(coefLogp * logp + coefEntropy * entropy)/d params of the last step to params.grad. */
  backward(coefLogp: number, coefEntropy: number): void {
    const H = this.options.hidden;
    const d = this.d;
    const T = this.T;
    const w = this.params.values;
    const g = this.params.grad;
    const dEnc = new Float64Array(T * d);
    for (const p of this.picks) {
      const k = p.rows.length;
      const du = new Float64Array(k);
      backwardLogits(
        this.options.shaping,
        p.z,
        p.p,
        0,
        k,
        p.lse,
        p.entropy,
        p.action,
        coefLogp,
        coefEntropy,
        du,
        0,
      );
      if (p.head === 'where') {
        const vo = this.whereOff + KINDS.indexOf(p.kind) * d;
        p.rows.forEach((r, m) => {
          for (let j = 0; j < d; j++) {
            g[vo + j] = g[vo + j]! + du[m]! * this.enc[r * d + j]!;
            dEnc[r * d + j] = dEnc[r * d + j]! + du[m]! * w[vo + j]!;
          }
        });
        continue;
      }
      const { off, n } = this.headOf(p.head, p.kind);
      const s = p.head === 'kind' ? this.summary() : this.enc.subarray(p.at * d, (p.at + 1) * d);
      const ds = new Float64Array(d);
      p.rows.forEach((r, m) => {
        g[off + n * d + r] = g[off + n * d + r]! + du[m]!;
        for (let j = 0; j < d; j++) {
          g[off + r * d + j] = g[off + r * d + j]! + du[m]! * s[j]!;
          ds[j] = ds[j]! + du[m]! * w[off + r * d + j]!;
        }
      });
      if (p.head === 'kind') {
        // The summary is the forward state at T-1 and the backward state at 0.
        for (let j = 0; j < H; j++) {
          dEnc[(T - 1) * d + j] = dEnc[(T - 1) * d + j]! + ds[j]!;
          dEnc[H + j] = dEnc[H + j]! + ds[H + j]!;
        }
      } else {
        for (let j = 0; j < d; j++) dEnc[p.at * d + j] = dEnc[p.at * d + j]! + ds[j]!;
      }
    }
    const dF = new Float64Array(T * H);
    const dB = new Float64Array(T * H);
    for (let t = 0; t < T; t++) {
      dF.set(dEnc.subarray(t * d, t * d + H), t * H);
      dB.set(dEnc.subarray(t * d + H, (t + 1) * d), t * H);
    }
    this.fwd.backward(dF);
    this.bwd.backward(dB);
  }

  toJSON(): Json {
    return { kind: 'eas', hidden: this.options.hidden, params: this.params.valuesBlob() };
  }

  load(saved: unknown): void {
    const data = parseConfig(savedSchema, saved, 'saved eas controller');
    if (data.hidden !== this.options.hidden) {
      throw new ConfigError(
        `saved eas controller has ${data.hidden} hidden units, the options say ${this.options.hidden}: ` +
          'resume with the experiment’s own strategy options',
      );
    }
    this.params.loadValues(data.params);
  }
}
