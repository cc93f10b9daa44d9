import { z } from 'zod';
import type { Json } from '../../core/types.js';

export const baselineSchema = z.tuple([z.number(), z.number()]);

/**
 * The exponential moving average of rewards, bias-corrected as in the NAS-Bench-201 REINFORCE code
 * (numerator / denominator, so the first value is the first reward rather than a 0.1 x reward). It is
 * updated with the reward first and the advantage is taken against the updated value, as there and in
 * ENAS.
 */
export class EmaBaseline {
  private numerator = 0;
  private denominator = 0;

  constructor(private readonly momentum: number) {}

  /** Adds the reward to the average; returns reward - average. */
  advantage(reward: number): number {
    this.numerator = this.momentum * this.numerator + (1 - this.momentum) * reward;
    this.denominator = this.momentum * this.denominator + (1 - this.momentum);
    return reward - this.numerator / this.denominator;
  }

  toJSON(): Json {
    return [this.numerator, this.denominator];
  }

  load(saved: z.output<typeof baselineSchema>): void {
    [this.numerator, this.denominator] = saved;
  }
}
