import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Json, Sample } from '../../core/types.js';
import { parseConfig } from '../../core/validate.js';
import { blockListSchema, DecisionBlocks, type Block } from './blocks.js';
import { backwardLogits, type LogitShaping } from './categorical.js';
import { LstmTape } from './lstm-tape.js';
import { LstmCell } from '../../numeric/lstm.js';
import { ParamVector } from '../../numeric/params.js';
import type { Policy, PolicyOutcome, Sampled } from './policy.js';
import { walkDecisions, type LogitsAt } from './tape.js';

const savedSchema = z.strictObject({
  kind: z.literal('lstm'),
  hidden: z.number().int().min(1),
  blocks: blockListSchema,
  params: z.string(),
});

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
 *   core  : the cell (numeric/lstm.ts: Wx [4H x H] | Wh [4H x H] | b [4H]) | start [H]
 *   block : W [k x H] | b [k] | E [k x H]      (one per decision, in creation order)
 * Every weight starts uniform in [-0.1, 0.1] (ENAS); h0 = c0 = 0.
 */
export class LstmPolicy implements Policy {
  readonly kind = 'lstm';
  readonly params = new ParamVector();
  private readonly cell: LstmCell;
  private readonly tape: LstmTape;
  private readonly blocks: DecisionBlocks;
  private readonly h: number;
  private readonly startOffset: number;
  private readonly logitsAt: LogitsAt = (t, block) => this.step(t, block);
  // Scratch: the head logits (forward) and their gradient (backward); dh, dc, dx for BPTT.
  private readonly dh: Float64Array;
  private readonly dc: Float64Array;
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
    this.cell = new LstmCell(h, h, 0);
    this.params.alloc(this.cell.size + h, uniform);
    this.startOffset = this.cell.size;
    this.blocks = new DecisionBlocks((k) => this.params.alloc(k * (2 * h + 1), uniform));
    this.tape = new LstmTape(h);
    this.dh = new Float64Array(h);
    this.dc = new Float64Array(h);
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
    this.cell.forward(w, w, xOff, tape.trace, t);
    const hs = tape.trace.hs;
    const cur = (t + 1) * H;
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
    const hs = tape.trace.hs;
    const dh = this.dh;
    const dc = this.dc;
    const dx = this.dx;
    dh.fill(0);
    dc.fill(0);
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
      // The cell; dh and dc become the gradients by the state before step t, dx by its input (the start
      // token or the previous choice's embedding, both parameters).
      const xOff = tape.xOff[t]!;
      this.cell.backward(w, grad, w, xOff, tape.trace, t, dh, dc, dx);
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
    this.params.alloc(this.cell.size + this.h, () => 0);
    this.blocks.rebuild(data.blocks, (k) => this.params.alloc(k * (2 * this.h + 1), () => 0));
    this.params.loadValues(data.params);
  }
}
