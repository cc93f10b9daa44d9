import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { parseExperimentConfig } from '../runner/config.js';
import { defineStrategy } from '../strategy/define.js';
import { createStrategy, registerStrategy } from '../strategy/registry.js';
import { assertDistributable } from './parts.js';

// A strategy that keeps state the workers cannot share, registered from here: the declaration alone
// keeps it off the queue.
registerStrategy(
  defineStrategy({
    name: 'test-local-only',
    description: 'a strategy whose trials must stay in the coordinator',
    options: z.strictObject({}),
    distributable: false,
    create: ({ space, rng }) => createStrategy('random', {}, space, rng.int(1000)),
  }),
);

const data = { type: 'fashion-mnist' };
const config = (raw: object) => parseExperimentConfig(raw, 'test');

describe('which searches may run on queue workers', () => {
  it('refuses what its strategy or evaluator entry declares local: enas, darts, eas, and a new one', () => {
    const local = [
      { strategy: 'enas', evaluator: { type: 'enas', data } },
      { strategy: 'darts', evaluator: { type: 'darts', data } },
      { strategy: 'eas', evaluator: { type: 'train', data } },
      { strategy: 'random', evaluator: { type: 'enas', data } },
      { strategy: 'test-local-only' },
    ];
    for (const raw of local) {
      expect(() => assertDistributable(config(raw)), JSON.stringify(raw)).toThrow(ConfigError);
    }
  });

  it('accepts tabular benchmarks and real training with any other strategy', () => {
    for (const raw of [{ strategy: 'evolution' }, { strategy: 'reinforce', evaluator: { type: 'train', data } }]) {
      expect(() => assertDistributable(config(raw))).not.toThrow();
    }
  });
});
