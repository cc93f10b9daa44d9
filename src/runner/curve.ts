import type { TrialRecord } from '../core/types.js';
import type { Progress, Reporter } from './reporter.js';

/**
 * Mean best-so-far curves over many runs: after evaluation i (1-based), the value of each metric on the
 * architecture that is best by the search signal so far. A run that stopped earlier keeps its final
 * best (the search is over; its answer no longer changes). NaN values (a table's missing test accuracy)
 * are left out of that point's mean.
 */
export interface BestSoFarCurve {
  /** Evaluation counts 1..n. */
  readonly evaluations: readonly number[];
  /** metric -> mean over runs at each evaluation count. */
  readonly mean: Readonly<Record<string, readonly number[]>>;
}

export class CurveRecorder {
  private readonly runs: number[][][] = [];
  private current: number[][] = [];

  constructor(private readonly metrics: readonly string[]) {}

  /** A reporter for one run; call before the run starts. */
  reporter(): Reporter {
    const rows: number[][] = this.metrics.map(() => []);
    this.current = rows;
    this.runs.push(rows);
    return {
      onTrialEnd: (_t: TrialRecord, p: Progress) => {
        for (let m = 0; m < this.metrics.length; m++) {
          (rows[m] as number[]).push(p.best?.metrics[this.metrics[m] as string] ?? NaN);
        }
      },
    };
  }

  curve(): BestSoFarCurve {
    const length = Math.max(0, ...this.runs.map((r) => r[0]?.length ?? 0));
    const mean: Record<string, number[]> = {};
    this.metrics.forEach((name, m) => {
      const out: number[] = [];
      for (let i = 0; i < length; i++) {
        let sum = 0;
        let n = 0;
        for (const run of this.runs) {
          const series = run[m] as number[];
          if (series.length === 0) continue;
          const v = series[Math.min(i, series.length - 1)] as number;
          if (Number.isFinite(v)) {
            sum += v;
            n++;
          }
        }
        out.push(n > 0 ? sum / n : NaN);
      }
      mean[name] = out;
    });
    return { evaluations: Array.from({ length }, (_, i) => i + 1), mean };
  }
}
