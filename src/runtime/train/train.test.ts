import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, TrialFailedError } from '../../core/errors.js';
import { makeDataset, type Dataset } from '../../data/dataset.js';
import { GraphBuilder } from '../../graph/builder.js';
import { BATCH } from '../../graph/types.js';
import { Session } from '../session.js';
import { BatchSampler } from './batches.js';
import { evaluateAccuracy } from './evaluate.js';
import { learningRate } from './schedule.js';
import { trainEpochs, type TrainOptions } from './train.js';

const F = 4;

/** n samples of 4 features; the label is the arg-max of the first three: linearly separable. */
function synthetic(n: number, seed: number, poison = false): Dataset {
  const x = Float32Array.from({ length: n * F }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 2);
  if (poison) x[7] = Number.NaN; // sample 1's fourth feature: the labels stay valid
  const y = Int32Array.from({ length: n }, (_, i) => {
    const row = [x[i * F], x[i * F + 1], x[i * F + 2]] as number[];
    return row.indexOf(Math.max(...row));
  });
  return makeDataset({
    source: `synthetic-${seed}`,
    shape: [F],
    x,
    y,
    classes: ['a', 'b', 'c'],
    inputScale: 1,
  });
}

function linear() {
  const b = new GraphBuilder();
  const logits = b.dense(b.input('x', [BATCH, F]), { name: 'fc', outFeatures: 3 });
  return b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
}

const base: TrainOptions = {
  epochs: 3,
  batchSize: 16,
  optimizer: { kind: 'sgd', momentum: 0.9 },
  lr: 0.1,
  seed: 3,
};
const data = { train: synthetic(200, 1), valid: synthetic(90, 2) };

/** Every Session created while `body` runs, to check that all are disposed however training ends. */
const realCreate = Session.create.bind(Session);
async function tracked(body: () => Promise<unknown>): Promise<Session[]> {
  const created: Session[] = [];
  vi.restoreAllMocks();
  vi.spyOn(Session, 'create').mockImplementation(async (...args) => {
    const s = await realCreate(...args);
    created.push(s);
    return s;
  });
  await body().catch(() => undefined);
  return created;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('trainEpochs', () => {
  it('learns a separable problem, reporting each epoch', async () => {
    const seen: number[] = [];
    const result = await trainEpochs(linear(), data, { ...base, onEpoch: (m) => void seen.push(m.epoch) });
    expect(seen).toEqual([1, 2, 3]);
    expect(result.aborted).toBe(false);
    expect(result.steps).toBe(3 * 13); // 200 / 16 = 12 full batches + the last 8 samples
    const [e1, , e3] = result.epochs;
    expect(e3!.trainLoss).toBeLessThan(e1!.trainLoss);
    expect(e3!.validAccuracy).toBeGreaterThan(0.9);
    expect(result.params.get('fc.weight')).toHaveLength(F * 3);
  });

  it('drops the last partial batch only when asked', async () => {
    const result = await trainEpochs(linear(), data, { ...base, epochs: 1, dropLast: true });
    expect(result.steps).toBe(12);
  });

  it('anneals the learning rate with cosine per step', async () => {
    const result = await trainEpochs(linear(), data, { ...base, epochs: 2, cosine: true });
    expect(result.epochs[0]!.lr).toBeCloseTo(learningRate(0.1, 12, 26, true), 12);
    expect(result.epochs[1]!.lr).toBeCloseTo(0.1 * 0.5 * (1 + Math.cos((Math.PI * 25) / 26)), 12);
  });

  it('stops between steps once the signal fires, keeping the weights so far', async () => {
    let reads = 0;
    // An AbortSignal that reads as fired from its 5th check on: the 5th step of epoch 1.
    const signal = {
      get aborted() {
        return ++reads >= 5;
      },
    } as AbortSignal;
    const result = await trainEpochs(linear(), data, { ...base, signal });
    expect(result).toMatchObject({ aborted: true, steps: 4, epochs: [] });
    const controller = new AbortController();
    const after1 = await trainEpochs(linear(), data, {
      ...base,
      signal: controller.signal,
      onEpoch: () => controller.abort(),
    });
    expect(after1.aborted).toBe(true);
    expect(after1.epochs).toHaveLength(1);
    expect(after1.steps).toBe(13);
  });

  it('fails the trial on a NaN loss, naming the epoch and step', async () => {
    const poisoned = { train: synthetic(200, 1, true), valid: data.valid };
    await expect(trainEpochs(linear(), poisoned, base)).rejects.toThrow(TrialFailedError);
    await expect(trainEpochs(linear(), poisoned, base)).rejects.toThrow(
      /training loss is NaN at epoch 1, step \d+ \(lr 0.1\)/,
    );
  });

  it('disposes every session it creates: after success, abort and failure', async () => {
    const ok = await tracked(() => trainEpochs(linear(), data, { ...base, epochs: 2 }));
    expect(ok).toHaveLength(3); // one training session + one evaluation session per epoch
    const aborted = await tracked(() =>
      trainEpochs(linear(), data, { ...base, signal: AbortSignal.abort() }),
    );
    const failed = await tracked(() =>
      trainEpochs(linear(), { train: synthetic(200, 1, true), valid: data.valid }, base),
    );
    expect(aborted).toHaveLength(1);
    expect(failed).toHaveLength(1);
    for (const s of [...ok, ...aborted, ...failed]) expect(s.disposed).toBe(true);
  });

  it('names bad options and data that do not fit the input', async () => {
    await expect(trainEpochs(linear(), data, { ...base, epochs: 0 })).rejects.toThrow(
      new ConfigError('train.epochs must be an integer >= 1, found 0'),
    );
    await expect(trainEpochs(linear(), data, { ...base, lr: Number.NaN })).rejects.toThrow(
      /train.lr must be/,
    );
    const wide = makeDataset({ ...data.valid, shape: [2, 2] });
    await expect(trainEpochs(linear(), { train: data.train, valid: wide }, base)).rejects.toThrow(
      /synthetic-2 holds samples of shape \[2,2\], but the graph's input 'x' takes \[N,4\]/,
    );
  });
});

describe('BatchSampler', () => {
  it('visits every sample once per epoch, in a seeded order that changes between epochs', () => {
    const d = synthetic(10, 5);
    // Each batch is a view of one reused buffer: read it before drawing the next.
    const order = (s: BatchSampler): number[] => {
      const firsts: number[] = [];
      for (const b of s.epoch())
        firsts.push(...[...(b.x.data as Float32Array)].filter((_, i) => i % F === 0));
      return firsts;
    };
    const a = new BatchSampler(d, 4, 7);
    const firstA = order(a);
    const secondA = order(a);
    expect(firstA).toHaveLength(10);
    expect([...firstA].sort()).toEqual([...d.x].filter((_, i) => i % F === 0).sort());
    expect(secondA).not.toEqual(firstA);
    expect(order(new BatchSampler(d, 4, 7))).toEqual(firstA);
    expect([...new BatchSampler(d, 4, 7).epoch()].map((b) => b.size)).toEqual([4, 4, 2]);
    expect([...new BatchSampler(d, 4, 7, true).epoch()].map((b) => b.labels.dims)).toEqual([[4], [4]]);
  });
});

describe('evaluateAccuracy', () => {
  it('matches a JS arg-max whatever the batch size (batches are views at offsets)', async () => {
    const graph = linear();
    const w = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, -0.5, 0.2]); // [4, 3]: logits = first 3 + a tilt
    const params = new Map([
      ['fc.weight', w],
      ['fc.bias', Float32Array.from([0, 0.1, 0])],
    ]);
    const d = synthetic(97, 9);
    let want = 0;
    for (let i = 0; i < d.count; i++) {
      const logits = [0, 1, 2].map((k) =>
        [0, 1, 2, 3].reduce(
          (s, j) => s + (d.x[i * F + j] as number) * (w[j * 3 + k] as number),
          k === 1 ? 0.1 : 0,
        ),
      );
      if (logits.indexOf(Math.max(...logits)) === d.y[i]) want++;
    }
    expect(want / d.count).toBeGreaterThan(0.5);
    expect(want / d.count).toBeLessThan(1);
    for (const batchSize of [7, 50, 1000]) {
      const acc = await evaluateAccuracy(graph, params, d, { logits: 'fc', input: 'x', batchSize });
      expect(acc).toBeCloseTo(want / d.count, 12);
    }
  });
});
