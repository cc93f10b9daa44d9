import { sigmoid } from './activation.js';
import { grownF64 } from './grow.js';
import type { ParamVector } from './params.js';

/**
 * What an LSTM records over a sequence for backpropagation through time. Step s keeps its gate
 * activations (i, f, g, o) at gates[s * 4H..+4H) and tanh(c) at tcs[s * H..+H); the states are hs and cs
 * with state 0 (h0 = c0 = 0, never written) at index 0 and the state after step s at (s + 1) * H. Grows
 * keeping what it holds, so a caller may extend a sequence step by step (a policy's walk).
 */
export class LstmTrace {
  gates = new Float64Array(0);
  tcs = new Float64Array(0);
  hs: Float64Array;
  cs: Float64Array;
  private capacity = 0;

  constructor(readonly hidden: number) {
    this.hs = new Float64Array(hidden);
    this.cs = new Float64Array(hidden);
  }

  /** Makes room for `n` steps. */
  ensure(n: number): void {
    if (n <= this.capacity) return;
    const size = Math.max(n, 2 * this.capacity, 8);
    const H = this.hidden;
    this.gates = grownF64(this.gates, size * 4 * H);
    this.tcs = grownF64(this.tcs, size * H);
    this.hs = grownF64(this.hs, (size + 1) * H);
    this.cs = grownF64(this.cs, (size + 1) * H);
    this.capacity = size;
  }
}

/**
 * One LSTM cell, gates in the order i, f, g, o: a = Wx x + Wh h_prev + b; i, f, o = sigmoid(a), the
 * candidate g = tanh(a); c = f c_prev + i g; h = o tanh(c). Its weights are a block of a flat vector
 * from `offset`: Wx [4H x F] | Wh [4H x H] | b [4H], row-major. The one cell behind the policy
 * controller (one step per decision) and the EAS encoder (a whole given sequence).
 *
 * With as many inputs as units (the policy: its inputs are embeddings of size H) one pass over j reads a
 * row of Wx and of Wh together, which is faster, and a's sum adds the two terms in pairs; otherwise (the
 * EAS encoder, fed layer features) it adds every input term, then every recurrent term. The two orders
 * round differently in the last bits; each matches the states its user has saved, so those continue
 * exactly (all but an EAS encoder with as many units as layer features).
 */
export class LstmCell {
  readonly size: number;
  private readonly da: Float64Array;
  /** The step's input, copied out of the caller's array (the inner loops then index it from 0). */
  private readonly xin: Float64Array;

  constructor(
    readonly inputs: number,
    readonly hidden: number,
    readonly offset: number,
  ) {
    this.size = LstmCell.count(inputs, hidden);
    this.da = new Float64Array(4 * hidden);
    this.xin = new Float64Array(inputs);
  }

  /** How many weights a cell with `inputs` inputs and `hidden` units has. */
  static count(inputs: number, hidden: number): number {
    return 4 * hidden * (inputs + hidden + 1);
  }

  /**
   * Step s: reads the input x[xOff..+F) and state s of `trace` (which must have room for step s), records
   * the gates and tanh(c), and writes state s + 1.
   */
  forward(w: Float64Array, x: Float64Array, xOff: number, trace: LstmTrace, s: number): void {
    const H = this.hidden;
    const F = this.inputs;
    const wx = this.offset;
    const wh = wx + 4 * H * F;
    const b = wh + 4 * H * H;
    const { gates, hs, cs, tcs } = trace;
    const g0 = s * 4 * H;
    const prev = s * H;
    const cur = (s + 1) * H;
    const xin = this.xin;
    for (let j = 0; j < F; j++) xin[j] = x[xOff + j]!;
    const paired = F === H;
    for (let r = 0; r < 4 * H; r++) {
      let a = w[b + r]!;
      const rx = wx + r * F;
      const rh = wh + r * H;
      if (s === 0) {
        // h0 = 0: the recurrent terms are all zero.
        for (let j = 0; j < F; j++) a += w[rx + j]! * xin[j]!;
      } else if (paired) {
        for (let j = 0; j < H; j++) a += w[rx + j]! * xin[j]! + w[rh + j]! * hs[prev + j]!;
      } else {
        for (let j = 0; j < F; j++) a += w[rx + j]! * xin[j]!;
        for (let j = 0; j < H; j++) a += w[rh + j]! * hs[prev + j]!;
      }
      gates[g0 + r] = r >= 2 * H && r < 3 * H ? Math.tanh(a) : sigmoid(a);
    }
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
  }

  /**
   * Backward through step s, as recorded by forward() with the same input. On entry dh holds the whole
   * gradient of the loss by h after step s (this step's own use plus what later steps sent back) and dc
   * the gradient by c after step s from later steps; on return they hold the gradients by the state before
   * step s (zero for s = 0, whose state before is the constant h0 = c0 = 0). Adds the weights' gradient
   * into `grad`; when `dx` is given, writes the gradient by the input into dx[0..F) (overwriting it).
   */
  backward(
    w: Float64Array,
    grad: Float64Array,
    x: Float64Array,
    xOff: number,
    trace: LstmTrace,
    s: number,
    dh: Float64Array,
    dc: Float64Array,
    dx?: Float64Array,
  ): void {
    const H = this.hidden;
    const F = this.inputs;
    const wx = this.offset;
    const wh = wx + 4 * H * F;
    const b = wh + 4 * H * H;
    const { gates, hs, cs, tcs } = trace;
    const da = this.da;
    const g0 = s * 4 * H;
    const prev = s * H;
    // c = f c_prev + i g, h = o tanh(c); dh is cleared to collect d h_prev.
    for (let j = 0; j < H; j++) {
      const i = gates[g0 + j]!;
      const f = gates[g0 + H + j]!;
      const g = gates[g0 + 2 * H + j]!;
      const o = gates[g0 + 3 * H + j]!;
      const tc = tcs[prev + j]!;
      const dhj = dh[j]!;
      const dcj = dc[j]! + dhj * o * (1 - tc * tc);
      da[j] = dcj * g * i * (1 - i);
      da[H + j] = dcj * cs[prev + j]! * f * (1 - f);
      da[2 * H + j] = dcj * i * (1 - g * g);
      da[3 * H + j] = dhj * tc * o * (1 - o);
      dc[j] = dcj * f;
      dh[j] = 0;
    }
    if (dx !== undefined) dx.fill(0, 0, F);
    const xin = this.xin;
    for (let j = 0; j < F; j++) xin[j] = x[xOff + j]!;
    // a = Wx x + Wh h_prev + b. Every sum below gets its terms in the order of r whichever loop adds them.
    const paired = F === H && dx !== undefined && s > 0;
    for (let r = 0; r < 4 * H; r++) {
      const dar = da[r]!;
      if (dar === 0) continue;
      grad[b + r] = grad[b + r]! + dar;
      const rx = wx + r * F;
      const rh = wh + r * H;
      if (paired) {
        for (let j = 0; j < H; j++) {
          grad[rx + j] = grad[rx + j]! + dar * xin[j]!;
          dx[j] = dx[j]! + w[rx + j]! * dar;
          grad[rh + j] = grad[rh + j]! + dar * hs[prev + j]!;
          dh[j] = dh[j]! + w[rh + j]! * dar;
        }
        continue;
      }
      if (dx !== undefined) {
        for (let j = 0; j < F; j++) {
          grad[rx + j] = grad[rx + j]! + dar * xin[j]!;
          dx[j] = dx[j]! + w[rx + j]! * dar;
        }
      } else {
        for (let j = 0; j < F; j++) grad[rx + j] = grad[rx + j]! + dar * xin[j]!;
      }
      // Before the first step the state is the constant h0 = c0 = 0: Wh gets nothing, h0 needs no gradient.
      if (s === 0) continue;
      for (let j = 0; j < H; j++) {
        grad[rh + j] = grad[rh + j]! + dar * hs[prev + j]!;
        dh[j] = dh[j]! + w[rh + j]! * dar;
      }
    }
    if (s === 0) dc.fill(0);
  }
}

/**
 * An LSTM over a whole given sequence of feature vectors (the EAS encoder reads a network's layers, one
 * direction forwards, the other backwards), returning every position's hidden state, with
 * backpropagation through time. Its weights are one LstmCell's block in `params` from `offset`.
 */
export class SequenceLstm {
  readonly size: number;
  private readonly cell: LstmCell;
  private readonly trace: LstmTrace;
  private readonly dh: Float64Array;
  private readonly dc: Float64Array;
  private steps = 0;
  private xs: Float64Array = new Float64Array(0);

  constructor(
    readonly params: ParamVector,
    readonly offset: number,
    readonly features: number,
    readonly hidden: number,
    readonly reverse: boolean,
  ) {
    this.cell = new LstmCell(features, hidden, offset);
    this.size = this.cell.size;
    this.trace = new LstmTrace(hidden);
    this.dh = new Float64Array(hidden);
    this.dc = new Float64Array(hidden);
  }

  static count(features: number, hidden: number): number {
    return LstmCell.count(features, hidden);
  }

  /** Reads `T` vectors of `features` values from `xs`; writes each position's hidden state into out [T x H]. */
  forward(xs: Float64Array, T: number, out: Float64Array): void {
    const H = this.hidden;
    const F = this.features;
    const w = this.params.values;
    this.steps = T;
    this.xs = xs;
    this.trace.ensure(T);
    for (let s = 0; s < T; s++) {
      const t = this.reverse ? T - 1 - s : s;
      this.cell.forward(w, xs, t * F, this.trace, s);
      const hs = this.trace.hs;
      for (let j = 0; j < H; j++) out[t * H + j] = hs[(s + 1) * H + j]!;
    }
  }

  /** Adds the gradient of the loss whose gradient by the outputs is dOut [T x H] to params.grad. */
  backward(dOut: Float64Array): void {
    const H = this.hidden;
    const F = this.features;
    const T = this.steps;
    const { dh, dc } = this;
    dh.fill(0);
    dc.fill(0);
    for (let s = T - 1; s >= 0; s--) {
      const t = this.reverse ? T - 1 - s : s;
      for (let j = 0; j < H; j++) dh[j] = dh[j]! + dOut[t * H + j]!;
      this.cell.backward(this.params.values, this.params.grad, this.xs, t * F, this.trace, s, dh, dc);
    }
  }
}
