import { LstmTrace } from '../../numeric/lstm.js';
import { grownI32 } from '../../numeric/grow.js';
import { StepTape } from './tape.js';

/**
 * The LSTM policy's record of one walk, for backpropagation through time: the walk's decisions (steps),
 * per step the input's offset in the parameter vector, and the cell's trace (gates, tanh(c), hidden and
 * cell states). Sized for the longest walk seen, reused across walks.
 */
export class LstmTape {
  readonly steps = new StepTape();
  readonly trace: LstmTrace;
  xOff = new Int32Array(0);

  constructor(h: number) {
    this.trace = new LstmTrace(h);
  }

  /** Makes room for `n` steps. */
  ensure(n: number): void {
    if (n <= this.xOff.length) return;
    this.xOff = grownI32(this.xOff, Math.max(n, 2 * this.xOff.length, 8));
    this.trace.ensure(n);
  }
}
