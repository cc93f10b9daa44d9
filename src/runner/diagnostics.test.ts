import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../storage/memory.js';
import { parseExperimentConfig } from './config.js';
import { startExperiment } from './experiment.js';

describe("the strategy's diagnostics", () => {
  it('are stored as step 0 of each trial: reward, EMA baseline and walk entropy (reinforce)', async () => {
    const storage = new MemoryStorage();
    const config = parseExperimentConfig(
      { strategy: 'reinforce', seed: 3, budget: { trials: 6 }, evaluator: { type: 'benchmark' } },
      'test',
    );
    const summary = await startExperiment(config, storage);
    const trials = await storage.trials(summary.experimentId);
    expect(trials).toHaveLength(6);
    let previousBaseline: number | undefined;
    for (const t of trials) {
      const reports = await storage.reports(t.id);
      const step0 = reports.find((r) => r.step === 0);
      expect(step0).toBeDefined();
      const m = step0?.metrics ?? {};
      expect(m['reward']).toBe(t.score);
      // Six decisions of five choices: the walk's entropy lies in (0, 6 ln 5].
      expect(m['entropy']).toBeGreaterThan(0);
      expect(m['entropy']).toBeLessThanOrEqual(6 * Math.log(5) + 1e-9);
      if (previousBaseline !== undefined) expect(m['baseline']).not.toBe(previousBaseline);
      previousBaseline = m['baseline'];
    }
  });

  it('are not recorded for strategies without a learner to show (evolution)', async () => {
    const storage = new MemoryStorage();
    const config = parseExperimentConfig(
      { strategy: 'evolution', seed: 3, budget: { trials: 4 }, evaluator: { type: 'benchmark' } },
      'test',
    );
    const summary = await startExperiment(config, storage);
    for (const t of await storage.trials(summary.experimentId)) {
      expect(await storage.reports(t.id)).toEqual([]);
    }
  });
});
