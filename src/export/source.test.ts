import { describe, expect, it } from 'vitest';
import type { SpaceSpec } from '../core/space.js';
import type { Metrics, Sample } from '../core/types.js';
import { configToJson, parseExperimentConfig } from '../runner/config.js';
import { createSpace } from '../space/registry.js';
import { enumerate } from '../space/walk.js';
import { MemoryStorage } from '../storage/memory.js';
import { SMALL_TRAIN_CONFIG } from './experiment.testkit.js';
import { exportSource } from './source.js';

/**
 * A training experiment whose trials are written straight into the store (nothing trained): the
 * selection only reads their metrics.
 */
async function experiment(
  extra: object,
  trials: readonly Metrics[],
): Promise<{ storage: MemoryStorage; id: string }> {
  const config = parseExperimentConfig({ ...SMALL_TRAIN_CONFIG, ...extra }, 'test');
  const storage = new MemoryStorage();
  const { id } = await storage.createExperiment('latency', configToJson(config));
  const space = createSpace(SMALL_TRAIN_CONFIG.space as SpaceSpec);
  // Distinct architectures: an architecture evaluated twice counts once on a front.
  const samples = enumerate(space, 10_000);
  for (const [i, metrics] of trials.entries()) {
    const sample = samples[i] as Sample;
    const t = await storage.createTrial(id, { sample, key: space.key(sample) });
    await storage.finish(t.id, { state: 'complete', metrics, score: metrics.acc as number, cost: 0 });
  }
  return { storage, id };
}

// Front: 0.80 @ 2 ms, 0.85 @ 5 ms, 0.90 @ 12 ms; 0.82 @ 6 ms is dominated.
const TRIALS: Metrics[] = [
  { acc: 0.9, latency_ms: 12 },
  { acc: 0.8, latency_ms: 2 },
  { acc: 0.82, latency_ms: 6 },
  { acc: 0.85, latency_ms: 5 },
];

describe('export source: which trial', () => {
  it('--near-latency: the front trial closest to the budget, not above it if one fits', async () => {
    const { storage, id } = await experiment({}, TRIALS);
    const number = async (ms: number): Promise<number> =>
      (await exportSource(storage, id, { nearLatency: ms })).trial.number;
    expect(await number(6)).toBe(3);
    expect(await number(11.9)).toBe(3);
    expect(await number(12)).toBe(0);
    expect(await number(1)).toBe(1);
    expect((await exportSource(storage, id)).trial.number).toBe(0);
    await expect(
      exportSource(storage, id, { nearLatency: 5, latencyMetric: 'latency_pixel3_ms' }),
    ).rejects.toThrow(
      /--latency-metric latency_pixel3_ms: no complete trial has this metric; latency metrics here: latency_ms/,
    );
  });

  it('ranks the default best by the experiment reward, and skips rejected trials', async () => {
    const { storage, id } = await experiment(
      {
        reward: { type: 'mnas', accuracy: 'acc', latency: 'latency_ms', target: 5, variant: 'hard' },
        constraints: [{ metric: 'latency_ms', min: 3 }],
      },
      TRIALS,
    );
    // hard MnasNet at T = 5: 0.9 x 5/12 = 0.375, 0.8 (rejected: under 3 ms), 0.82 x 5/6 = 0.68, 0.85
    expect((await exportSource(storage, id)).trial.number).toBe(3);
    expect((await exportSource(storage, id, { nearLatency: 2.5 })).trial.number).toBe(3);
  });
});
