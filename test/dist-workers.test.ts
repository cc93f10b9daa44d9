import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnWorker, runSearch, tabularConfig, view, type TestWorker } from '../src/dist/dist.testkit.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { startRedis, type TestRedis } from './redis.testkit.js';

// One coordinator and three worker processes on a throwaway redis-server (with a password, as a
// multi-machine setup would have).
let redis: TestRedis;
let workers: TestWorker[] = [];
const dir = mkdtempSync(join(tmpdir(), 'naslab-dist-'));

beforeAll(async () => {
  redis = await startRedis({ password: 's3cret/pw' });
  workers = [0, 1, 2].map(() => spawnWorker(redis.url));
  await Promise.all(workers.map((w) => w.ready));
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('one coordinator, three worker processes', () => {
  it('random search at concurrency 6: the same trials and best as a single-process run', async () => {
    // Random proposals do not depend on results, so whatever order the workers answer in, the
    // trials (number, architecture, score) are those of the single-process run with the seed.
    const config = tabularConfig({ strategy: { name: 'random' }, seed: 11 });
    const reference = new MemoryStorage();
    const single = await runSearch(config, reference);

    const storage = SqliteStorage.open(join(dir, 'random.db'));
    const summary = await runSearch(config, storage, { url: redis.url, pollMs: 300 });
    const trials = await storage.trials(summary.experimentId);
    await storage.close();

    expect(summary.stopReason).toBe('budget');
    expect(trials).toHaveLength(60);
    expect(trials.every((t) => t.state === 'complete' && t.finishedAt !== undefined)).toBe(true);
    expect(new Set(trials.map((t) => t.number)).size).toBe(60);
    expect(view(trials)).toEqual(view(await reference.trials(single.experimentId)));
    expect(summary.best?.key).toBe(single.best?.key);
    expect(summary.best?.score).toBe(single.best?.score);
  }, 240_000);

  it('evolution at concurrency 1: the very same sequence as a single-process run', async () => {
    // Evolution learns from each answer, so the order matters: one trial at a time makes it fixed.
    const config = tabularConfig({
      strategy: { name: 'evolution', options: { population: 10, sample: 5 } },
      concurrency: 1,
      seed: 5,
    });
    const reference = new MemoryStorage();
    const single = await runSearch(config, reference);
    const storage = SqliteStorage.open(join(dir, 'evolution.db'));
    const summary = await runSearch(config, storage, { url: redis.url, pollMs: 300 });
    const trials = await storage.trials(summary.experimentId);
    await storage.close();

    const ordered = (ts: typeof trials) => ts.map((t) => [t.number, t.key, t.score]);
    expect(trials).toHaveLength(60);
    expect(ordered(trials)).toEqual(ordered(await reference.trials(single.experimentId)));
    expect(summary.best?.key).toBe(single.best?.key);
  }, 240_000);
});
