export { dartsEvaluatorConfigSchema, dartsRetrainConfig, type DartsEvaluatorConfig } from './config.js';
export { DARTS_PHASES, DartsEvaluator, createDartsEvaluator } from './evaluator.js';
export { buildDartsNetwork, type DartsNetwork } from './network.js';
export { DartsSearch } from './search.js';
