import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialHandle } from '../src/core/evaluator.js';
import { spawnWorker, type TestWorker } from '../src/dist/dist.testkit.js';
import { buildParts, storedConfig } from '../src/runner/experiment.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { finished, startCli } from './cli.testkit.js';
import { startRedis, type TestRedis } from './redis.testkit.js';

// Several coordinators on one queue, each with its own store. Every new store numbers its experiments
// and trials from 1, so local ids collide between them: nothing they put in Redis may be keyed by
// those ids alone.
let redis: TestRedis;
let workers: TestWorker[] = [];
const dir = mkdtempSync(join(tmpdir(), 'naslab-dist-stores-'));

beforeAll(async () => {
  redis = await startRedis();
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once the store at `db` has `n` trials (the coordinator has queued them). */
async function whenQueued(db: string, n: number): Promise<void> {
  for (;;) {
    try {
      const raw = new Database(db, { readonly: true, fileMustExist: true });
      try {
        const { count } = raw.prepare('SELECT count(*) AS count FROM trials').get() as { count: number };
        if (count >= n) return;
      } finally {
        raw.close();
      }
    } catch {
      // not created yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every trial of the store's experiment 1 carries the table's row for its own architecture. */
async function expectOwnMetrics(db: string, trials: number): Promise<void> {
  const storage = SqliteStorage.open(db);
  try {
    const experiment = await storage.experiment('1');
    const { space, evaluator } = await buildParts(storedConfig(experiment.config, experiment.id));
    const stored = await storage.trials('1');
    expect(stored).toHaveLength(trials);
    const wrong: string[] = [];
    for (const t of stored) {
      const handle: TrialHandle = {
        id: t.id,
        sample: t.sample,
        key: t.key,
        report: async () => undefined,
        shouldStop: () => false,
      };
      const own = await evaluator.evaluate(space.decode(t.sample), handle, new AbortController().signal);
      if (t.state !== 'complete' || JSON.stringify(t.metrics) !== JSON.stringify(own.metrics)) {
        wrong.push(`#${t.number} ${t.state} ${t.key}: ${JSON.stringify(t.metrics)}`);
      }
    }
    expect(wrong).toEqual([]);
  } finally {
    await storage.close();
  }
}

describe('two coordinators, two stores, one queue', () => {
  it('runs at once: every trial of each store carries its own metrics', async () => {
    const trials = 200;
    const run = (seed: number, db: string) =>
      finished(
        startCli([
          'run',
          '--strategy',
          'random',
          '--trials',
          String(trials),
          '--seed',
          String(seed),
          '--queue',
          redis.url,
          '--concurrency',
          '2',
          '--db',
          db,
          '--quiet',
        ]),
      );
    const [a, b] = [join(dir, 'a.db'), join(dir, 'b.db')];
    const runs = Promise.all([run(3, a), run(4, b)]);
    // Both coordinators queue their first trials (experiment 1, trials 1 and 2 in each store) before
    // any worker takes one, so their jobs are in Redis side by side; then the workers start.
    await Promise.all([whenQueued(a, 2), whenQueued(b, 2)]);
    workers = [0, 1].map(() => spawnWorker(redis.url, { lockMs: 10_000 }));
    await Promise.all(workers.map((w) => w.ready));
    const results = await runs;
    expect(results.map((r) => [r.code, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    // Both stores are new: both searches are experiment 1 with trials 1..200, the same ids.
    await expectOwnMetrics(a, trials);
    await expectOwnMetrics(b, trials);
  }, 720_000);
});
