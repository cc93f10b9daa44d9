import { grownF64, grownI32 } from '../../numeric/grow.js';
import { StepTape } from './tape.js';

/**
 * The LSTM's record of one walk, for backpropagation through time: per step the input's offset in the
 * parameter vector, the gate activations (i, f, g, o), tanh(c); hidden and cell states with h0 = c0 = 0
 * at index 0. Sized for the longest walk seen, reused across walks.
 */
export class LstmTape {
  readonly steps = new StepTape();
  xOff = new Int32Array(0);
  gates = new Float64Array(0);
  tcs = new Float64Array(0);
  hs: Float64Array;
  cs: Float64Array;

  constructor(private readonly h: number) {
    this.hs = new Float64Array(h);
    this.cs = new Float64Array(h);
  }

  /** Makes room for `n` steps. */
  ensure(n: number): void {
    if (n <= this.xOff.length) return;
    const size = Math.max(n, 2 * this.xOff.length, 8);
    const H = this.h;
    this.xOff = grownI32(this.xOff, size);
    this.gates = grownF64(this.gates, size * 4 * H);
    this.tcs = grownF64(this.tcs, size * H);

    // States 0..size: h0 and c0 stay zero.
    this.hs = grownF64(this.hs, (size + 1) * H);
    this.cs = grownF64(this.cs, (size + 1) * H);
  }
}
