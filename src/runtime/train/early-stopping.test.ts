import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { makeDataset } from '../../data/dataset.js';
import { GraphBuilder } from '../../graph/builder.js';
import { BATCH } from '../../graph/types.js';
import { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
import { trainEpochs } from './train.js';

/** The epoch (1-based) after which `accuracies` stop training, or undefined when they never do. */
function stopsAfter(options: EarlyStoppingOptions, accuracies: readonly number[]): number | undefined {
  const early = new EarlyStopping(options);
  const i = accuracies.findIndex((a) => early.update(a));
  return i < 0 ? undefined : i + 1;
}

describe('EarlyStopping', () => {
  it('stops after `patience` epochs in a row without a gain above minDelta', () => {
    expect(stopsAfter({ patience: 1 }, [0.5, 0.6, 0.6, 0.7])).toBe(3); // a tie is no gain
    expect(stopsAfter({ patience: 2 }, [0.5, 0.6, 0.6, 0.7, 0.65, 0.64])).toBe(6); // 0.7 reset the count
    expect(stopsAfter({ patience: 2 }, [0.5, 0.4, 0.6, 0.5, 0.7])).toBeUndefined();
    expect(stopsAfter({ patience: 3 }, [0.9, 0.1, 0.1])).toBeUndefined();
    // A gain counts when it beats the best so far by more than minDelta (not the previous epoch).
    expect(stopsAfter({ patience: 2, minDelta: 0.05 }, [0.5, 0.52, 0.54])).toBe(3);
    expect(stopsAfter({ patience: 2, minDelta: 0.05 }, [0.5, 0.56, 0.58, 0.62, 0.64])).toBeUndefined();
    // The first epoch always sets the best, even at accuracy 0.
    expect(stopsAfter({ patience: 1 }, [0, 0.1])).toBeUndefined();
  });

  it('names bad settings', () => {
    expect(() => new EarlyStopping({ patience: 0 })).toThrow(
      new ConfigError('train.earlyStopping.patience must be an integer >= 1, found 0'),
    );
    expect(() => new EarlyStopping({ patience: 1.5 })).toThrow(/patience must be an integer/);
    expect(() => new EarlyStopping({ patience: 1, minDelta: -0.1 })).toThrow(
      new ConfigError('train.earlyStopping.minDelta must be a finite number >= 0, found -0.1'),
    );
  });
});

describe('trainEpochs with early stopping', () => {
  const F = 4;
  const data = (() => {
    const n = 64;
    const x = Float32Array.from({ length: n * F }, (_, i) => Math.sin(i * 12.9898) * 2);
    const y = Int32Array.from({ length: n }, (_, i) => (x[i * F]! > 0 ? 1 : 0));
    const d = makeDataset({ source: 'sign', shape: [F], x, y, classes: ['-', '+'], inputScale: 1 });
    return { train: d, valid: d };
  })();
  const graph = (() => {
    const b = new GraphBuilder();
    const logits = b.dense(b.input('x', [BATCH, F]), { name: 'fc', outFeatures: 2 });
    return b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
  })();
  const base = { epochs: 6, batchSize: 16, optimizer: { kind: 'sgd' as const }, lr: 0.1, seed: 1 };

  it('ends training when validation accuracy stops improving, and says so', async () => {
    // No accuracy can beat the first epoch's by more than 1: every later epoch is a miss.
    const reported: number[] = [];
    const result = await trainEpochs(graph, data, {
      ...base,
      earlyStopping: { patience: 2, minDelta: 1 },
      onEpoch: (m) => void reported.push(m.epoch),
    });
    expect(reported).toEqual([1, 2, 3]);
    expect(result).toMatchObject({ stoppedEarly: true, aborted: false, steps: 3 * 4 });
    expect(result.epochs).toHaveLength(3);
    // Off by default, and a run whose patience outlasts its epochs trains them all, not "early".
    expect((await trainEpochs(graph, data, base)).stoppedEarly).toBe(false);
    const all = await trainEpochs(graph, data, { ...base, earlyStopping: { patience: 6, minDelta: 1 } });
    expect(all).toMatchObject({ stoppedEarly: false, steps: 6 * 4 });
  });

  it('refuses bad settings before creating a session', async () => {
    await expect(trainEpochs(graph, data, { ...base, earlyStopping: { patience: 0 } })).rejects.toThrow(
      ConfigError,
    );
  });
});
