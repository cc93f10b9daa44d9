import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connect, disconnect, parseQueueUrl } from '../src/dist/connection.js';
import { spawnWorker, runSearch, tabularConfig, view, type TestWorker } from '../src/dist/dist.testkit.js';
import { DEFAULT_QUEUE_NAME } from '../src/dist/protocol.js';
import type { TrialRecord } from '../src/core/types.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { startRedis, type TestRedis } from './redis.testkit.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-dist-faults-'));
let redis: TestRedis | undefined;
let workers: TestWorker[] = [];

afterEach(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  workers = [];
  await redis?.stop();
  redis = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startWorkers(n: number, env: Record<string, string>): Promise<TestWorker[]> {
  workers = Array.from({ length: n }, () => spawnWorker(redis!.url, { env, lockMs: 1000 }));
  await Promise.all(workers.map((w) => w.ready));
  return workers;
}

async function whenFinished(storage: SqliteStorage, count: number): Promise<void> {
  for (;;) {
    const trials = await storage.trials('1').catch(() => [] as TrialRecord[]);
    if (trials.filter((t) => t.finishedAt !== undefined).length >= count) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function reference(config: ReturnType<typeof tabularConfig>): Promise<string[]> {
  const storage = new MemoryStorage();
  const summary = await runSearch(config, storage);
  return view(await storage.trials(summary.experimentId));
}

/** Every trial finished once, all complete, and the same trials as the single-process run. */
async function expectWhole(storage: SqliteStorage, expected: string[]): Promise<void> {
  const trials = await storage.trials('1');
  expect(trials).toHaveLength(60);
  expect(new Set(trials.map((t) => t.number)).size).toBe(60);
  expect(trials.filter((t) => t.state !== 'complete').map((t) => t.error)).toEqual([]);
  expect(view(trials)).toEqual(expected);
}

describe('fault handling', () => {
  it('a worker killed (kill -9) mid-trial: its trial runs again elsewhere, one result each', async () => {
    redis = await startRedis();
    const [victim] = await startWorkers(3, { NASLAB_TEST_DELAY_MS: '150' });
    const config = tabularConfig();
    const storage = SqliteStorage.open(join(dir, 'kill.db'));
    const run = runSearch(config, storage, { url: redis.url, pollMs: 300 });
    // Six trials in flight for three workers: each always has one in hand, so the kill lands mid-trial.
    await whenFinished(storage, 10);
    victim!.child.kill('SIGKILL');
    const summary = await run;
    expect(summary.stopReason).toBe('budget');
    await expectWhole(storage, await reference(config));
    const best = (await storage.trials('1')).reduce((a, b) => ((b.score ?? -1) > (a.score ?? -1) ? b : a));
    expect(summary.best?.key).toBe(best.key);
    await storage.close();

    // The killed worker's trial was started twice: stalled-job detection handed it on.
    const client = connect(parseQueueUrl(redis.url));
    const queue = new Queue(DEFAULT_QUEUE_NAME, { connection: client });
    const restarted = (await queue.getCompleted(0, 100)).filter((j) => j.attemptsStarted > 1);
    await queue.close();
    await disconnect(client);
    expect(restarted.length).toBeGreaterThanOrEqual(1);
  }, 240_000);

  it('Redis killed and restarted empty mid-run: the coordinator adds the lost jobs again', async () => {
    // Persistence off: the restart loses every queued job, lock and event, the hardest case.
    redis = await startRedis();
    await startWorkers(3, { NASLAB_TEST_DELAY_MS: '100' });
    const config = tabularConfig({ seed: 23 });
    const storage = SqliteStorage.open(join(dir, 'restart.db'));
    const run = runSearch(config, storage, { url: redis.url, pollMs: 300 });
    await whenFinished(storage, 15);
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    const summary = await run;
    expect(summary.stopReason).toBe('budget');
    await expectWhole(storage, await reference(config));
    await storage.close();
  }, 240_000);

  it('a trial that crashes every worker it runs on fails after 3 starts; the search goes on', async () => {
    redis = await startRedis();
    // Four workers: three die on the poison trial, the fourth sees its fourth start and fails it.
    await startWorkers(4, { NASLAB_TEST_CRASH_TRIAL: '5' });
    const config = tabularConfig({ budget: { trials: 12 }, concurrency: 2 });
    const storage = SqliteStorage.open(join(dir, 'poison.db'));
    const summary = await runSearch(config, storage, { url: redis.url, pollMs: 300, attempts: 3 });
    const trials = await storage.trials('1');
    await storage.close();
    expect(summary.stopReason).toBe('budget');
    expect(trials).toHaveLength(12);
    const poison = trials.find((t) => t.id === '5');
    expect(poison?.state).toBe('failed');
    expect(poison?.error?.message).toMatch(/started 3 times without an answer/);
    expect(trials.filter((t) => t.id !== '5').every((t) => t.state === 'complete')).toBe(true);
    expect(workers.filter((w) => w.child.signalCode === 'SIGKILL')).toHaveLength(3);
  }, 240_000);

  it('a trial over the per-trial timeout is recorded failed', async () => {
    redis = await startRedis();
    await startWorkers(1, { NASLAB_TEST_DELAY_MS: '3000' });
    const config = tabularConfig({ budget: { trials: 2 }, concurrency: 2 });
    const storage = new MemoryStorage();
    const summary = await runSearch(config, storage, { url: redis.url, timeoutMs: 200 });
    const trials = await storage.trials(summary.experimentId);
    expect(trials.map((t) => t.state)).toEqual(['failed', 'failed']);
    expect(trials[0]?.error?.message).toMatch(/timed out after 200 ms/);
  }, 120_000);
});
