import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/validate.js';
import { parseTrainEvaluatorConfig } from '../train/index.js';
import { enasEvaluatorConfigSchema, enasRetrainConfig } from './config.js';

const parse = (raw: unknown) => parseConfig(enasEvaluatorConfigSchema, raw, 'evaluator');

describe('enas evaluator config', () => {
  it("fills ENAS's defaults and maps retrain to a train evaluator config", () => {
    const c = parse({ type: 'enas', data: { type: 'fashion-mnist' }, retrain: { epochs: 15, lr: 0.002 } });
    expect(c).toMatchObject({ batchSize: 64, lr: 0.05, cosine: true, batchesPerChild: 1, rankSamples: 1000 });
    expect(c.optimizer).toEqual({ kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-4 });
    const train = enasRetrainConfig(c);
    expect(train).toMatchObject({ type: 'train', epochs: 15, lr: 0.002, batchSize: 64, workers: 0 });
    expect(train.data).toEqual(c.data);
    // What export and the train evaluator accept, field for field.
    expect(parseTrainEvaluatorConfig(train, 'test')).toEqual(train);
  });

  it('retrains 10 epochs by default, with the train evaluator defaults otherwise', () => {
    const c = parse({ type: 'enas', data: { type: 'fashion-mnist' } });
    expect(c.retrain).toMatchObject({ epochs: 10, batchSize: 64, lr: 0.001, optimizer: { kind: 'adam' } });
    const d = parse({ type: 'enas', data: { type: 'fashion-mnist' }, retrain: { lr: 0.01 } });
    expect(d.retrain).toMatchObject({ epochs: 10, lr: 0.01 });
  });

  it('names a bad field', () => {
    expect(() => parse({ type: 'enas', data: { type: 'fashion-mnist' }, batchesPerChild: 0 })).toThrow(
      /batchesPerChild/,
    );
    expect(() => parse({ type: 'enas', data: { type: 'fashion-mnist' }, retrain: { workers: 2 } })).toThrow(
      /workers/,
    );
  });
});
