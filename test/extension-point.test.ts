import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../src/core/types.js';
import { runBench } from '../src/runner/bench.js';
import { parseExperimentConfig } from '../src/runner/config.js';
import { resumeExperiment, startExperiment } from '../src/runner/experiment.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { strategyNames } from '../src/strategy/registry.js';
import { registerGreedyWalk } from './greedy-walk.testkit.js';

registerGreedyWalk();

const dir = mkdtempSync(join(tmpdir(), 'naslab-extension-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (trials: number) =>
  parseExperimentConfig(
    { strategy: { name: 'test-greedy-walk', options: { explore: 0.3 } }, seed: 5, budget: { trials } },
    'test',
  );

const view = (t: TrialRecord) => `${t.number}:${t.key}:${t.state}:${t.score}`;

describe('a strategy registered from outside the tree', () => {
  it('is listed with the built-in ones', () => {
    expect(strategyNames()).toContain('test-greedy-walk');
  });

  it('runs, and a resumed run equals the uninterrupted one', async () => {
    const whole = SqliteStorage.open(join(dir, 'whole.db'));
    const summary = await startExperiment(config(40), whole);
    const expected = (await whole.trials(summary.experimentId)).map(view);
    await whole.close();
    expect(expected).toHaveLength(40);

    const cut = SqliteStorage.open(join(dir, 'cut.db'));
    const stop = new AbortController();
    let finished = 0;
    const first = await startExperiment(config(40), cut, {
      signal: stop.signal,
      reporters: [{ onTrialEnd: () => void (++finished === 15 && stop.abort()) }],
    });
    expect(first.stopReason).not.toBe('budget');
    await cut.close();
    const reopened = SqliteStorage.open(join(dir, 'cut.db'));
    await resumeExperiment(first.experimentId, reopened);
    expect((await reopened.trials(first.experimentId)).map(view)).toEqual(expected);
    await reopened.close();
  });

  it('runs under bench, and summarises its runs', async () => {
    const result = await runBench({
      benchmark: 'nb201',
      strategy: 'test-greedy-walk',
      options: { explore: 0.3 },
      runs: 3,
      budget: { trials: 30 },
    });
    expect(result.strategy).toBe('test-greedy-walk');
    expect(result.evaluationsPerRun.mean).toBe(30);
    expect(result.metrics['valid_acc_200ep']?.n).toBe(3);
  });
});
