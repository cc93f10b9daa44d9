import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { LstmCell, LstmTrace, SequenceLstm } from './lstm.js';
import { ParamVector } from './params.js';

/** |a - n| / (|a| + |n|), 0 when both vanish: the relative error of an analytic against a numeric slope. */
function relativeError(analytic: number, numeric: number): number {
  const scale = Math.abs(analytic) + Math.abs(numeric);
  return scale < 1e-10 ? 0 : Math.abs(analytic - numeric) / scale;
}

function randomVector(n: number, rng: Rng, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal() * scale);
}

const EPS = 1e-5;

/**
 * A sequence of T steps driven through one cell; loss = sum_t r_t . h_t for random r. As many inputs as
 * units takes the cell's paired loops, other shapes the two-pass ones.
 */
function cellCase(F: number, H: number, seed: number) {
  const T = 5;
  const rng = new Rng(seed);
  const cell = new LstmCell(F, H, 2); // a nonzero offset: the cell is one block of a larger vector
  const w = randomVector(2 + cell.size + 3, rng, 0.5);
  const xs = randomVector(T * F, rng);
  const r = randomVector(T * H, rng);

  const loss = (): number => {
    const trace = new LstmTrace(H);
    trace.ensure(T);
    let sum = 0;
    for (let t = 0; t < T; t++) {
      cell.forward(w, xs, t * F, trace, t);
      for (let j = 0; j < H; j++) sum += r[t * H + j]! * trace.hs[(t + 1) * H + j]!;
    }
    return sum;
  };

  /** Backpropagation through time with the cell's backward: the gradients by w and (withDx) by xs. */
  const gradients = (withDx: boolean) => {
    const trace = new LstmTrace(H);
    trace.ensure(T);
    for (let t = 0; t < T; t++) cell.forward(w, xs, t * F, trace, t);
    const grad = new Float64Array(w.length);
    const gradX = new Float64Array(xs.length);
    const dh = new Float64Array(H);
    const dc = new Float64Array(H);
    const dx = new Float64Array(F);
    for (let t = T - 1; t >= 0; t--) {
      for (let j = 0; j < H; j++) dh[j] = dh[j]! + r[t * H + j]!;
      cell.backward(w, grad, xs, t * F, trace, t, dh, dc, withDx ? dx : undefined);
      gradX.set(dx, t * F);
    }
    return { grad, gradX };
  };

  /** The worst relative error of `analytic` against central differences of the loss in `values`. */
  const worstError = (values: Float64Array, analytic: Float64Array): number => {
    let worst = 0;
    for (let i = 0; i < values.length; i++) {
      const keep = values[i]!;
      values[i] = keep + EPS;
      const up = loss();
      values[i] = keep - EPS;
      const down = loss();
      values[i] = keep;
      worst = Math.max(worst, relativeError(analytic[i]!, (up - down) / (2 * EPS)));
    }
    return worst;
  };

  return { cell, w, xs, T, gradients, worstError };
}

describe('LstmCell', () => {
  for (const [F, H] of [
    [3, 4],
    [4, 4],
  ] as const) {
    it(`weight gradients match central finite differences (${F} inputs, ${H} units)`, () => {
      for (const seed of [1, 2, 3]) {
        for (const withDx of [true, false]) {
          const c = cellCase(F, H, seed);
          const { grad } = c.gradients(withDx);
          expect(c.worstError(c.w, grad)).toBeLessThan(1e-6);
          // The padding around the cell's block gets no gradient.
          expect([grad[0], grad[1], grad[c.w.length - 1]]).toEqual([0, 0, 0]);
        }
      }
    });

    it(`input gradients (dx) match central finite differences (${F} inputs, ${H} units)`, () => {
      for (const seed of [4, 5]) {
        const c = cellCase(F, H, seed);
        const { gradX } = c.gradients(true);
        expect(c.worstError(c.xs, gradX)).toBeLessThan(1e-6);
      }
    });
  }

  it('a trace grown mid-sequence keeps the steps it holds', () => {
    const H = 4;
    const { cell, w, xs, T } = cellCase(3, H, 6);
    const whole = new LstmTrace(H);
    whole.ensure(T);
    const grown = new LstmTrace(H);
    for (let t = 0; t < T; t++) {
      cell.forward(w, xs, t * 3, whole, t);
      grown.ensure(t + 1);
      cell.forward(w, xs, t * 3, grown, t);
    }
    expect(Array.from(grown.hs.subarray(0, (T + 1) * H))).toEqual(
      Array.from(whole.hs.subarray(0, (T + 1) * H)),
    );
  });
});

describe('SequenceLstm', () => {
  for (const [reverse, F] of [
    [false, 3],
    [true, 3],
    [false, 5],
  ] as const) {
    it(`gradients match central finite differences (${reverse ? 'backwards' : 'forwards'}, ${F} features)`, () => {
      const H = 5;
      const T = 4;
      const rng = new Rng(reverse ? 8 : 7 + F);
      const params = new ParamVector();
      const n = SequenceLstm.count(F, H);
      params.alloc(n, () => rng.normal() * 0.4);
      const lstm = new SequenceLstm(params, 0, F, H, reverse);
      const xs = randomVector(T * F, rng);
      const r = randomVector(T * H, rng);
      const out = new Float64Array(T * H);
      const loss = (): number => {
        lstm.forward(xs, T, out);
        return out.reduce((s, h, i) => s + h * r[i]!, 0);
      };
      loss();
      params.zeroGrad();
      lstm.backward(r);
      const grad = params.grad.slice(0, n);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const keep = params.values[i]!;
        params.values[i] = keep + EPS;
        const up = loss();
        params.values[i] = keep - EPS;
        const down = loss();
        params.values[i] = keep;
        worst = Math.max(worst, relativeError(grad[i]!, (up - down) / (2 * EPS)));
      }
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it('reads the sequence in the direction asked: backwards equals forwards on the reversed input', () => {
    const F = 2;
    const H = 3;
    const T = 4;
    const rng = new Rng(9);
    const params = new ParamVector();
    params.alloc(SequenceLstm.count(F, H), () => rng.normal() * 0.4);
    const xs = randomVector(T * F, rng);
    const reversed = new Float64Array(T * F);
    for (let t = 0; t < T; t++) reversed.set(xs.subarray(t * F, (t + 1) * F), (T - 1 - t) * F);
    const back = new Float64Array(T * H);
    const fwd = new Float64Array(T * H);
    new SequenceLstm(params, 0, F, H, true).forward(xs, T, back);
    new SequenceLstm(params, 0, F, H, false).forward(reversed, T, fwd);
    for (let t = 0; t < T; t++) {
      expect(Array.from(back.subarray(t * H, (t + 1) * H))).toEqual(
        Array.from(fwd.subarray((T - 1 - t) * H, (T - t) * H)),
      );
    }
  });
});
