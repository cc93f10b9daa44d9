import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArchitectureError } from '../src/core/errors.js';
import type { Evaluator, TrialHandle } from '../src/core/evaluator.js';
import type { Metrics } from '../src/core/types.js';
import { PartsCache } from '../src/dist/parts.js';
import { QueueEvaluator } from '../src/dist/queue-evaluator.js';
import { startWorker, type RunningWorker } from '../src/dist/worker.js';
import { startRedis, type TestRedis } from './redis.testkit.js';

// An in-process worker with a scripted evaluator: reports, the pruner's verdict and errors travel
// through Redis both ways.
const scripted: Evaluator<unknown> = {
  signal: 'acc',
  direction: 'maximize',
  async evaluate(_arch, trial) {
    if (trial.key === 'bad') throw new InvalidArchitectureError('no such cell');
    if (trial.key === 'boom') throw new Error('out of luck');
    let step = 0;
    while (step < 10 && !trial.shouldStop()) await trial.report(++step, { acc: step / 10 });
    return { metrics: { acc: step / 10 }, cost: step };
  },
};
const space = { decode: (s: unknown) => s } as never;

let redis: TestRedis;
let worker: RunningWorker;
let queue: QueueEvaluator;

beforeAll(async () => {
  redis = await startRedis();
  worker = await startWorker({
    url: redis.url,
    concurrency: 2,
    parts: new PartsCache(async () => ({ space, evaluator: scripted })),
  });
  queue = await QueueEvaluator.open({
    url: redis.url,
    experimentId: '1',
    config: {},
    runTag: 'test',
    signal: 'acc',
    direction: 'maximize',
  });
}, 20_000);
afterAll(async () => {
  await queue?.close();
  await worker?.close();
  await redis?.stop();
});

function handle(id: string, key: string, stopAfter = Infinity) {
  const reports: [number, Metrics][] = [];
  const h: TrialHandle = {
    id,
    key,
    sample: { key },
    report: async (step, metrics) => void reports.push([step, metrics]),
    shouldStop: () => reports.length >= stopAfter,
  };
  return { h, reports };
}

describe('QueueEvaluator with a worker', () => {
  it('passes reports back in order and the pruner verdict to the worker', async () => {
    const { h, reports } = handle('1', 'good', 3);
    const result = await queue.evaluate(null, h, new AbortController().signal);
    expect(reports.map(([s]) => s)).toEqual([1, 2, 3]);
    expect(result).toEqual({ metrics: { acc: 0.3 }, cost: 3 });
  });
  it('brings errors back as their class and code', async () => {
    await expect(queue.evaluate(null, handle('2', 'bad').h, new AbortController().signal)).rejects.toThrow(
      InvalidArchitectureError,
    );
    await expect(
      queue.evaluate(null, handle('3', 'boom').h, new AbortController().signal),
    ).rejects.toMatchObject({
      code: 'E_UNKNOWN',
      message: 'out of luck',
    });
  });
  it('re-attaches to a finished job instead of running it again (resume)', async () => {
    const again = handle('1', 'good', 3);
    const result = await queue.evaluate(null, again.h, new AbortController().signal);
    expect(result.metrics).toEqual({ acc: 0.3 });
    expect(again.reports).toEqual([]); // answered from the stored job: nothing ran
  });
});
