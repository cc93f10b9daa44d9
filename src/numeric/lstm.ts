import type { ParamVector } from './params.js';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * One direction of the EAS encoder: an LSTM over a sequence of feature vectors (the layers of a
 * network), forwards or backwards, with backpropagation through time. Unlike the policy LSTM
 * (policy/lstm.ts), which takes one step per decision and feeds back its choices, this one reads a
 * whole given sequence and returns every position's hidden state.
 *
 * Layout in the shared ParamVector from `offset`: Wx [4H x F] | Wh [4H x H] | b [4H], gates i, f, g, o.
 */
export class SequenceLstm {
  readonly size: number;
  private steps = 0;
  private gates = new Float64Array(0);
  private hs = new Float64Array(0);
  private cs = new Float64Array(0);
  private tcs = new Float64Array(0);
  private xs: Float64Array = new Float64Array(0);

  constructor(
    readonly params: ParamVector,
    readonly offset: number,
    readonly features: number,
    readonly hidden: number,
    readonly reverse: boolean,
  ) {
    this.size = SequenceLstm.count(features, hidden);
  }

  static count(features: number, hidden: number): number {
    return 4 * hidden * (features + hidden + 1);
  }

  /** Reads `T` vectors of `features` values from `xs`; writes each position's hidden state into out [T x H]. */
  forward(xs: Float64Array, T: number, out: Float64Array): void {
    const H = this.hidden;
    const F = this.features;
    const w = this.params.values;
    const wx = this.offset;
    const wh = wx + 4 * H * F;
    const b = wh + 4 * H * H;
    this.steps = T;
    this.xs = xs;
    if (this.gates.length < T * 4 * H) {
      this.gates = new Float64Array(T * 4 * H);
      this.tcs = new Float64Array(T * H);
    }
    // States 0..T, state 0 is zero.
    this.hs = new Float64Array((T + 1) * H);
    this.cs = new Float64Array((T + 1) * H);
    const { gates, hs, cs, tcs } = this;
    for (let s = 0; s < T; s++) {
      const t = this.reverse ? T - 1 - s : s;
      const g0 = s * 4 * H;
      for (let r = 0; r < 4 * H; r++) {
        let a = w[b + r]!;
        for (let j = 0; j < F; j++) a += w[wx + r * F + j]! * xs[t * F + j]!;
        for (let j = 0; j < H; j++) a += w[wh + r * H + j]! * hs[s * H + j]!;
        gates[g0 + r] = r >= 2 * H && r < 3 * H ? Math.tanh(a) : sigmoid(a);
      }
      for (let j = 0; j < H; j++) {
        const i = gates[g0 + j]!;
        const f = gates[g0 + H + j]!;
        const g = gates[g0 + 2 * H + j]!;
        const o = gates[g0 + 3 * H + j]!;
        const c = f * cs[s * H + j]! + i * g;
        cs[(s + 1) * H + j] = c;
        const tc = Math.tanh(c);
        tcs[s * H + j] = tc;
        const h = o * tc;
        hs[(s + 1) * H + j] = h;
        out[t * H + j] = h;
      }
    }
  }

  /** Adds the gradient of the loss whose gradient by the outputs is dOut [T x H] to params.grad. */
  backward(dOut: Float64Array): void {
    const H = this.hidden;
    const F = this.features;
    const T = this.steps;
    const w = this.params.values;
    const grad = this.params.grad;
    const wx = this.offset;
    const wh = wx + 4 * H * F;
    const b = wh + 4 * H * H;
    const { gates, hs, cs, tcs, xs } = this;
    const dh = new Float64Array(H);
    const dc = new Float64Array(H);
    const da = new Float64Array(4 * H);
    for (let s = T - 1; s >= 0; s--) {
      const t = this.reverse ? T - 1 - s : s;
      const g0 = s * 4 * H;
      for (let j = 0; j < H; j++) {
        const dhj = dh[j]! + dOut[t * H + j]!;
        const i = gates[g0 + j]!;
        const f = gates[g0 + H + j]!;
        const g = gates[g0 + 2 * H + j]!;
        const o = gates[g0 + 3 * H + j]!;
        const tc = tcs[s * H + j]!;
        const dcj = dc[j]! + dhj * o * (1 - tc * tc);
        da[j] = dcj * g * i * (1 - i);
        da[H + j] = dcj * cs[s * H + j]! * f * (1 - f);
        da[2 * H + j] = dcj * i * (1 - g * g);
        da[3 * H + j] = dhj * tc * o * (1 - o);
        dc[j] = dcj * f;
        dh[j] = 0;
      }
      // a = Wx x_t + Wh h_prev + b; dh becomes d h_prev.
      for (let r = 0; r < 4 * H; r++) {
        const dar = da[r]!;
        if (dar === 0) continue;
        grad[b + r] = grad[b + r]! + dar;
        for (let j = 0; j < F; j++) grad[wx + r * F + j] = grad[wx + r * F + j]! + dar * xs[t * F + j]!;
        for (let j = 0; j < H; j++) {
          grad[wh + r * H + j] = grad[wh + r * H + j]! + dar * hs[s * H + j]!;
          dh[j] = dh[j]! + w[wh + r * H + j]! * dar;
        }
      }
    }
  }
}
