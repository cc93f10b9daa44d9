import { defineEvaluator } from '../define.js';
import { fittedEvaluator, networkSpace, resolveDataPath } from '../networks.js';
import { dartsEvaluatorConfigSchema, dartsRetrainConfig } from './config.js';
import { createDartsEvaluator } from './evaluator.js';

/** `evaluator: { type: darts, ... }`: the relaxed network whose architecture weights the strategy learns. */
export const dartsEvaluatorEntry = defineEvaluator({
  type: 'darts',
  schema: dartsEvaluatorConfigSchema,
  trains: true,
  resolvePaths: resolveDataPath,
  describe: (config) => ({ label: `${config.type}:${config.data.type}`, name: config.type }),
  distributable: false,
  build: async (config, { space: spec, baseDir }) => {
    const space = networkSpace(spec);
    const evaluator = await fittedEvaluator(space, await createDartsEvaluator(config, space, baseDir));
    return { space, evaluator, config };
  },
  retrain: dartsRetrainConfig,
});
