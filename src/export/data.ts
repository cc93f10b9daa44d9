import { ConfigError } from '../core/errors.js';
import { loadDataset, type LoadOptions, type LoadedData } from '../data/config.js';
import { sampleSize, type Dataset } from '../data/dataset.js';
import { normalizeSplits } from '../data/normalize.js';
import type { TrainEvaluatorConfig } from '../evaluate/train/index.js';

/** The experiment's dataset twice over: standardised as its trials saw it, and the raw test split. */
export interface ExportData {
  /** Exactly what the train evaluator loads (before its dataFraction cut). */
  readonly loaded: LoadedData;
  /**
   * The test split as the data file holds it (pixel bytes 0-255, CSV numbers): what the exported
   * model, which standardises its input itself, is fed.
   */
  readonly rawTest: Dataset;
}

/**
 * Loads the data once, unstandardised, and standardises a copy with the training split's statistics:
 * the same computation loadDataset does with `normalize: true` (normalizeSplits), so the trials'
 * inputs are reproduced exactly, and the raw values stay at hand for the exported model's test.
 */
export async function loadExportData(
  config: TrainEvaluatorConfig,
  baseDir: string,
  options: LoadOptions = {},
): Promise<ExportData> {
  const raw = await loadDataset({ ...config.data, normalize: false }, baseDir, options);
  const loaded: LoadedData = config.data.normalize
    ? { ...normalizeSplits(raw, false), classes: raw.classes, shape: raw.shape }
    : raw;
  return { loaded, rawTest: fileValues(raw.test, raw.normalization.inputScale) };
}

/**
 * Undoes a reader's scaling (x = raw * inputScale): the readers that scale (IDX: bytes / 255) read
 * integers, so rounding recovers each byte exactly; a value that does not round back is refused
 * rather than silently perturbed.
 */
export function fileValues(data: Dataset, inputScale: number): Dataset {
  if (inputScale === 1) return data;
  const x = new Float32Array(data.x.length);
  for (let k = 0; k < x.length; k++) {
    const v = (data.x[k] as number) / inputScale;
    const r = Math.round(v);
    if (Math.abs(v - r) > 1e-3) {
      throw new ConfigError(
        `${data.source}: value ${data.x[k]} is not an integer times the input scale ${inputScale}; ` +
          'export cannot recover the file values it came from',
      );
    }
    x[k] = r;
  }
  return { ...data, x };
}

/** Training and validation data as one training set (export's retraining on all labelled data). */
export function concatDatasets(a: Dataset, b: Dataset, source: string): Dataset {
  const size = sampleSize(a.shape);
  if (sampleSize(b.shape) !== size) throw new RangeError(`${source}: the two parts' samples differ in shape`);
  const x = new Float32Array((a.count + b.count) * size);
  x.set(a.x, 0);
  x.set(b.x, a.count * size);
  const y = new Int32Array(a.count + b.count);
  y.set(a.y, 0);
  y.set(b.y, a.count);
  return { ...a, source, count: a.count + b.count, x, y };
}
