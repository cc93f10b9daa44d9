import { describe, expect, it } from 'vitest';
import type { Metrics, TrialRecord, TrialState } from '../core/types.js';
import { bestTrial, nearLatencyTrial, resolveLatencyMetric } from './best.js';
import { configToJson, parseExperimentConfig } from './config.js';

let n = 0;
function trial(
  score: number | undefined,
  metrics: Metrics,
  state: TrialState = 'complete',
  key?: string,
): TrialRecord {
  const number = n++;
  return {
    id: `t${number}`,
    experimentId: 'x',
    number,
    sample: {},
    key: key ?? `k${number}`,
    state,
    metrics,
    ...(score === undefined ? {} : { score }),
    cost: 0,
    createdAt: 0,
  };
}

describe('best trial', () => {
  const trials = [
    trial(94, { acc: 94, lat: 30 }),
    trial(93, { acc: 93, lat: 10 }),
    trial(90, { acc: 90, lat: 4 }),
    trial(95, { acc: 95, lat: 50 }, 'pruned'),
  ];

  it('is the highest score without an objective, the highest reward with one', () => {
    expect(bestTrial(trials)?.number).toBe(trials[0]?.number);
    const config = parseExperimentConfig(
      { reward: { type: 'mnas', accuracy: 'acc', latency: 'lat', target: 10, variant: 'hard' } },
      'test',
    );
    // hard: 94 x 10/30 = 31.3, 93, 90
    expect(bestTrial(trials, config)?.number).toBe(trials[1]?.number);
    const limited = parseExperimentConfig({ constraints: [{ metric: 'lat', max: 5 }] }, 'test');
    expect(bestTrial(trials, limited)?.number).toBe(trials[2]?.number);
  });

  it('the config keeps reward and constraints through its stored JSON', () => {
    const config = parseExperimentConfig(
      {
        reward: { type: 'mnas', accuracy: 'acc', latency: 'lat', target: 10 },
        constraints: { limits: [{ metric: 'params_M', max: 1 }], policy: 'penalize', penalty: 100 },
      },
      'test',
    );
    const again = parseExperimentConfig(configToJson(config), 'stored');
    expect(again.reward).toEqual({
      type: 'mnas',
      accuracy: 'acc',
      latency: 'lat',
      target: 10,
      variant: 'soft',
    });
    expect(again.constraints).toEqual({
      limits: [{ metric: 'params_M', max: 1 }],
      policy: 'penalize',
      penalty: 100,
    });
    expect(() => parseExperimentConfig({ reward: { type: 'mnas', accuracy: 'acc' } }, 'my.yaml')).toThrow(
      /my.yaml: invalid configuration\n {2}reward\.latency: missing/,
    );
  });
});

describe('trial for a latency budget', () => {
  // Front (score vs lat): 90@4, 93@10, 94@30; 91@12 is dominated by 93@10; the copy of k2 counts once.
  const trials = [
    trial(94, { lat: 30 }),
    trial(93, { lat: 10 }),
    trial(90, { lat: 4 }),
    trial(91, { lat: 12 }),
    trial(90, { lat: 4 }, 'complete', 'k2'),
    trial(99, { lat: 1 }, 'failed'),
  ];

  it('is the slowest front trial within the budget, else the fastest', () => {
    const pick = (ms: number): number | undefined => nearLatencyTrial(trials, ms, 'lat')?.number;
    expect(pick(12)).toBe(trials[1]?.number);
    expect(pick(10)).toBe(trials[1]?.number);
    expect(pick(9.99)).toBe(trials[2]?.number);
    expect(pick(100)).toBe(trials[0]?.number);
    expect(pick(1)).toBe(trials[2]?.number);
    expect(nearLatencyTrial(trials, 10, 'energy')).toBeUndefined();
  });

  it('skips trials a constraint rejects', () => {
    const limited = parseExperimentConfig({ constraints: [{ metric: 'lat', min: 5 }] }, 'test');
    expect(nearLatencyTrial(trials, 8, 'lat', limited)?.number).toBe(trials[1]?.number);
  });

  it('uses the only latency metric, or asks which one', () => {
    expect(resolveLatencyMetric([trial(1, { acc: 1, latency_pixel3_ms: 3 })], undefined)).toBe(
      'latency_pixel3_ms',
    );
    expect(() =>
      resolveLatencyMetric([trial(1, { latency_edgegpu_ms: 1, latency_pixel3_ms: 3 })], undefined),
    ).toThrow(
      /several latency metrics \(latency_edgegpu_ms, latency_pixel3_ms\): choose one with --latency-metric/,
    );
    expect(() => resolveLatencyMetric([trial(1, { acc: 1 })], undefined)).toThrow(/no latency metric/);
    expect(() => resolveLatencyMetric([trial(1, { latency_ms: 2 })], 'lat')).toThrow(
      /--latency-metric lat: no complete trial has this metric; latency metrics here: latency_ms/,
    );
  });
});
