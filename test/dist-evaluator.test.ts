import { Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArchitectureError } from '../src/core/errors.js';
import type { Evaluator, TrialHandle } from '../src/core/evaluator.js';
import type { Metrics } from '../src/core/types.js';
import { connect, disconnect, parseQueueUrl } from '../src/dist/connection.js';
import { PartsCache } from '../src/dist/parts.js';
import { identityOf, type TrialJob } from '../src/dist/protocol.js';
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
  it('a restarted coordinator of the same store re-attaches; one of another store runs its own trial', async () => {
    const open = (runTag: string) =>
      QueueEvaluator.open({
        url: redis.url,
        experimentId: '1',
        config: {},
        runTag,
        signal: 'acc',
        direction: 'maximize',
      });
    const restarted = await open('test');
    const other = await open('another store');
    try {
      expect(restarted.coordinator).not.toBe(queue.coordinator);
      const again = handle('1', 'good', 3);
      expect((await restarted.evaluate(null, again.h, new AbortController().signal)).metrics).toEqual({
        acc: 0.3,
      });
      expect(again.reports).toEqual([]);
      // Experiment 1, trial 1 too, but of another store: never the first store's answer.
      const theirs = handle('1', 'good', 5);
      expect((await other.evaluate(null, theirs.h, new AbortController().signal)).metrics).toEqual({
        acc: 0.5,
      });
      expect(theirs.reports.map(([s]) => s)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await restarted.close();
      await other.close();
    }
  });
});

describe('answers are checked against the job they are for', () => {
  // A worker that is not naslab's, or is of another version: what it sends must not reach the store.
  async function withRogue(
    answer: (job: Job<TrialJob>) => Promise<unknown>,
    run: (q: QueueEvaluator) => Promise<void>,
  ): Promise<void> {
    const name = `rogue-${Math.random().toString(36).slice(2)}`;
    const connection = connect(parseQueueUrl(redis.url));
    const rogue = new Worker<TrialJob>(name, answer, { connection });
    const q = await QueueEvaluator.open({
      url: redis.url,
      queueName: name,
      experimentId: '1',
      config: {},
      runTag: 'mine',
      signal: 'acc',
      direction: 'maximize',
      onError: () => undefined,
    });
    try {
      await run(q);
    } finally {
      await q.close();
      await rogue.close();
      await disconnect(connection);
    }
  }
  const named = (job: Job<TrialJob>) => identityOf(job.id ?? '', job.data);

  it("refuses an answer that names another coordinator's trial", async () => {
    await withRogue(
      async (job) => ({
        kind: 'ok',
        metrics: { acc: 0.99 },
        cost: 1,
        trial: { ...named(job), coordinator: 'ffffffffffffffff', runTag: 'theirs' },
      }),
      async (q) => {
        await expect(q.evaluate(null, handle('7', 'good').h, new AbortController().signal)).rejects.toThrow(
          /refused the answer found for job e1-t7-\w+-\d+: it is for coordinator "ffffffffffffffff", runTag "theirs"/,
        );
      },
    );
  });
  it('refuses an answer that names no trial (a worker of an older version)', async () => {
    await withRogue(
      async () => ({ kind: 'ok', metrics: { acc: 0.99 }, cost: 1 }),
      async (q) => {
        await expect(
          q.evaluate(null, handle('8', 'good').h, new AbortController().signal),
        ).rejects.toMatchObject({
          code: 'E_TRIAL_FAILED',
          message: expect.stringMatching(/names no trial/),
        });
      },
    );
  });
  it('ignores reports for another trial, records the answer that is its own', async () => {
    await withRogue(
      async (job) => {
        await job.updateProgress({
          step: 1,
          metrics: { acc: 0.5 },
          seq: 1,
          trial: { ...named(job), trialId: '9' },
        });
        return { kind: 'ok', metrics: { acc: 0.25 }, cost: 2, trial: named(job) };
      },
      async (q) => {
        const { h, reports } = handle('3', 'good');
        expect(await q.evaluate(null, h, new AbortController().signal)).toEqual({
          metrics: { acc: 0.25 },
          cost: 2,
        });
        expect(reports).toEqual([]);
      },
    );
  });
});
