export { EasEvaluator, bindEas, createEasEvaluator } from './evaluator.js';
