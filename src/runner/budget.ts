import type { TrialRecord } from '../core/types.js';
import type { Budget, Progress } from './reporter.js';

/**
 * Tracks the three budgets. A budget is spent once the amount used reaches it; like the NAS-Bench-201
 * reference implementation, the evaluation that crosses a simulated-seconds budget still counts.
 * With concurrency > 1, costs of running trials are unknown until they finish, so a simulated budget can
 * be overshot by up to (concurrency - 1) evaluations.
 */
export class BudgetTracker {
  private trials: number;
  private simulated: number;
  private readonly startedAt = performance.now();

  constructor(
    private readonly budget: Budget,
    trialsSoFar: number,
    simulatedSoFar: number,
  ) {
    this.trials = trialsSoFar;
    this.simulated = simulatedSoFar;
  }

  started(): void {
    this.trials++;
  }

  finished(cost: number): void {
    this.simulated += cost;
  }

  get simulatedSeconds(): number {
    return this.simulated;
  }

  wallSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  exhausted(): boolean {
    const b = this.budget;
    if (b.trials !== undefined && this.trials >= b.trials) return true;
    if (b.simulatedSeconds !== undefined && this.simulated >= b.simulatedSeconds) return true;
    if (b.wallSeconds !== undefined && this.wallSeconds() >= b.wallSeconds) return true;
    return false;
  }

  progress(best: TrialRecord | undefined): Progress {
    const b = this.budget;
    const wall = this.wallSeconds();
    let fraction = 0;
    if (b.trials) fraction = Math.max(fraction, this.trials / b.trials);
    if (b.simulatedSeconds) fraction = Math.max(fraction, this.simulated / b.simulatedSeconds);
    if (b.wallSeconds) fraction = Math.max(fraction, wall / b.wallSeconds);
    return {
      fraction: Math.min(1, fraction),
      trials: this.trials,
      simulatedSeconds: this.simulated,
      wallSeconds: wall,
      best,
    };
  }
}
