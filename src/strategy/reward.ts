import type { Json } from '../core/types.js';

/**
 * Scores come in the signal's own units (accuracy in percent, negated latency...). Agents whose constants
 * assume rewards in [0, 1] (UCB's exploration constant, MetaQNN's Q initialisation) map scores through the
 * range observed so far. The state is two numbers, saved with the strategy.
 */
export class RunningRange {
  private min = Infinity;
  private max = -Infinity;

  observe(score: number): void {
    if (!Number.isFinite(score)) return;
    if (score < this.min) this.min = score;
    if (score > this.max) this.max = score;
  }

  /** In [0, 1]; 0.5 until two different scores have been seen. */
  normalize(score: number): number {
    if (!(this.max > this.min)) return 0.5;
    const x = (score - this.min) / (this.max - this.min);
    return x < 0 ? 0 : x > 1 ? 1 : x;
  }

  toJSON(): Json {
    return Number.isFinite(this.min) ? [this.min, this.max] : null;
  }

  static fromJSON(value: unknown): RunningRange {
    const range = new RunningRange();
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) {
      range.min = value[0] as number;
      range.max = value[1] as number;
    }
    return range;
  }
}
