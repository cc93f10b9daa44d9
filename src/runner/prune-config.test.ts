import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { parseExperimentConfig } from './config.js';

function messageOf(raw: unknown): string {
  try {
    parseExperimentConfig(raw, 'my.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('experiment config: pruner', () => {
  it('is optional, and fills each type’s defaults', () => {
    expect(parseExperimentConfig({}, 'x').pruner).toBeUndefined();
    expect(parseExperimentConfig({ pruner: { type: 'median' } }, 'x').pruner).toEqual({
      type: 'median',
      startupTrials: 5,
      warmupSteps: 0,
      minTrials: 1,
    });
    expect(parseExperimentConfig({ pruner: { type: 'successive-halving', eta: 4 } }, 'x').pruner).toEqual({
      type: 'successive-halving',
      minResource: 1,
      eta: 4,
    });
    expect(
      parseExperimentConfig({ pruner: { type: 'hyperband', maxResource: 27, metric: 'valid_acc' } }, 'x')
        .pruner,
    ).toEqual({ type: 'hyperband', minResource: 1, eta: 3, maxResource: 27, metric: 'valid_acc' });
    expect(parseExperimentConfig({ pruner: { type: 'none' } }, 'x').pruner).toEqual({ type: 'none' });
  });

  const malformed: [string, unknown, string[]][] = [
    [
      'an unknown type',
      { type: 'asha' },
      ['my.yaml', 'pruner.type', "'median' | 'successive-halving' | 'hyperband' | 'curve' | 'none'"],
    ],
    ['no type', {}, ['pruner.type']],
    ['a negative warm-up', { type: 'median', warmupSteps: -1 }, ['pruner.warmupSteps', '>=0']],
    ['an option of another type', { type: 'median', eta: 3 }, ['pruner', 'Unrecognized key', 'eta']],
    ['eta below 2', { type: 'successive-halving', eta: 1 }, ['pruner.eta', '>=2']],
    [
      'a fractional minResource',
      { type: 'successive-halving', minResource: 1.5 },
      ['pruner.minResource', 'int'],
    ],
    ['hyperband without maxResource', { type: 'hyperband' }, ['pruner.maxResource', 'missing']],
    [
      'hyperband with maxResource under minResource',
      { type: 'hyperband', minResource: 9, maxResource: 3 },
      ['pruner.maxResource', 'at least minResource'],
    ],
    ['a bad direction', { type: 'median', direction: 'up' }, ['pruner.direction', '"maximize"|"minimize"']],
    ['options on none', { type: 'none', warmupSteps: 2 }, ['pruner', 'Unrecognized key', 'warmupSteps']],
  ];
  for (const [what, pruner, parts] of malformed) {
    it(`rejects ${what}, naming the field`, () => {
      const message = messageOf({ pruner });
      for (const part of parts) expect(message).toContain(part);
    });
  }
});
