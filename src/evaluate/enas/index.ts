export { enasEvaluatorConfigSchema, enasRetrainConfig, type EnasEvaluatorConfig } from './config.js';
export { ENAS_PHASES, EnasEvaluator, createEnasEvaluator } from './evaluator.js';
