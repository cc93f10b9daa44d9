import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/validate.js';
import { parseTrainEvaluatorConfig } from '../train/index.js';
import { dartsEvaluatorConfigSchema, dartsRetrainConfig } from './config.js';

const parse = (raw: unknown) => parseConfig(dartsEvaluatorConfigSchema, raw, 'evaluator');

describe('darts evaluator config', () => {
  it("fills DARTS's weight-training defaults and maps retrain to a train evaluator config", () => {
    const c = parse({ type: 'darts', data: { type: 'fashion-mnist' }, retrain: { epochs: 15, lr: 0.002 } });
    expect(c).toMatchObject({ batchSize: 64, lr: 0.025, cosine: true, seed: 0, threads: 1 });
    expect(c.optimizer).toEqual({ kind: 'sgd', momentum: 0.9, weightDecay: 3e-4 });
    expect(c.retrain).toMatchObject({ epochs: 15, lr: 0.002, optimizer: { kind: 'adam' } });
    const train = dartsRetrainConfig(c);
    expect(train).toMatchObject({ type: 'train', epochs: 15, lr: 0.002, batchSize: 64, workers: 0 });
    expect(train.data).toEqual(c.data);
    // What export and the train evaluator accept, field for field.
    expect(parseTrainEvaluatorConfig(train, 'test')).toEqual(train);
    expect(parse({ type: 'darts', data: { type: 'fashion-mnist' } }).retrain.epochs).toBe(10);
  });

  it('names a bad field', () => {
    expect(() => parse({ type: 'darts', data: { type: 'fashion-mnist' }, trainBatches: 0 })).toThrow(
      /trainBatches/,
    );
    expect(() => parse({ type: 'darts', data: { type: 'fashion-mnist' }, retrain: { workers: 2 } })).toThrow(
      /workers/,
    );
  });
});
