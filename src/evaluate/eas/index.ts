export { EasEvaluator, createEasEvaluator } from './evaluator.js';
