export {
  batchLatency,
  measureLatency,
  measureModelLatency,
  parseLatencyOptions,
  type BatchLatency,
  type LatencyOptions,
  type LatencyOptionsInput,
  type LatencyResult,
} from './measure.js';
export { coefficientOfVariation, mean, median, quantile, std, summarize, type Summary } from './stats.js';
