import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SpaceSpec } from '../core/space.js';
import type { TrialRecord } from '../core/types.js';
import { runCli } from '../../test/cli.testkit.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { search, type TrialContext } from './search.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Three layers, each a width and an activation: 4^3 * 2^3 = 512 architectures. */
const SPACE: SpaceSpec = {
  type: 'declared',
  name: 'mlp-widths',
  decisions: [1, 2, 3].flatMap((l) => [
    { name: `width${l}`, choices: [16, 32, 64, 128] },
    { name: `act${l}`, choices: ['relu', 'tanh'] },
  ]),
};

/**
 * A deterministic stand-in for training, reading the trial's decisions: wider relu layers score higher,
 * reported over 5 epochs.
 */
async function train(trial: TrialContext): Promise<{ score: number; epochs: number }> {
  const arch = trial.sample;
  const widths = [1, 2, 3].map((l) => Number(arch[`width${l}`]));
  const relus = [1, 2, 3].filter((l) => arch[`act${l}`] === 'relu').length;
  const final = widths.reduce((a, w) => a + Math.log2(w), 0) / 21 + relus * 0.05;
  let epochs = 0;
  for (let step = 1; step <= 5; step++) {
    if (trial.shouldStop()) break;
    epochs = step;
    await trial.report(step, { score: (final * step) / 5 });
  }
  return { score: final, epochs };
}

const view = (t: TrialRecord) => `${t.number}:${t.key}:${t.state}:${t.score}`;

describe('search() from code', () => {
  it('runs a strategy over a space in code with a TS evaluate function, in memory', async () => {
    const result = await search({
      space: SPACE,
      strategy: { name: 'evolution', options: { population: 8, sample: 3 } },
      evaluate: (_arch, trial) => train(trial),
      budget: { trials: 40 },
      seed: 1,
    });
    expect(result.stopReason).toBe('budget');
    expect(result.trials).toHaveLength(40);
    const best = Math.max(...result.trials.map((t) => t.metrics['score'] ?? -Infinity));
    expect(result.best?.metrics['score']).toBe(best);
  });

  it('stores in SQLite with a pruner acting on the reports; naslab show prints the best trial', async () => {
    const db = join(dir, 'pruned.db');
    const result = await search({
      space: SPACE,
      strategy: 'random',
      evaluate: (_arch, trial) => train(trial),
      pruner: { type: 'median', startupTrials: 3 },
      budget: { trials: 20 },
      storage: db,
      name: 'from-code',
    });
    const pruned = result.trials.filter((t) => (t.metrics['epochs'] ?? 5) < 5);
    expect(pruned.length).toBeGreaterThan(0);
    const shown = await runCli(['show', result.experimentId, '--db', db]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('from-code');
    expect(shown.stdout).toContain(`architecture: ${result.best?.key}`);
    const listed = await runCli(['ls', '--db', db]);
    expect(listed.stdout).toContain('code:function');
  });

  it('a stopped search resumed from code ends equal to an uninterrupted one', async () => {
    const options = {
      space: SPACE,
      strategy: 'reinforce',
      evaluate: (_arch: unknown, trial: TrialContext) => train(trial),
      budget: { trials: 30 },
      seed: 4,
    } as const;
    const whole = await search({ ...options, storage: join(dir, 'whole.db') });

    const stop = new AbortController();
    let finished = 0;
    const cutDb = join(dir, 'cut.db');
    const first = await search({
      ...options,
      storage: cutDb,
      abortSignal: stop.signal,
      reporters: [{ onTrialEnd: () => void (++finished === 12 && stop.abort()) }],
    });
    expect(first.trials.filter((t) => t.state === 'complete').length).toBeLessThan(30);
    const resumed = await search({ ...options, storage: cutDb, resume: first.experimentId });
    expect(resumed.trials.map(view)).toEqual(whole.trials.map(view));
  });

  it('a throwing function or a missing signal fails that trial only, with the reason', async () => {
    const storage = SqliteStorage.open(join(dir, 'failing.db'));
    try {
      let calls = 0;
      const result = await search({
        space: SPACE,
        strategy: 'random',
        evaluate: () => {
          calls++;
          if (calls === 2) throw new Error('out of GPU memory');
          if (calls === 3) return { accuracy: 0.5 };
          return calls;
        },
        budget: { trials: 5 },
        storage,
      });
      expect(result.trials.map((t) => t.state)).toEqual([
        'complete',
        'failed',
        'failed',
        'complete',
        'complete',
      ]);
      expect(result.trials[1]?.error?.message).toContain('out of GPU memory');
      expect(result.trials[2]?.error?.message).toContain('no number for the signal "score"');
    } finally {
      await storage.close();
    }
  });
});
