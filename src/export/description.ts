import type { SpaceSpec } from '../core/space.js';
import type { Sample } from '../core/types.js';
import type { DataConfig } from '../data/config.js';
import type { Normalization } from '../data/normalize.js';
import type { TrainEvaluatorConfig } from '../evaluate/train/index.js';
import type { TensorInfo } from './model.js';

export const DESCRIPTION_FORMAT = 'naslab-export';
export const DESCRIPTION_VERSION = 1;

/** How the model's input is prepared. The standardisation is inside model.onnx (`baked`). */
export interface Preprocessing {
  readonly baked: true;
  /** What to feed, in words. */
  readonly feed: string;
  readonly layout: 'NCHW' | 'NF';
  /** The standardisation model.onnx applies: x[c] = (raw[c] * inputScale - mean[c]) / std[c]. */
  readonly inputScale: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** model.json: everything needed to use, trust and trace model.onnx. */
export interface ExportDescription {
  readonly format: typeof DESCRIPTION_FORMAT;
  readonly version: typeof DESCRIPTION_VERSION;
  readonly naslab: string;
  readonly createdAt: string;
  readonly source: {
    readonly experimentId: string;
    readonly experimentName: string;
    readonly trialId: string;
    readonly trialNumber: number;
    /** The trial's metrics as the search recorded them (proxy training). */
    readonly trialMetrics: Readonly<Record<string, number>>;
  };
  readonly architecture: {
    readonly space: SpaceSpec;
    readonly key: string;
    readonly sample: Sample;
    readonly params: number;
    readonly flops: number;
  };
  readonly model: {
    readonly file: string;
    readonly opset: number;
    readonly input: TensorInfo;
    /** `logits`, then `probabilities` (their softmax). */
    readonly outputs: readonly TensorInfo[];
  };
  /** Class names by label index (the outputs' second axis). */
  readonly classes: readonly string[];
  readonly preprocessing: Preprocessing;
  readonly training: {
    /** `reproduced`: trained as the trial was; `retrained`: --retrain-epochs on train + validation. */
    readonly mode: 'reproduced' | 'retrained';
    readonly epochs: number;
    readonly samples: number;
    readonly data: {
      readonly split: 'train' | 'train+valid';
      /** The share of the training split used (the search's proxy setting when reproducing). */
      readonly dataFraction: number;
      readonly config: DataConfig;
    };
    readonly batchSize: number;
    readonly optimizer: TrainEvaluatorConfig['optimizer'];
    readonly lr: number;
    readonly cosine: boolean;
    /** The training seed: the evaluator's seed mixed with the architecture key (trialSeed). */
    readonly seed: number;
    readonly trainLoss: number | null;
    /** reproduced: validation accuracy of these weights, the trial's, and whether they are equal. */
    readonly validAccuracy?: number;
    readonly trialValidAccuracy?: number;
    readonly matchesTrial?: boolean;
  };
  readonly evaluation: {
    /** Accuracy of model.onnx itself on the raw test split (null when the data has no test split). */
    readonly testAccuracy: number | null;
    readonly testSamples: number;
    readonly measuredWith: string;
  };
}

export function preprocessingOf(norm: Normalization, shape: readonly number[]): Preprocessing {
  const image = shape.length === 3;
  const scaled = norm.inputScale !== 1;
  return {
    baked: true,
    feed: image
      ? `float32 [N, ${shape.join(', ')}] (NCHW) of the data's raw values` +
        (scaled ? ` (pixel bytes 0-255; the model multiplies by ${norm.inputScale})` : '') +
        ', unstandardised: model.onnx standardises its input itself'
      : `float32 [N, ${shape.join(', ')}] of the raw feature values, unstandardised: model.onnx standardises them itself`,
    layout: image ? 'NCHW' : 'NF',
    inputScale: norm.inputScale,
    mean: [...norm.mean],
    std: [...norm.std],
  };
}
