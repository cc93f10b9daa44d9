import { ConfigError } from '../core/errors.js';
import type { TrialRecord } from '../core/types.js';
import { toMinimization } from '../objective/objectives.js';
import { paretoFront } from '../objective/pareto.js';
import { hasRewardObjective, trialReward, type RewardObjective } from '../strategy/reward-objective.js';

/**
 * The complete trial with the highest score (scores are "higher is better"); the first on a tie. With
 * the experiment's reward objective (config `reward` / `constraints`), the highest reward among the
 * feasible trials instead: the one the search was steering towards.
 */
export function bestTrial(
  trials: readonly TrialRecord[],
  objective: RewardObjective = {},
): TrialRecord | undefined {
  const scored = hasRewardObjective(objective);
  let best: TrialRecord | undefined;
  let bestValue = -Infinity;
  for (const t of trials) {
    if (t.state !== 'complete') continue;
    const value = scored ? trialReward(t, objective) : t.score;
    if (value === undefined || Number.isNaN(value)) continue;
    if (best === undefined || value > bestValue) {
      best = t;
      bestValue = value;
    }
  }
  return best;
}

/** Metric names that look like a latency in milliseconds (`latency_ms`, `latency_pixel3_ms`...). */
export function latencyMetrics(trials: readonly TrialRecord[]): string[] {
  const names = new Set<string>();
  for (const t of trials) for (const m of Object.keys(t.metrics)) if (/latency.*_ms$/.test(m)) names.add(m);
  return [...names].sort();
}

/** Which latency metric to use: the one asked for, or the only latency metric the trials carry. */
export function resolveLatencyMetric(trials: readonly TrialRecord[], asked: string | undefined): string {
  const found = latencyMetrics(trials);
  if (asked !== undefined) {
    if (!trials.some((t) => t.state === 'complete' && Number.isFinite(t.metrics[asked] ?? NaN))) {
      throw new ConfigError(
        `--latency-metric ${asked}: no complete trial has this metric` +
          (found.length > 0 ? `; latency metrics here: ${found.join(', ')}` : ''),
      );
    }
    return asked;
  }
  if (found.length === 1) return found[0] as string;
  throw new ConfigError(
    found.length === 0
      ? 'the trials carry no latency metric (a name like latency_ms): name one with --latency-metric'
      : `the trials carry several latency metrics (${found.join(', ')}): choose one with --latency-metric`,
  );
}

/**
 * The trial for a latency budget: on the front of the search signal (trial.score, higher better)
 * against `metric` (lower better), among the trials the objective's constraints accept, the slowest
 * trial within the budget, which on a front is also the best scoring one that fits; if none fits, the
 * fastest trial on the front (the closest above the budget). An architecture evaluated twice counts
 * once. Undefined when no complete trial has a score and the metric.
 */
export function nearLatencyTrial(
  trials: readonly TrialRecord[],
  budgetMs: number,
  metric: string,
  objective: RewardObjective = {},
): TrialRecord | undefined {
  const candidates: TrialRecord[] = [];
  const points: number[][] = [];
  const keys = new Set<string>();
  for (const t of trials) {
    if (t.state !== 'complete' || keys.has(t.key)) continue;
    // Trials the objective rejects (a broken constraint) are not candidates.
    if (hasRewardObjective(objective) && trialReward(t, objective) === undefined) continue;
    const score = t.score;
    if (score === undefined) continue;
    const point = toMinimization({ score, latency: t.metrics[metric] ?? NaN }, [
      { metric: 'score', direction: 'maximize' },
      { metric: 'latency', direction: 'minimize' },
    ]);
    if (point === undefined) continue;
    keys.add(t.key);
    candidates.push(t);
    points.push(point);
  }
  const front = paretoFront(points).map((i) => ({
    trial: candidates[i] as TrialRecord,
    at: points[i] as number[],
  }));
  if (front.length === 0) return undefined;
  const latency = (f: { at: number[] }): number => f.at[1] as number;
  const within = front.filter((f) => latency(f) <= budgetMs);
  const pool = within.length > 0 ? within : front;
  const pick = pool.reduce((a, b) => {
    const closer = within.length > 0 ? latency(b) > latency(a) : latency(b) < latency(a);
    return closer ? b : a;
  });
  return pick.trial;
}
