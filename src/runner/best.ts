import type { TrialRecord } from '../core/types.js';

/** The complete trial with the highest score (scores are "higher is better"); the first on a tie. */
export function bestTrial(trials: readonly TrialRecord[]): TrialRecord | undefined {
  let best: TrialRecord | undefined;
  for (const t of trials) {
    if (t.state !== 'complete' || t.score === undefined) continue;
    if (best === undefined || t.score > (best.score ?? -Infinity)) best = t;
  }
  return best;
}
