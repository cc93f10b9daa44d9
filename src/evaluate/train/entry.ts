import { defineEvaluator } from '../define.js';
import { fittedEvaluator, networkSpace, resolveDataPath } from '../networks.js';
import { trainEvaluatorConfigSchema } from './config.js';
import { createTrainEvaluator } from './evaluator.js';

/** `evaluator: { type: train, data: ... }`: every candidate trained for real on ONNX Runtime. */
export const trainEvaluatorEntry = defineEvaluator({
  type: 'train',
  schema: trainEvaluatorConfigSchema,
  trains: true,
  resolvePaths: resolveDataPath,
  describe: (config) => ({ label: `${config.type}:${config.data.type}`, name: config.type }),
  build: async (config, { space: spec, baseDir }) => {
    const space = networkSpace(spec);
    const evaluator = await fittedEvaluator(space, await createTrainEvaluator(config, baseDir));
    return { space, evaluator, config };
  },
});
