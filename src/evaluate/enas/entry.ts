import { defineEvaluator } from '../define.js';
import { fittedEvaluator, networkSpace, resolveDataPath } from '../networks.js';
import { enasEvaluatorConfigSchema, enasRetrainConfig } from './config.js';
import { createEnasEvaluator } from './evaluator.js';

/** `evaluator: { type: enas, ... }`: a weight-sharing supernet whose children the strategy samples. */
export const enasEvaluatorEntry = defineEvaluator({
  type: 'enas',
  schema: enasEvaluatorConfigSchema,
  trains: true,
  resolvePaths: resolveDataPath,
  describe: (config) => ({ label: `${config.type}:${config.data.type}`, name: config.type }),
  distributable: false,
  build: async (config, { space: spec, baseDir }) => {
    const space = networkSpace(spec);
    const evaluator = await fittedEvaluator(space, await createEnasEvaluator(config, space, baseDir));
    return { space, evaluator, config };
  },
  retrain: enasRetrainConfig,
});
