import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FatalError, InvalidArchitectureError, TrialFailedError } from '../../core/errors.js';
import type { TrialHandle } from '../../core/evaluator.js';
import type { Metrics } from '../../core/types.js';
import { GraphBuilder } from '../../graph/builder.js';
import { countFlops, countParams } from '../../graph/count.js';
import { BATCH } from '../../graph/types.js';
import { SessionError } from '../../runtime/errors.js';
import { Session } from '../../runtime/session.js';
import { ChainSpace, type ChainOptionsInput } from '../../space/chain.js';
import { parseTrainEvaluatorConfig, type TrainEvaluatorConfigInput } from './config.js';
import { TrainEvaluator, createTrainEvaluator } from './evaluator.js';

const CNN = 'C(16,3,1)-P(max,2,2)-C(32,3,1)-P(max,2,2)-T';
const FASHION: ChainOptionsInput = { input: [1, 28, 28], classes: 10 };

/** A trial handle that records reports; `stop` is the pruner's verdict, read before every step. */
function handle(key: string, stop: (reports: number) => boolean = () => false) {
  const reports: { step: number; metrics: Metrics }[] = [];
  const trial: TrialHandle = {
    id: 't1',
    sample: {},
    key,
    report: (step, metrics) => {
      reports.push({ step, metrics });
      return Promise.resolve();
    },
    shouldStop: () => stop(reports.length),
  };
  return { trial, reports };
}

function config(over: Partial<TrainEvaluatorConfigInput> = {}) {
  // workers 0: in the main thread, where these tests watch sessions (pool.test.ts covers the workers).
  const raw = {
    type: 'train',
    data: { type: 'fashion-mnist' },
    epochs: 1,
    dataFraction: 0.3,
    workers: 0,
    ...over,
  };
  return parseTrainEvaluatorConfig(raw, 'test');
}

let evaluator: TrainEvaluator;
const space = new ChainSpace(FASHION);
const cnn = space.decode(space.sampleFromKey(CNN));
const never = new AbortController().signal;

beforeAll(async () => {
  evaluator = await createTrainEvaluator(config({ epochs: 2 }), process.cwd());
});

/** Every Session created while `body` runs, to check that all are disposed however a trial ends. */
const realCreate = Session.create.bind(Session);
async function tracked(body: () => Promise<unknown>): Promise<Session[]> {
  const created: Session[] = [];
  vi.spyOn(Session, 'create').mockImplementation(async (...args) => {
    const s = await realCreate(...args);
    created.push(s);
    return s;
  });
  await body().catch(() => undefined);
  vi.restoreAllMocks();
  return created;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * The bundled subset: 3,000 training images split 2,400 / 600 (data.split seed 0), of which 30% (720,
 * stratified) train; 1,000 test images. Chance is 0.1. Measured here (2 cores, one thread) over config
 * seeds 0-4, Adam 1e-3 with cosine, batch 64 (12 steps an epoch):
 *   CNN key, 1 epoch: valid_acc 0.400-0.485, test_acc 0.384-0.470, 0.21-0.26 s a trial;
 *   CNN key, 2 epochs: valid_acc 0.540-0.640 (seed 0: 0.577), test_acc 0.545-0.632, 0.36-0.45 s;
 *   `T` (dense only), 2 epochs: valid_acc 0.548-0.575, 0.03-0.05 s;
 *   `C(64,5,1)-P(max,2,2)-FC(128)-T`, 2 epochs: valid_acc 0.662-0.730, 1.2-1.4 s.
 * These tests use seed 0 and the CNN key, so their values are fixed; the bounds leave a margin for
 * other CPUs' float rounding.
 */
describe('TrainEvaluator on the bundled Fashion-MNIST subset', () => {
  it('loads and cuts the data once: the proxy training split is 30%, stratified', () => {
    expect(evaluator.data.train.count).toBe(720);
    expect(evaluator.data.valid.count).toBe(600);
    expect(evaluator.data.test.count).toBe(1000);
    expect(evaluator.signal).toBe('valid_acc');
    expect(evaluator.direction).toBe('maximize');
  });

  it('trains a chain sample, reporting each epoch, and returns plausible metrics', async () => {
    const { trial, reports } = handle(space.key(space.sampleFromKey(CNN)));
    const { metrics } = await evaluator.evaluate(cnn, trial, never);
    expect(reports.map((r) => r.step)).toEqual([1, 2]);
    expect(Object.keys(reports[0]!.metrics)).toEqual(['train_loss', 'valid_acc']);
    expect(reports[1]!.metrics['train_loss']).toBeLessThan(reports[0]!.metrics['train_loss']!);
    expect(Object.keys(metrics).sort()).toEqual(
      [
        'epochs',
        'flops',
        'params',
        'stopped_early',
        'test_acc',
        'train_loss',
        'train_seconds',
        'valid_acc',
      ].sort(),
    );
    expect(metrics['valid_acc']).toBe(reports[1]!.metrics['valid_acc']);
    expect(metrics['train_loss']).toBe(reports[1]!.metrics['train_loss']);
    expect(metrics['valid_acc']).toBeGreaterThan(0.5);
    expect(metrics['test_acc']).toBeGreaterThan(0.5);
    expect(metrics['train_loss']).toBeLessThan(Math.log(10));
    expect(metrics['params']).toBe(countParams(cnn));
    expect(metrics['params']).toBe(16 * 9 + 16 + 32 * 16 * 9 + 32 + 32 * 7 * 7 * 10 + 10);
    expect(metrics['flops']).toBe(countFlops(cnn));
    expect(metrics['train_seconds']).toBeGreaterThan(0);
    expect(metrics['epochs']).toBe(2);
    expect(metrics['stopped_early']).toBe(0);
  });

  it('stops early when validation accuracy stops improving, and says so in the metrics', async () => {
    // minDelta 1: no epoch can beat the first by more than 1, so patience 1 ends training after epoch 2.
    const early = await createTrainEvaluator(
      config({ epochs: 4, earlyStopping: { patience: 1, minDelta: 1 } }),
      process.cwd(),
    );
    const { trial, reports } = handle(CNN);
    const { metrics } = await early.evaluate(cnn, trial, never);
    expect(reports.map((r) => r.step)).toEqual([1, 2]);
    expect(metrics['epochs']).toBe(2);
    expect(metrics['stopped_early']).toBe(1);
    expect(metrics['valid_acc']).toBe(reports[1]!.metrics['valid_acc']);
    expect(metrics['test_acc']).toBeGreaterThan(0.2);
  });

  it('trains an architecture the same way every time (seed from the config seed and the key)', async () => {
    const key = space.key(space.sampleFromKey(CNN));
    const strip = ({ train_seconds: _, ...rest }: Metrics): Metrics => rest;
    const first = await evaluator.evaluate(cnn, handle(key).trial, never);
    const second = await evaluator.evaluate(cnn, handle(key).trial, never);
    expect(strip(second.metrics)).toEqual(strip(first.metrics));
    // Another key (another architecture) draws other initial weights and batches.
    const other = await evaluator.evaluate(cnn, handle(`${key} `).trial, never);
    expect(other.metrics['train_loss']).not.toBe(first.metrics['train_loss']);
  });

  it('stops when the signal fires: before training, and between epochs', async () => {
    const before = handle(CNN);
    const { metrics } = await evaluator.evaluate(cnn, before.trial, AbortSignal.abort());
    expect(before.reports).toEqual([]);
    expect(metrics).toEqual({
      params: countParams(cnn),
      flops: countFlops(cnn),
      train_seconds: metrics['train_seconds'],
      epochs: 0,
      stopped_early: 0,
    });
    const controller = new AbortController();
    const during = handle(CNN);
    const report = during.trial.report;
    const trial = { ...during.trial, report: (s: number, m: Metrics) => (controller.abort(), report(s, m)) };
    const stopped = await evaluator.evaluate(cnn, trial, controller.signal);
    expect(during.reports.map((r) => r.step)).toEqual([1]);
    expect(stopped.metrics['epochs']).toBe(1);
    expect(stopped.metrics['valid_acc']).toBe(during.reports[0]!.metrics['valid_acc']);
    expect(stopped.metrics['test_acc']).toBeUndefined(); // a cancelled run does no further work
  });

  it('stops when the pruner says so, and still scores the trial', async () => {
    const pruned = handle(CNN, (reports) => reports >= 1);
    const { metrics } = await evaluator.evaluate(cnn, pruned.trial, never);
    expect(pruned.reports.map((r) => r.step)).toEqual([1]);
    expect(metrics['epochs']).toBe(1);
    expect(metrics['valid_acc']).toBe(pruned.reports[0]!.metrics['valid_acc']);
    expect(metrics['test_acc']).toBeGreaterThan(0.3);
    // Pruned before its first epoch ended: the weights so far are measured.
    const early = await evaluator.evaluate(cnn, handle(CNN, () => true).trial, never);
    expect(early.metrics['epochs']).toBe(0);
    expect(early.metrics['valid_acc']).toBeGreaterThanOrEqual(0);
    expect(early.metrics['test_acc']).toBeGreaterThanOrEqual(0);
  });

  it('trains an overlapping max pool (MetaQNN 3x3 stride 2)', async () => {
    const overlapping = new ChainSpace({ ...FASHION, poolWindows: [[3, 2]] });
    const arch = overlapping.decode(overlapping.sampleFromKey('C(16,3,1)-P(max,3,2)-T'));
    const { metrics } = await evaluator.evaluate(arch, handle('x').trial, never);
    expect(metrics['valid_acc']).toBeGreaterThan(0.2); // 10 classes: chance is 0.1
  });

  it('refuses an architecture it cannot train with InvalidArchitectureError', async () => {
    // No loss to minimise: every trial of this architecture would fail the same way.
    const b = new GraphBuilder();
    const x = b.input('x', [BATCH, 1, 28, 28]);
    const arch = b.build([b.dense(b.flatten(x), { name: 'logits', outFeatures: 10 })]);
    const run = evaluator.evaluate(arch, handle('x').trial, never);
    await expect(run).rejects.toThrow(InvalidArchitectureError);
    await expect(evaluator.evaluate(arch, handle('x').trial, never)).rejects.toThrow(
      /the graph has no softmaxCrossEntropy node to minimise/,
    );
  });

  it('refuses networks over maxParams or maxFlops as invalid, before creating any session', async () => {
    const limited = (over: Partial<TrainEvaluatorConfigInput>) =>
      new TrainEvaluator(config(over), evaluator.data);
    let refusal: unknown;
    const flops = await tracked(() =>
      limited({ maxFlops: 1000 })
        .evaluate(cnn, handle('x').trial, never)
        .catch((e: unknown) => (refusal = e)),
    );
    expect(refusal).toBeInstanceOf(InvalidArchitectureError);
    expect(String(refusal)).toMatch(
      /FLOPs exceeds evaluator\.maxFlops \(1,000\); the network is not trained/,
    );
    expect(flops).toEqual([]);
    await expect(limited({ maxParams: 10 }).evaluate(cnn, handle('x').trial, never)).rejects.toThrow(
      InvalidArchitectureError,
    );
    const roomy = await limited({ maxParams: 1e9, maxFlops: 1e9 }).evaluate(cnn, handle('x').trial, never);
    expect(roomy.metrics['valid_acc']).toBeGreaterThan(0.2);
  });

  it('fails the trial alone on a NaN loss or an ONNX Runtime failure', async () => {
    const x = evaluator.data.train.x.slice();
    x[5] = Number.NaN;
    const poisoned = new TrainEvaluator(evaluator.config, {
      ...evaluator.data,
      train: { ...evaluator.data.train, x },
    });
    await expect(poisoned.evaluate(cnn, handle(CNN).trial, never)).rejects.toThrow(TrialFailedError);
    await expect(poisoned.evaluate(cnn, handle(CNN).trial, never)).rejects.toThrow(/training loss is NaN/);
    const failure = new SessionError('E_SESSION_CREATE', 'ONNX Runtime rejected the model: bad_alloc');
    vi.spyOn(Session, 'create').mockRejectedValue(failure);
    const run = evaluator.evaluate(cnn, handle(CNN).trial, never);
    await expect(run).rejects.toThrow(TrialFailedError);
    await expect(evaluator.evaluate(cnn, handle(CNN).trial, never)).rejects.toThrow(
      'train: ONNX Runtime rejected the model: bad_alloc',
    );
    // V8 refusing a buffer (a network too big for memory) is this trial's failure too.
    vi.spyOn(Session, 'create').mockRejectedValue(new RangeError('Array buffer allocation failed'));
    await expect(evaluator.evaluate(cnn, handle(CNN).trial, never)).rejects.toThrow(
      new TrialFailedError('train: out of memory for this network: Array buffer allocation failed'),
    );
  });

  it('stops the search when the space and the data disagree on the input', async () => {
    const small = new ChainSpace({ input: [1, 14, 14], classes: 10 });
    const arch = small.decode(small.sampleFromKey('C(16,3,1)-T'));
    await expect(evaluator.evaluate(arch, handle('x').trial, never)).rejects.toThrow(FatalError);
    await expect(evaluator.evaluate(arch, handle('x').trial, never)).rejects.toThrow(
      /holds samples of shape \[1,28,28\], but the graph's input 'x' takes \[N,1,14,14\]/,
    );
  });

  it('disposes every session it creates: after success, abort, pruning and failure', async () => {
    const one = await createTrainEvaluator(config(), process.cwd());
    const ok = await tracked(() => one.evaluate(cnn, handle(CNN).trial, never));
    expect(ok).toHaveLength(3); // training + validation after the epoch + test
    const aborted = await tracked(() => one.evaluate(cnn, handle(CNN).trial, AbortSignal.abort()));
    expect(aborted).toHaveLength(1);
    const pruned = await tracked(() => one.evaluate(cnn, handle(CNN, () => true).trial, never));
    expect(pruned).toHaveLength(3); // training + validation and test of the weights so far
    const poisoned = new TrainEvaluator(one.config, {
      ...one.data,
      train: { ...one.data.train, x: one.data.train.x.map((v, i) => (i === 0 ? Number.NaN : v)) },
    });
    const failed = await tracked(() => poisoned.evaluate(cnn, handle(CNN).trial, never));
    expect(failed).toHaveLength(1);
    for (const s of [...ok, ...aborted, ...pruned, ...failed]) expect(s.disposed).toBe(true);
  });
});
