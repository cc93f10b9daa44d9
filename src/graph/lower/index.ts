export { buildInferenceModel, lowerInference, type LowerInferenceOptions } from './inference.js';
