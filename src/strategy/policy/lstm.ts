import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Json, Sample } from '../../core/types.js';
import { parseConfig } from '../../core/validate.js';
import { blockListSchema, DecisionBlocks, type Block } from './blocks.js';
import { backwardLogits, type LogitShaping } from './categorical.js';
import { LstmTape } from './lstm-tape.js';
import { ParamVector } from '../../numeric/params.js';
import type { Policy, PolicyOutcome, Sampled } from './policy.js';
import { walkDecisions, type LogitsAt } from './tape.js';

const savedSchema = z.strictObject({
  kind: z.literal('lstm'),
  hidden: z.number().int().min(1),
  blocks: blockListSchema,
  params: z.string(),
});

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * The controller of Zoph & Le (2017) and ENAS (Pham et al. 2018): a one-layer LSTM takes one step per
 * decision. The first input is a learned start token; each later input is the embedding of the choice
 * just made. Each decision has its own softmax head, sized by its number of choices.
 *
 * Embeddings are per (decision, choice), created with the decision's head, rather than per choice
 * index (ENAS's macro search, whose decisions all share one op list): in a general space choice 0 of
 * `filters` and choice 0 of `op` mean different things, and decisions differ in their number of choices.
 *
 * Flat layout, H = hidden size, gates in the order i, f, g, o:
 *   core  : Wx [4H x H] | Wh [4H x H] | b [4H] | start [H]
 *   block : W [k x H] | b [k] | E [k x H]      (one per decision, in creation order)
 * Every weight starts uniform in [-0.1, 0.1] (ENAS); h0 = c0 = 0.
 */
export class LstmPolicy implements Policy {
  readonly kind = 'lstm';
  readonly params = new ParamVector();
  private readonly tape: LstmTape;
  private readonly blocks: DecisionBlocks;
  private readonly h: number;
  private readonly startOffset: number;
  private readonly logitsAt: LogitsAt = (t, block) => this.step(t, block);
  // Scratch: the head logits (forward) and their gradient (backward); dh, dc, da for BPTT.
  private readonly dh: Float64Array;
  private readonly dc: Float64Array;
  private readonly da: Float64Array;
  private readonly x: Float64Array;
  private readonly dx: Float64Array;
  private scratch = new Float64Array(8);

  constructor(
    hidden: number,
    private readonly shaping: LogitShaping,
    rng: Rng,
  ) {
    const h = hidden;
    this.h = h;
    const uniform = (): number => rng.float() * 0.2 - 0.1;
    this.params.alloc(8 * h * h + 5 * h, uniform);
    this.startOffset = 8 * h * h + 4 * h;
    this.blocks = new DecisionBlocks((k) => this.params.alloc(k * (2 * h + 1), uniform));
    this.tape = new LstmTape(h);
    this.dh = new Float64Array(h);
    this.dc = new Float64Array(h);
    this.da = new Float64Array(4 * h);
    this.x = new Float64Array(h);
    this.dx = new Float64Array(h);
  }

  sample(space: SearchSpace<unknown>, rng: Rng): Sampled {
    return walkDecisions(
      space,
      { rng },
      this.blocks,
      this.shaping,
      this.tape.steps,
      this.params,
      this.logitsAt,
    );
  }

  forward(space: SearchSpace<unknown>, sample: Sample): PolicyOutcome {
    return walkDecisions(
      space,
      { given: sample },
      this.blocks,
      this.shaping,
      this.tape.steps,
      this.params,
      this.logitsAt,
    );
  }

  /** One LSTM step (input: the start token or the previous choice's embedding), then the head's logits. */
  private step(t: number, block: Block): { u: Float64Array; offset: number } {
    const H = this.h;
    const w = this.params.values;
    const tape = this.tape;
    tape.ensure(t + 1);
    const xOff = t === 0 ? this.startOffset : this.embeddingOffset(t - 1);
    tape.xOff[t] = xOff;
    const gates = tape.gates;
    const g0 = t * 4 * H;
    const hs = tape.hs;
    const cs = tape.cs;
    const prev = t * H;
    const cur = (t + 1) * H;
    const whOff = 4 * H * H;
    const bOff = 8 * H * H;
    for (let r = 0; r < 4 * H; r++) {
      let a = w[bOff + r]!;
      const rx = r * H;
      const rh = whOff + r * H;
      if (t === 0) {
        for (let j = 0; j < H; j++) a += w[rx + j]! * w[xOff + j]!;
      } else {
        for (let j = 0; j < H; j++) a += w[rx + j]! * w[xOff + j]! + w[rh + j]! * hs[prev + j]!;
      }
      // i, f, o are sigmoids; g (the candidate) is a tanh.
      gates[g0 + r] = r >= 2 * H && r < 3 * H ? Math.tanh(a) : sigmoid(a);
    }
    const tcs = tape.tcs;
    for (let j = 0; j < H; j++) {
      const i = gates[g0 + j]!;
      const f = gates[g0 + H + j]!;
      const g = gates[g0 + 2 * H + j]!;
      const o = gates[g0 + 3 * H + j]!;
      const c = f * cs[prev + j]! + i * g;
      cs[cur + j] = c;
      const tc = Math.tanh(c);
      tcs[prev + j] = tc;
      hs[cur + j] = o * tc;
    }
    const k = block.k;
    if (this.scratch.length < k) this.scratch = new Float64Array(2 * k);
    const u = this.scratch;
    for (let m = 0; m < k; m++) {
      let s = w[block.offset + k * H + m]!;
      const row = block.offset + m * H;
      for (let j = 0; j < H; j++) s += w[row + j]! * hs[cur + j]!;
      u[m] = s;
    }
    return { u, offset: 0 };
  }

  /** Where the embedding of the choice made at step t is (the input of step t + 1). */
  private embeddingOffset(t: number): number {
    const steps = this.tape.steps;
    const k = steps.k[t]!;
    return steps.blockOffset[t]! + k * this.h + k + steps.action[t]! * this.h;
  }

  backward(coefLogp: number, coefEntropy: number): void {
    const H = this.h;
    const w = this.params.values;
    const grad = this.params.grad;
    const tape = this.tape;
    const steps = tape.steps;
    const { hs, cs, tcs, gates } = tape;
    const dh = this.dh;
    const dc = this.dc;
    const da = this.da;
    dh.fill(0);
    dc.fill(0);
    const whOff = 4 * H * H;
    const bOff = 8 * H * H;
    for (let t = steps.steps - 1; t >= 0; t--) {
      const k = steps.k[t]!;
      const off = steps.blockOffset[t]!;
      const du = this.scratch;
      du.fill(0, 0, k);
      const zOff = steps.zOff[t]!;
      backwardLogits(
        this.shaping,
        steps.z,
        steps.p,
        zOff,
        k,
        steps.lse[t]!,
        steps.entropy[t]!,
        steps.action[t]!,
        coefLogp,
        coefEntropy,
        du,
        0,
      );
      const prev = t * H;
      const cur = (t + 1) * H;
      // The head: u = W h + b.
      for (let m = 0; m < k; m++) {
        const dum = du[m]!;
        grad[off + k * H + m] = grad[off + k * H + m]! + dum;
        const row = off + m * H;
        for (let j = 0; j < H; j++) {
          grad[row + j] = grad[row + j]! + dum * hs[cur + j]!;
          dh[j] = dh[j]! + w[row + j]! * dum;
        }
      }
      // The cell: c = f c_prev + i g, h = o tanh(c).
      const g0 = t * 4 * H;
      for (let j = 0; j < H; j++) {
        const i = gates[g0 + j]!;
        const f = gates[g0 + H + j]!;
        const g = gates[g0 + 2 * H + j]!;
        const o = gates[g0 + 3 * H + j]!;
        const tc = tcs[prev + j]!;
        const dcj = dc[j]! + dh[j]! * o * (1 - tc * tc);
        da[j] = dcj * g * i * (1 - i);
        da[H + j] = dcj * cs[prev + j]! * f * (1 - f);
        da[2 * H + j] = dcj * i * (1 - g * g);
        da[3 * H + j] = dh[j]! * tc * o * (1 - o);
        dc[j] = dcj * f;
        dh[j] = 0;
      }
      // The gates' pre-activations: a = Wx x + Wh h_prev + b; dh becomes d h_prev.
      const xOff = tape.xOff[t]!;
      const x = this.x;
      const dx = this.dx;
      for (let j = 0; j < H; j++) {
        x[j] = w[xOff + j]!;
        dx[j] = 0;
      }
      for (let r = 0; r < 4 * H; r++) {
        const dar = da[r]!;
        if (dar === 0) continue;
        grad[bOff + r] = grad[bOff + r]! + dar;
        const rx = r * H;
        const rh = whOff + r * H;
        if (t === 0) {
          for (let j = 0; j < H; j++) {
            grad[rx + j] = grad[rx + j]! + dar * x[j]!;
            dx[j] = dx[j]! + w[rx + j]! * dar;
          }
          continue;
        }
        for (let j = 0; j < H; j++) {
          grad[rx + j] = grad[rx + j]! + dar * x[j]!;
          dx[j] = dx[j]! + w[rx + j]! * dar;
          grad[rh + j] = grad[rh + j]! + dar * hs[prev + j]!;
          dh[j] = dh[j]! + w[rh + j]! * dar;
        }
      }
      for (let j = 0; j < H; j++) grad[xOff + j] = grad[xOff + j]! + dx[j]!;
    }
  }

  toJSON(): Json {
    return {
      kind: this.kind,
      hidden: this.h,
      blocks: this.blocks.toJSON(),
      params: this.params.valuesBlob(),
    };
  }

  load(saved: unknown): void {
    const data = parseConfig(savedSchema, saved, 'saved lstm policy');
    if (data.hidden !== this.h) {
      throw new ConfigError(
        `saved lstm policy has ${data.hidden} hidden units, the options say ${this.h}: ` +
          `resume with the experiment's own strategy options`,
      );
    }
    this.params.reset();
    this.params.alloc(8 * this.h * this.h + 5 * this.h, () => 0);
    this.blocks.rebuild(data.blocks, (k) => this.params.alloc(k * (2 * this.h + 1), () => 0));
    this.params.loadValues(data.params);
  }
}
