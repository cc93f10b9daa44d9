import type { Dataset } from '../data/dataset.js';
import type { SessionOptions } from '../runtime/session.js';
import { modelAccuracy } from '../runtime/train/evaluate.js';

/**
 * The session settings export measures test accuracy with: ONNX Runtime's defaults for a user's
 * InferenceSession (all graph optimisations), so a plain `InferenceSession.create('model.onnx')`
 * reproduces the figure in model.json.
 */
export const MEASURE_SESSION: SessionOptions = { graphOptimizationLevel: 'all' };

/** Accuracy of the exported model, measured as a user's default session would run it. */
export function exportedAccuracy(
  bytes: Uint8Array,
  data: Dataset,
  options: { readonly input: string; readonly output: string; readonly batchSize?: number },
): Promise<number> {
  return modelAccuracy(bytes, data, options, MEASURE_SESSION);
}
