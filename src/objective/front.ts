import type { TrialRecord } from '../core/types.js';
import { toMinimization, type Objective } from './objectives.js';
import { paretoFront } from './pareto.js';

/**
 * The trials on the Pareto front of a history, oldest first. Only complete trials with every objective
 * metric count; an architecture evaluated twice counts once (its first trial), so a reused duplicate
 * does not show up as a second point.
 */
export function paretoTrials(
  history: readonly TrialRecord[],
  objectives: readonly Objective[],
): TrialRecord[] {
  const trials: TrialRecord[] = [];
  const points: number[][] = [];
  const keys = new Set<string>();
  for (const trial of history) {
    if (trial.state !== 'complete' || keys.has(trial.key)) continue;
    const point = toMinimization(trial.metrics, objectives);
    if (point === undefined) continue;
    keys.add(trial.key);
    trials.push(trial);
    points.push(point);
  }
  return paretoFront(points).map((i) => trials[i] as TrialRecord);
}
