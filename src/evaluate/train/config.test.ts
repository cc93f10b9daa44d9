import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { ConfigError } from '../../core/errors.js';
import { classCounts, makeDataset } from '../../data/dataset.js';
import { parseTrainEvaluatorConfig } from './config.js';
import { resolveWorkers } from './evaluator.js';
import { trainingFraction } from './fraction.js';

describe('parseTrainEvaluatorConfig', () => {
  it('fills the defaults', () => {
    expect(parseTrainEvaluatorConfig({ type: 'train', data: { type: 'fashion-mnist' } }, 'x.yaml')).toEqual({
      type: 'train',
      data: { type: 'fashion-mnist', split: { valid: 0.2, seed: 0 }, normalize: true },
      epochs: 2,
      batchSize: 64,
      optimizer: { kind: 'adam' },
      lr: 0.001,
      cosine: true,
      dataFraction: 1,
      seed: 0,
      threads: 1,
      executionProviders: ['cpu'],
    });
    const sgd = parseTrainEvaluatorConfig(
      {
        type: 'train',
        data: { type: 'fashion-mnist' },
        optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
      },
      'x.yaml',
    );
    expect(sgd.optimizer).toEqual({ kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  });

  it('takes early stopping (minDelta 0 by default) and a worker count', () => {
    const c = parseTrainEvaluatorConfig(
      { type: 'train', data: { type: 'fashion-mnist' }, earlyStopping: { patience: 3 }, workers: 0 },
      'x.yaml',
    );
    expect(c.earlyStopping).toEqual({ patience: 3, minDelta: 0 });
    expect(c.workers).toBe(0);
    expect(resolveWorkers(c)).toBe(0);
    expect(resolveWorkers({})).toBe(availableParallelism()); // absent: one per core
  });

  const ok = { type: 'train', data: { type: 'fashion-mnist' } };
  const bad: [string, unknown, RegExp][] = [
    [
      'epochs 0',
      { ...ok, epochs: 0 },
      /evaluator\.epochs: Too small: expected number to be >=1, found number 0/,
    ],
    ['a fractional batch size', { ...ok, batchSize: 6.5 }, /evaluator\.batchSize: .*int/i],
    ['a negative lr', { ...ok, lr: -1 }, /evaluator\.lr: Too small: expected number to be >0/],
    ['dataFraction 0', { ...ok, dataFraction: 0 }, /evaluator\.dataFraction: Too small/],
    ['dataFraction above 1', { ...ok, dataFraction: 1.5 }, /evaluator\.dataFraction: Too big/],
    ['an unknown optimiser', { ...ok, optimizer: { kind: 'rmsprop' } }, /evaluator\.optimizer\.kind/],
    [
      'an option of another optimiser',
      { ...ok, optimizer: { kind: 'adam', momentum: 0.9 } },
      /evaluator\.optimizer: Unrecognized key: "momentum"/,
    ],
    ['beta1 of 1', { ...ok, optimizer: { kind: 'adam', beta1: 1 } }, /evaluator\.optimizer\.beta1: Too big/],
    [
      'nesterov without momentum',
      { ...ok, optimizer: { kind: 'sgd', nesterov: true } },
      /evaluator\.optimizer\.nesterov: nesterov needs momentum > 0/,
    ],
    ['a typo', { ...ok, epoch: 3 }, /evaluator: Unrecognized key: "epoch"/],
    ['no data section', { type: 'train' }, /evaluator\.data: missing/],
    ['a bad data section', { ...ok, data: { type: 'parquet' } }, /evaluator\.data\.type: Invalid option/],
    ['zero threads', { ...ok, threads: 0 }, /evaluator\.threads: Too small/],
    [
      'patience 0',
      { ...ok, earlyStopping: { patience: 0 } },
      /evaluator\.earlyStopping\.patience: Too small/,
    ],
    ['no patience', { ...ok, earlyStopping: {} }, /evaluator\.earlyStopping\.patience: .*expected number/],
    [
      'a negative minDelta',
      { ...ok, earlyStopping: { patience: 2, minDelta: -0.1 } },
      /evaluator\.earlyStopping\.minDelta: Too small/,
    ],
    ['negative workers', { ...ok, workers: -1 }, /evaluator\.workers: Too small/],
    ['fractional workers', { ...ok, workers: 1.5 }, /evaluator\.workers: .*int/i],
  ];
  it.each(bad)('names the field: %s', (_, raw, message) => {
    expect(() => parseTrainEvaluatorConfig(raw, 'my.yaml')).toThrow(ConfigError);
    expect(() => parseTrainEvaluatorConfig(raw, 'my.yaml')).toThrow(message);
    expect(() => parseTrainEvaluatorConfig(raw, 'my.yaml')).toThrow(/^my\.yaml: invalid configuration/);
  });
});

describe('trainingFraction', () => {
  // 100 samples: 60 of class 0, 30 of class 1, 10 of class 2; x holds the sample's index.
  const y = Int32Array.from({ length: 100 }, (_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2));
  const data = makeDataset({
    source: 'toy',
    shape: [1],
    x: Float32Array.from({ length: 100 }, (_, i) => i),
    y,
    classes: ['a', 'b', 'c'],
    inputScale: 1,
  });

  it('keeps each class its share, in a seeded draw', () => {
    const part = trainingFraction(data, 0.3, 0);
    expect(part.count).toBe(30);
    expect(classCounts(part)).toEqual([18, 9, 3]);
    for (let k = 0; k < part.count; k++) expect(part.y[k]).toBe(data.y[part.x[k] as number]);
    expect([...trainingFraction(data, 0.3, 0).x]).toEqual([...part.x]);
    expect([...trainingFraction(data, 0.3, 1).x]).not.toEqual([...part.x]);
    expect(part.source).toBe('toy (30%)');
  });

  it('is the data itself at 1, and refuses a fraction that keeps nothing', () => {
    expect(trainingFraction(data, 1, 0)).toBe(data);
    expect(() => trainingFraction(data, 0.001, 0)).toThrow(
      new ConfigError('evaluator.dataFraction 0.001 of the 100 training samples keeps none; raise it'),
    );
    expect(() => trainingFraction(data, 0, 0)).toThrow(RangeError);
  });
});
