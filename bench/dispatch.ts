/**
 * Trial dispatch through the queue: a coordinator (the real runner, in-memory store, random search on
 * NAS-Bench-201) with a zero-cost evaluator on 1, 2 and 4 worker processes, against a local Redis.
 *
 *   npx tsx bench/dispatch.ts [--trials 1000] [--latency-trials 200] [--concurrency 16]
 *     -> bench/results/dispatch.json
 *
 * overhead   per-trial cost of going through the queue, at concurrency 1 (one trial in flight, so each
 *            trial's round trip is the whole of its time): (queued run - local run) / trials, where the
 *            local run is the same search with the same zero-cost evaluator in the coordinator.
 * throughput trials per second with `concurrency` trials in flight, for each worker count.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Evaluator } from '../src/core/evaluator.js';
import { spawnWorker } from '../src/dist/dist.testkit.js';
import { QueueEvaluator } from '../src/dist/queue-evaluator.js';
import { loadBenchmark } from '../src/evaluate/tabular/index.js';
import { Runner } from '../src/runner/runner.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { createStrategy } from '../src/strategy/registry.js';
import { startRedis } from '../test/redis.testkit.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '1000' },
    'latency-trials': { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '16' },
  },
});
const TRIALS = Number(values.trials);
const LATENCY_TRIALS = Number(values['latency-trials']);
const CONCURRENCY = Number(values.concurrency);

const bench = await loadBenchmark('nb201', { dataset: 'cifar10' });
const zero: Evaluator<unknown> = {
  signal: bench.evaluator.signal,
  direction: bench.evaluator.direction,
  evaluate: async () => ({ metrics: { [bench.evaluator.signal]: 1 }, cost: 0 }),
};

/** Wall seconds of a search of `trials` trials with `evaluator`. */
async function search(evaluator: Evaluator<unknown>, trials: number, concurrency: number): Promise<number> {
  const storage = new MemoryStorage();
  const experiment = await storage.createExperiment('dispatch', {});
  const t0 = performance.now();
  const summary = await new Runner({
    experimentId: experiment.id,
    storage,
    space: bench.space,
    strategy: createStrategy('random', {}, bench.space, 1),
    evaluator,
    budget: { trials },
    concurrency,
    duplicates: 'evaluate', // every trial goes through the evaluator
  }).run();
  if (summary.trials !== trials) throw new Error(`expected ${trials} trials, ran ${summary.trials}`);
  return (performance.now() - t0) / 1000;
}

const redis = await startRedis();
const rows: { workers: number; overheadMs: number; throughput: number }[] = [];
const localLatency = await search(zero, LATENCY_TRIALS, 1);
const localThroughput = TRIALS / (await search(zero, TRIALS, CONCURRENCY));
let run = 0;
try {
  for (const n of [1, 2, 4]) {
    const workers = Array.from({ length: n }, () =>
      spawnWorker(redis.url, { env: { NASLAB_TEST_ZERO: '1' }, lockMs: 30_000 }),
    );
    await Promise.all(workers.map((w) => w.ready));
    // A fresh experiment id per measurement: job ids must not re-attach to the previous run's.
    const open = (): Promise<QueueEvaluator> =>
      QueueEvaluator.open({
        url: redis.url,
        experimentId: `bench${++run}`,
        config: { evaluator: { type: 'benchmark', benchmark: 'nb201', dataset: 'cifar10' } },
        runTag: 'bench',
        signal: zero.signal,
        direction: zero.direction,
      });
    const q1 = await open();
    await search(q1, 20, 1); // warm-up: workers load the table and compile
    const q2 = await open();
    const latency = await search(q2, LATENCY_TRIALS, 1);
    const q3 = await open();
    const throughput = TRIALS / (await search(q3, TRIALS, CONCURRENCY));
    await Promise.all([q1, q2, q3].map((q) => q.close()));
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    rows.push({ workers: n, overheadMs: ((latency - localLatency) / LATENCY_TRIALS) * 1000, throughput });
  }
} finally {
  await redis.stop();
}

console.log(`local (no queue): ${localThroughput.toFixed(0)} trials/s at concurrency ${CONCURRENCY}`);
console.log(
  'workers  overhead ms/trial (concurrency 1)  throughput trials/s (concurrency ' + CONCURRENCY + ')',
);
for (const r of rows) {
  console.log(
    `${String(r.workers).padStart(7)}  ${r.overheadMs.toFixed(2).padStart(31)}  ${r.throughput.toFixed(0).padStart(33)}`,
  );
}
const out = fileURLToPath(new URL('./results/dispatch.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ trials: TRIALS, latencyTrials: LATENCY_TRIALS, concurrency: CONCURRENCY, localThroughput, rows }, null, 2)}\n`,
);
console.log(`wrote ${out}`);
process.exit(0);
