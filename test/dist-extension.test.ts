import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSearch, spawnWorker, tabularConfig, view, type TestWorker } from '../src/dist/dist.testkit.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { registerGreedyWalk } from './greedy-walk.testkit.js';
import { startRedis, type TestRedis } from './redis.testkit.js';

// A strategy registered only in the tests runs its trials on queue workers like a built-in one: the
// coordinator proposes through the registry, the workers only evaluate.
registerGreedyWalk();

let redis: TestRedis;
let workers: TestWorker[] = [];

beforeAll(async () => {
  redis = await startRedis();
  workers = [0, 1].map(() => spawnWorker(redis.url));
  await Promise.all(workers.map((w) => w.ready));
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await redis?.stop();
});

it('a strategy defined in a test file searches through the queue, trial for trial as in one process', async () => {
  const config = tabularConfig({
    strategy: { name: 'test-greedy-walk', options: { explore: 0.3 } },
    concurrency: 1,
    seed: 9,
  });
  const reference = new MemoryStorage();
  const single = await runSearch(config, reference);
  const storage = new MemoryStorage();
  const queued = await runSearch(config, storage, { url: redis.url, pollMs: 300 });
  expect(queued.stopReason).toBe('budget');
  expect(view(await storage.trials(queued.experimentId))).toEqual(
    view(await reference.trials(single.experimentId)),
  );
}, 240_000);
