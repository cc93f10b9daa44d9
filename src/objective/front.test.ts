import { describe, expect, it } from 'vitest';
import type { Metrics, TrialRecord, TrialState } from '../core/types.js';
import { paretoTrials } from './front.js';

function trial(n: number, key: string, metrics: Metrics, state: TrialState = 'complete'): TrialRecord {
  return {
    id: `t${n}`,
    experimentId: 'e',
    number: n,
    sample: {},
    key,
    state,
    metrics,
    cost: 0,
    createdAt: 0,
  };
}

describe('paretoTrials', () => {
  it('returns the non-dominated complete trials, oldest first, each architecture once', () => {
    const objectives = [
      { metric: 'acc', direction: 'maximize' },
      { metric: 'lat', direction: 'minimize' },
    ] as const;
    const history = [
      trial(0, 'a', { acc: 90, lat: 5 }),
      trial(1, 'b', { acc: 85, lat: 2 }),
      trial(2, 'c', { acc: 84, lat: 3 }), // dominated by b
      trial(3, 'd', { acc: 99, lat: 1 }, 'invalid'),
      trial(4, 'e', { acc: 95 }), // no latency
      trial(5, 'a', { acc: 90, lat: 5 }), // a again
      trial(6, 'f', { acc: 92, lat: 5 }), // dominates a
    ];
    expect(paretoTrials(history, objectives).map((t) => t.id)).toEqual(['t1', 't6']);
    expect(paretoTrials(history.slice(0, 6), objectives).map((t) => t.id)).toEqual(['t0', 't1']);
    expect(paretoTrials([], objectives)).toEqual([]);
  });
});
