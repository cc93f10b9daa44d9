/**
 * A worker process for the distributed tests and the dispatch benchmark, with hooks the real command
 * does not offer, set by environment variables:
 *   NASLAB_TEST_DELAY_MS=n     every trial takes n ms longer (so a kill lands mid-trial)
 *   NASLAB_TEST_CRASH_TRIAL=id the trial with this id kills its worker (kill -9 of itself)
 *   NASLAB_TEST_ZERO=1         the evaluator answers at once without looking anything up
 *   NASLAB_TEST_ANNOUNCE=1     prints "start <trial id>" on stdout as each evaluation starts
 * Usage: node --import tsx src/dist/test-worker.ts <redis-url> [concurrency] [lockMs]
 */
import type { Evaluator } from '../core/evaluator.js';
import { loadBenchmark } from '../evaluate/tabular/index.js';
import { PartsCache, buildWorkerParts } from './parts.js';
import { startWorker } from './worker.js';

function wrap(inner: Evaluator<unknown>): Evaluator<unknown> {
  const delay = Number(process.env.NASLAB_TEST_DELAY_MS ?? 0);
  const crash = process.env.NASLAB_TEST_CRASH_TRIAL;
  const zero = process.env.NASLAB_TEST_ZERO === '1';
  const announce = process.env.NASLAB_TEST_ANNOUNCE === '1';
  return {
    signal: inner.signal,
    direction: inner.direction,
    async evaluate(arch, trial, signal) {
      if (announce) process.stdout.write(`start ${trial.id}\n`);
      if (trial.id === crash) process.kill(process.pid, 'SIGKILL');
      if (zero) return { metrics: { [inner.signal]: 1 }, cost: 0 };
      if (delay > 0) {
        // A stop (the worker leaving) ends the wait, as a real evaluator's training would end.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
      return inner.evaluate(arch, trial, signal);
    },
  };
}

const [url, concurrency = '1', lockMs = '1000'] = process.argv.slice(2);
if (url === undefined) throw new Error('usage: test-worker.ts <redis-url> [concurrency] [lockMs]');
// Loaded before taking jobs: parsing the table blocks the event loop longer than the tests' short
// locks (1 s), which would hand the first trials to other workers.
await loadBenchmark('nb201', { dataset: 'cifar10' });
const parts = new PartsCache(async (json, id) => {
  const built = await buildWorkerParts(json, id);
  return { space: built.space, evaluator: wrap(built.evaluator) };
});
const worker = await startWorker({ url, concurrency: Number(concurrency), lockMs: Number(lockMs), parts });
process.stdout.write('ready\n');
// The process then ends on its own: anything the worker left running would keep it alive, and the
// tests that stop a worker would see it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void worker.close());
