import { defineEvaluator } from '../define.js';
import { fittedEvaluator, networkSpace, resolveDataPath } from '../networks.js';
import type { TrainEvaluatorConfig } from '../train/config.js';
import { createEasEvaluator } from './evaluator.js';

/**
 * The train evaluator's settings, but each child starts from its parent's trained weights (held by the
 * strategy): built in place of `type: train` for the strategy that asks for it; not a config type.
 */
export const easEvaluatorEntry = defineEvaluator<TrainEvaluatorConfig>({
  type: 'eas',
  trains: true,
  resolvePaths: resolveDataPath,
  describe: (config) => ({ label: `train:${config.data.type}`, name: 'train' }),
  distributable: false,
  build: async (config, { space: spec, baseDir }) => {
    const space = networkSpace(spec);
    const evaluator = await fittedEvaluator(space, await createEasEvaluator(config, baseDir));
    return { space, evaluator, config };
  },
});
