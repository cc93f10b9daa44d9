import { FatalError } from '../core/errors.js';
import {
  shouldStop as curveVerdict,
  type CurveFamilyName,
  type CurvePrunerDecision,
  type CurveWeighting,
} from '../predict/curves/index.js';
import { Curves, type FinishedState, type Pruner, type TrialRef } from './pruner.js';

/** A raw metric's range: values are mapped linearly onto [0, 1] (clamped). */
export interface CurveScale {
  readonly min: number;
  readonly max: number;
}

export interface CurvePruningOptions {
  /** Stop when P(value at targetStep > best final value) is below this. */
  readonly threshold: number;
  /** Reports needed before a curve is judged. */
  readonly minPoints: number;
  /** The step a full trial ends at (the evaluator's epochs): where curves are extrapolated to. */
  readonly targetStep: number;
  /**
   * The watched metric's range when it is not an accuracy in [0, 1]. Reported values reach the pruner
   * "higher is better" (a minimized metric negated), and the scale is in the metric's own units, so
   * `minimize` says how to undo that: the scale's max then maps to 0.
   */
  readonly scale?: CurveScale & { readonly direction: 'maximize' | 'minimize' };
  /** Named in the error when a value falls outside [0, 1] without a scale. */
  readonly metric?: string;
  readonly families?: readonly CurveFamilyName[];
  readonly weighting?: CurveWeighting;
  /** Seeds the fits' random restarts: the same reports give the same verdicts. */
  readonly seed: number;
}

/**
 * Domhan et al.'s (2015) early termination as a pruner: after each report (from `minPoints` on) the
 * trial's curve so far is extrapolated to `targetStep` by the ensemble of curve families
 * (src/predict/curves), and the trial stops when the probability that its final value beats the best
 * final value of the completed trials is under `threshold`. Nothing stops before a trial completed.
 *
 * The families model accuracy-like curves in [0, 1] that rise and saturate; another metric needs a
 * `scale` (a minimized one always: its values reach the pruner negated).
 *
 * The fit is the expensive part (eight families, several restarts), so it is lazy: a report only marks
 * the trial, and the first `shouldStop` after it fits once and keeps the verdict until the next report.
 * Replaying a finished trial's reports on resume therefore fits nothing.
 */
export class CurvePruner implements Pruner {
  readonly type = 'curve';
  private readonly curves = new Curves();
  /** Each running trial's reported steps, ascending (Curves holds the values). */
  private readonly steps = new Map<string, number[]>();
  /** Trials reported to since their last verdict. */
  private readonly pending = new Set<string>();
  private readonly stopped = new Set<string>();
  private readonly decisions = new Map<string, CurvePrunerDecision>();
  /** The best final value (in [0, 1]) of the completed trials. */
  private best: number | undefined;
  /** Curve fits made so far: at most one per report (tests read it). */
  fits = 0;

  constructor(readonly options: CurvePruningOptions) {}

  report(trial: TrialRef, step: number, value: number): void {
    // The families are defined for epochs > 0: a step-0 value (the untrained network) is not a point.
    if (step <= 0) return;
    const steps = this.steps.get(trial.id) ?? [];
    if (!steps.includes(step)) {
      steps.push(step);
      steps.sort((a, b) => a - b);
      this.steps.set(trial.id, steps);
    }
    this.curves.set(trial.id, step, this.toUnit(value, step));
    if (!this.stopped.has(trial.id)) this.pending.add(trial.id);
  }

  shouldStop(trial: TrialRef): boolean {
    if (this.stopped.has(trial.id)) return true;
    if (!this.pending.delete(trial.id)) return false;
    const steps = this.steps.get(trial.id) ?? [];
    const values = steps.map((s) => this.curves.valueAt(trial.id, s)!);
    const { threshold, minPoints, targetStep, families, weighting, seed } = this.options;
    const decision = curveVerdict(values, this.best, targetStep, {
      threshold,
      minPoints,
      epochs: steps,
      ...(families === undefined ? {} : { families: [...families] }),
      ...(weighting === undefined ? {} : { weighting }),
      seed,
    });
    if (decision.prediction !== null) this.fits++;
    this.decisions.set(trial.id, decision);
    if (decision.stop) this.stopped.add(trial.id);
    return decision.stop;
  }

  finish(trial: TrialRef, state: FinishedState): void {
    const steps = this.steps.get(trial.id);
    const last = steps?.at(-1);
    if (state === 'complete' && last !== undefined) {
      const final = this.curves.valueAt(trial.id, last)!;
      if (this.best === undefined || final > this.best) this.best = final;
    }
    // A pruned trial's curve was cut short: its last value is no final value to beat.
    this.curves.delete(trial.id);
    this.steps.delete(trial.id);
    this.pending.delete(trial.id);
    this.stopped.delete(trial.id);
    this.decisions.delete(trial.id);
  }

  /** The best final value of the completed trials, in [0, 1]; undefined before the first. */
  get bestFinal(): number | undefined {
    return this.best;
  }

  /** The last verdict on a running trial, with its prediction (for reporters and tests). */
  decision(trial: TrialRef): CurvePrunerDecision | undefined {
    return this.decisions.get(trial.id);
  }

  /** A reported ("higher is better") value in [0, 1], through the scale when there is one. */
  private toUnit(value: number, step: number): number {
    const scale = this.options.scale;
    if (scale !== undefined) {
      const raw = scale.direction === 'maximize' ? value : -value;
      const unit = (raw - scale.min) / (scale.max - scale.min);
      return Math.min(1, Math.max(0, scale.direction === 'maximize' ? unit : 1 - unit));
    }
    if (!(value >= 0 && value <= 1)) {
      // Every trial would report the same kind of value: the search cannot go on with this config.
      throw new FatalError(
        `pruner.scale: the curve pruner extrapolates accuracies in [0, 1], but ` +
          `"${this.options.metric ?? 'the metric'}" reported ${value} at step ${step}; give its range ` +
          `(e.g. scale: { min: 0, max: 100 } for a percentage) or watch an accuracy`,
      );
    }
    return value;
  }
}
