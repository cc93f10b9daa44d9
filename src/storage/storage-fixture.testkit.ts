import type { Storage } from '../core/storage.js';
import type { StrategyState, TrialRecord } from '../core/types.js';

/** Shared data and helpers of the conformance suite. */
export const conformanceConfig = {
  space: 'nb201',
  strategy: { name: 'evolution', population: 10 },
  tags: ['a', 'b'],
};

export const nestedStrategyState: StrategyState = {
  strategy: 'evolution',
  version: 2,
  data: {
    rng: [1, 2, 3, 4],
    population: [{ sample: { e0: 'conv_3x3', e1: 3 }, score: 0.91 }],
    blob: 'AAEC',
  },
};

export function storageFixture(current: () => Storage) {
  return {
    async newExperiment(label = 'exp'): Promise<string> {
      return (await current().createExperiment(label, conformanceConfig)).id;
    },
    newTrial(experimentId: string, op = 'conv_3x3'): Promise<TrialRecord> {
      return current().createTrial(experimentId, { sample: { op, width: 16 }, key: `${op}|16` });
    },
  };
}
