import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../src/core/types.js';
import { parseExperimentConfig } from '../src/runner/config.js';
import { resumeExperiment, startExperiment } from '../src/runner/experiment.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { strategyEntry, strategyNames } from '../src/strategy/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-resume-all-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const view = (t: TrialRecord) => [t.number, t.key, t.state, t.score];

async function trials(db: string): Promise<readonly TrialRecord[]> {
  const storage = SqliteStorage.open(db);
  try {
    return await storage.trials('1');
  } finally {
    await storage.close();
  }
}

/**
 * Every strategy's state goes through the SQLite store (JSON, blobs) and back: a search stopped after
 * some trials and resumed in a fresh process state (new strategy object, restored from the store) must
 * end exactly like the uninterrupted search.
 */
// A strategy with its own evaluator trains networks with it (its own test checks its resume, e.g.
// test/enas.test.ts); every other strategy runs on the benchmark, with its example options if it has any.
const onBenchmark = strategyNames().filter((s) => strategyEntry(s).evaluator === undefined);

describe.each(onBenchmark)('resume with %s', (strategy) => {
  it.each([1, 3])('equals the uninterrupted run (concurrency %i)', async (concurrency) => {
    const config = parseExperimentConfig(
      {
        strategy: { name: strategy, options: strategyEntry(strategy).example ?? {} },
        seed: 11,
        concurrency,
        budget: { trials: 120 },
        evaluator: { type: 'benchmark', benchmark: 'nb201' },
      },
      'test',
    );
    const whole = join(dir, `${strategy}-${concurrency}-whole.db`);
    const storage = SqliteStorage.open(whole);
    await startExperiment(config, storage);
    await storage.close();

    const cut = join(dir, `${strategy}-${concurrency}-cut.db`);
    const first = SqliteStorage.open(cut);
    const stop = new AbortController();
    let finished = 0;
    await startExperiment(config, first, {
      signal: stop.signal,
      reporters: [{ onTrialEnd: () => void (++finished === 45 && stop.abort()) }],
    });
    await first.close();
    const partial = await trials(cut);
    expect(partial.length).toBeGreaterThanOrEqual(45);
    expect(partial.length).toBeLessThan(120);

    const second = SqliteStorage.open(cut);
    await resumeExperiment('1', second);
    await second.close();
    expect((await trials(cut)).map(view)).toEqual((await trials(whole)).map(view));
  });
});
