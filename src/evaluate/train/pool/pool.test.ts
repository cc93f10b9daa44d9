import { existsSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FatalError, InvalidArchitectureError, TrialFailedError } from '../../../core/errors.js';
import type { TrialHandle } from '../../../core/evaluator.js';
import type { Metrics } from '../../../core/types.js';
import { makeDataset } from '../../../data/dataset.js';
import { GraphBuilder } from '../../../graph/builder.js';
import { BATCH } from '../../../graph/types.js';
import { ChainSpace } from '../../../space/chain.js';
import { parseTrainEvaluatorConfig } from '../config.js';
import { TrainEvaluator, createTrainEvaluator } from '../evaluator.js';
import { TrainingPool } from './pool.js';
import { isShared, shareDataset } from './shared-data.js';

const space = new ChainSpace({ input: [1, 28, 28], classes: 10 });
const KEYS = ['C(16,3,1)-P(max,2,2)-T', 'C(16,5,1)-P(max,2,2)-T', 'FC(64)-T'];
const arch = (key: string) => space.decode(space.sampleFromKey(key));
const never = new AbortController().signal;

/** A trial handle that records reports; `onReport` runs after each (to abort, say). */
function handle(key: string, stop: (reports: number) => boolean = () => false, onReport = () => {}) {
  const reports: { step: number; metrics: Metrics }[] = [];
  const trial: TrialHandle = {
    id: key,
    sample: {},
    key,
    report: (step, metrics) => {
      reports.push({ step, metrics });
      onReport();
      return Promise.resolve();
    },
    shouldStop: () => stop(reports.length),
  };
  return { trial, reports };
}

const strip = ({ train_seconds: _, ...rest }: Metrics): Metrics => rest;

/**
 * 10% of the bundled subset's 2,400 training images (240), 600 for validation, 1,000 for test, so a
 * trial takes about 0.1 s; starting a worker from TypeScript sources (tsx) takes about 1 s here.
 */
const config = (over: Record<string, unknown> = {}) =>
  parseTrainEvaluatorConfig(
    { type: 'train', data: { type: 'fashion-mnist' }, epochs: 2, dataFraction: 0.1, workers: 0, ...over },
    'test',
  );
let inProcess: TrainEvaluator;
beforeAll(async () => {
  inProcess = await createTrainEvaluator(config(), process.cwd());
});

function pooled(over: Record<string, unknown>, workerUrl?: URL): TrainingPool {
  return new TrainingPool({ size: 1, config: config(over), data: inProcess.data, workerUrl });
}

describe('TrainingPool', () => {
  const open: TrainingPool[] = [];
  afterAll(async () => {
    await Promise.all(open.map((p) => p.close()));
  });

  it(
    'trains trials in 2 workers with the same reports and metrics as in the main thread',
    { timeout: 120_000 },
    async () => {
      const evaluator = new TrainEvaluator(config({ workers: 2 }), inProcess.data);
      expect(evaluator.workers).toBe(2);
      const runs = [...KEYS, KEYS[0]!].map((key) => ({ key, ...handle(key) }));
      const results = await Promise.all(runs.map((r) => evaluator.evaluate(arch(r.key), r.trial, never)));
      await evaluator.close();
      for (const [i, r] of runs.entries()) {
        const local = handle(r.key);
        const want = await inProcess.evaluate(arch(r.key), local.trial, never);
        expect(strip(results[i]!.metrics)).toEqual(strip(want.metrics));
        expect(r.reports).toEqual(local.reports); // per-epoch reports arrive, equal
        expect(r.reports.map((p) => p.step)).toEqual([1, 2]);
      }
      expect(results[0]!.metrics['valid_acc']).toBeGreaterThan(0.2); // 10 classes: chance is 0.1
    },
  );

  it('stops a running trial on abort, and a pruned one at the step the main thread would', async () => {
    const pool = pooled({ epochs: 20 });
    open.push(pool);
    const controller = new AbortController();
    const aborted = handle(KEYS[0]!, undefined, () => controller.abort());
    const { metrics } = await pool.run(arch(KEYS[0]!), aborted.trial, controller.signal);
    expect(aborted.reports.map((r) => r.step)).toEqual([1]);
    expect(metrics['epochs']).toBe(1);
    expect(metrics['test_acc']).toBeUndefined(); // a cancelled run does no further work

    const pruned = handle(KEYS[0]!, (n) => n >= 1);
    const got = await pool.run(arch(KEYS[0]!), pruned.trial, never);
    const inMain = new TrainEvaluator(config({ epochs: 20 }), inProcess.data);
    const want = await inMain.evaluate(arch(KEYS[0]!), handle(KEYS[0]!, (n) => n >= 1).trial, never);
    expect(strip(got.metrics)).toEqual(strip(want.metrics));
    expect(got.metrics['epochs']).toBe(1);
    expect(got.metrics['test_acc']).toBeGreaterThan(0.1);
    expect(pool.workers).toBe(1); // the same worker ran both
  });

  it('keeps the kind of a trial error raised in the worker', async () => {
    const pool = pooled({});
    open.push(pool);
    const b = new GraphBuilder();
    const noLoss = b.build([b.dense(b.flatten(b.input('x', [BATCH, 1, 28, 28])), { outFeatures: 10 })]);
    const run = pool.run(noLoss, handle('x').trial, never);
    await expect(run).rejects.toThrow(InvalidArchitectureError);
    await expect(pool.run(noLoss, handle('x').trial, never)).rejects.toThrow(/no softmaxCrossEntropy node/);
    const small = new ChainSpace({ input: [1, 14, 14], classes: 10 });
    const wrongInput = small.decode(small.sampleFromKey('T'));
    await expect(pool.run(wrongInput, handle('x').trial, never)).rejects.toThrow(FatalError);
    expect(pool.workers).toBe(1); // errors do not cost the worker
  });

  it(
    'fails only the trial whose worker crashes; a new worker takes the next',
    { timeout: 120_000 },
    async () => {
      const pool = pooled({}, new URL('./crash-worker.testkit.ts', import.meta.url));
      open.push(pool);
      const ok = async () => (await pool.run(arch(KEYS[2]!), handle(KEYS[2]!).trial, never)).metrics;
      const want = strip((await inProcess.evaluate(arch(KEYS[2]!), handle(KEYS[2]!).trial, never)).metrics);
      const thrown = pool.run(arch(KEYS[2]!), handle('crash:throw').trial, never);
      await expect(thrown).rejects.toThrow(TrialFailedError);
      await expect(thrown).rejects.toThrow(
        /the worker thread training this trial crashed: boom from the test/,
      );
      expect(strip(await ok())).toEqual(want);
      await expect(pool.run(arch(KEYS[2]!), handle('crash:exit').trial, never)).rejects.toThrow(
        /the worker thread training this trial exited \(code 3\); the trial fails alone/,
      );
      expect(strip(await ok())).toEqual(want);
      expect(pool.workers).toBe(1);
    },
  );

  it('stops the search when no worker can start', async () => {
    const pool = pooled({}, new URL('./no-such-worker.js', import.meta.url));
    open.push(pool);
    await expect(pool.run(arch(KEYS[2]!), handle('x').trial, never)).rejects.toThrow(
      /train: a training worker thread could not start/,
    );
    await expect(pool.run(arch(KEYS[2]!), handle('x').trial, never)).rejects.toThrow(FatalError);
  });

  it.runIf(existsSync('/proc/self/task'))('leaves no thread behind after close', async () => {
    const threads = () => readdirSync('/proc/self/task').length;
    const before = threads();
    const pool = new TrainingPool({ size: 2, config: config(), data: inProcess.data });
    await Promise.all(KEYS.slice(0, 2).map((k) => pool.run(arch(k), handle(k).trial, never)));
    expect(pool.workers).toBe(2);
    expect(threads()).toBeGreaterThan(before);
    await pool.close();
    expect(pool.workers).toBe(0);
    // At most as many as before (a worker of an earlier test may have ended meanwhile), not 2 more.
    expect(threads()).toBeLessThanOrEqual(before);
    await expect(pool.run(arch(KEYS[0]!), handle('x').trial, never)).rejects.toThrow(
      'train: the training pool is closed',
    );
  });
});

describe('shareDataset', () => {
  it('moves samples and labels into shared memory that a worker reads and writes in place', async () => {
    const plain = makeDataset({
      source: 's',
      shape: [2],
      x: Float32Array.from([1, 2, 3, 4]),
      y: Int32Array.from([0, 1]),
      classes: ['a', 'b'],
      inputScale: 1,
    });
    const shared = shareDataset(plain);
    expect(isShared(plain)).toBe(false);
    expect(isShared(shared)).toBe(true);
    expect(shareDataset(shared)).toBe(shared);
    expect([...shared.x]).toEqual([1, 2, 3, 4]);
    const worker = new Worker(
      "const { workerData, parentPort } = require('node:worker_threads'); workerData.x[0] = 42; " +
        'parentPort.postMessage(workerData.x.buffer instanceof SharedArrayBuffer);',
      { eval: true, workerData: shared },
    );
    const message = await new Promise((resolve) => worker.once('message', resolve));
    await worker.terminate();
    expect(message).toBe(true);
    expect(shared.x[0]).toBe(42); // the worker wrote the main thread's memory: nothing was copied
  });
});
