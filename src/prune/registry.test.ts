import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { prunerConfigSchema } from './config.js';
import { HyperbandPruner } from './hyperband.js';
import { MedianPruner } from './median.js';
import { createPruning } from './registry.js';
import { SuccessiveHalvingPruner } from './successive-halving.js';

const evaluator = { signal: 'valid_acc', direction: 'maximize' as const };
const parse = (raw: unknown) => prunerConfigSchema.parse(raw);

describe('createPruning', () => {
  it('builds each type with its defaults, watching the evaluator signal', () => {
    const median = createPruning(parse({ type: 'median' }), evaluator, { seed: 0 });
    expect(median?.pruner).toBeInstanceOf(MedianPruner);
    expect(median).toMatchObject({ metric: 'valid_acc', direction: 'maximize' });
    expect(
      createPruning(parse({ type: 'successive-halving' }), evaluator, { seed: 0 })?.pruner,
    ).toBeInstanceOf(SuccessiveHalvingPruner);
    const hb = createPruning(parse({ type: 'hyperband', maxResource: 9 }), evaluator, { seed: 0 });
    expect(hb?.pruner).toBeInstanceOf(HyperbandPruner);
    expect((hb?.pruner as HyperbandPruner).bracketCount).toBe(3);
  });

  it('means no pruning for none or no config', () => {
    expect(createPruning(parse({ type: 'none' }), evaluator, { seed: 0 })).toBeUndefined();
    expect(createPruning(undefined, evaluator, { seed: 0 })).toBeUndefined();
  });

  it('takes another metric with its direction, and refuses one without', () => {
    const loss = createPruning(
      parse({ type: 'median', metric: 'train_loss', direction: 'minimize' }),
      evaluator,
      { seed: 0 },
    );
    expect(loss).toMatchObject({ metric: 'train_loss', direction: 'minimize' });
    const run = () => createPruning(parse({ type: 'median', metric: 'train_loss' }), evaluator, { seed: 0 });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/pruner\.direction: .*"train_loss".*"valid_acc".*maximize or minimize/);
  });
});
