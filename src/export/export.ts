import type { Storage } from '../core/storage.js';
import type { LoadOptions } from '../data/config.js';
import { trialSeed } from '../evaluate/train/index.js';
import { countFlops, countParams } from '../graph/count.js';
import { OPSET_VERSION } from '../graph/onnx/index.js';
import { trainingIo } from '../runtime/train/index.js';
import { MEASURE_SESSION, exportedAccuracy } from './accuracy.js';
import { loadExportData } from './data.js';
import {
  DESCRIPTION_FORMAT,
  DESCRIPTION_VERSION,
  preprocessingOf,
  type ExportDescription,
} from './description.js';
import { DESCRIPTION_FILE, MODEL_FILE, checkOutDir, writeExportFiles } from './files.js';
import { buildExportModel } from './model.js';
import { retrain, type RetrainEpoch, type RetrainPlan } from './retrain.js';
import { narrowGraph } from '../evaluate/train/proxy-width.js';
import { exportSource, type TrialChoice } from './source.js';
import { naslabVersion } from './version.js';

export interface ExportOptions {
  readonly experimentId: string;
  /** A trial id (as `naslab show` prints it) or `#N`, its number; default the best complete trial. */
  readonly trial?: TrialChoice;
  /** Retrain this many epochs on training + validation data instead of reproducing the trial. */
  readonly retrainEpochs?: number;
  /** The folder model.onnx and model.json go to. */
  readonly out: string;
  /** Replace model.onnx and model.json in a non-empty folder. */
  readonly force?: boolean;
  /** Stops retraining between steps; nothing is written then. */
  readonly signal?: AbortSignal;
  /** Progress: what export is doing now, and each epoch of (re)training. */
  readonly onStage?: (stage: ExportStage) => void;
  readonly onEpoch?: (epoch: RetrainEpoch) => void;
  /** Where relative data paths resolve (stored configs hold absolute ones). Default: the current folder. */
  readonly baseDir?: string;
  readonly load?: LoadOptions;
}

export type ExportStage =
  | { readonly stage: 'data'; readonly trialNumber: number; readonly key: string }
  | {
      readonly stage: 'train';
      readonly mode: 'reproduce' | 'full';
      readonly epochs: number;
      readonly samples: number;
    }
  | { readonly stage: 'measure'; readonly samples: number }
  | { readonly stage: 'write'; readonly out: string };

export type ExportResult =
  | { readonly status: 'written'; readonly description: ExportDescription; readonly files: readonly string[] }
  | { readonly status: 'aborted' };

/**
 * `naslab export`: rebuilds a trial's network from the store, trains it (as the trial did, or longer
 * on all labelled data), wraps it as a self-contained ONNX inference model that standardises its own
 * input, measures that very model on the test split, and writes model.onnx + model.json atomically.
 */
export async function exportModel(storage: Storage, options: ExportOptions): Promise<ExportResult> {
  const force = options.force ?? false;
  const source = await exportSource(storage, options.experimentId, options.trial);
  await checkOutDir(options.out, force); // before any training: fail fast
  const { trial, evaluator: c } = source;
  options.onStage?.({ stage: 'data', trialNumber: trial.number, key: trial.key });
  const { loaded, rawTest } = await loadExportData(c, options.baseDir ?? process.cwd(), options.load);
  const plan: RetrainPlan =
    options.retrainEpochs === undefined
      ? { mode: 'reproduce', epochs: trial.metrics['epochs'] }
      : { mode: 'full', epochs: options.retrainEpochs };
  // Reproducing a trial trained at a proxy width reproduces that narrower network; retraining
  // trains the architecture at its full width.
  const graph = plan.mode === 'reproduce' ? narrowGraph(source.graph, c.widthMultiplier ?? 1) : source.graph;
  const io = trainingIo(graph, loaded);
  const trained = await retrain(graph, trial.key, c, loaded, plan, {
    signal: options.signal,
    onStart: ({ epochs, samples }) => options.onStage?.({ stage: 'train', mode: plan.mode, epochs, samples }),
    onEpoch: options.onEpoch,
  });
  if (trained.aborted || options.signal?.aborted) return { status: 'aborted' };

  const version = naslabVersion();
  const model = buildExportModel(graph, trained.params, {
    input: io.input,
    logits: io.logits,
    normalization: loaded.normalization,
    producerVersion: version,
    docString: `naslab export of trial #${trial.number} (${trial.key}) of experiment ${source.experiment.id}`,
  });
  options.onStage?.({ stage: 'measure', samples: rawTest.count });
  const testAccuracy =
    rawTest.count > 0
      ? await exportedAccuracy(model.bytes, rawTest, {
          input: model.input.name,
          output: model.outputs[0].name,
        })
      : null;
  if (options.signal?.aborted) return { status: 'aborted' };

  const last = trained.epochs.at(-1);
  const reproduced = plan.mode === 'reproduce';
  const trialValid = trial.metrics['valid_acc'];
  const description: ExportDescription = {
    format: DESCRIPTION_FORMAT,
    version: DESCRIPTION_VERSION,
    naslab: version,
    createdAt: new Date().toISOString(),
    source: {
      experimentId: source.experiment.id,
      experimentName: source.experiment.name,
      trialId: trial.id,
      trialNumber: trial.number,
      trialMetrics: trial.metrics,
    },
    architecture: {
      space: source.space.toJSON(),
      key: trial.key,
      sample: trial.sample,
      params: countParams(graph),
      flops: countFlops(graph),
    },
    model: { file: MODEL_FILE, opset: OPSET_VERSION, input: model.input, outputs: model.outputs },
    classes: loaded.classes,
    preprocessing: preprocessingOf(loaded.normalization, loaded.shape),
    training: {
      mode: reproduced ? 'reproduced' : 'retrained',
      epochs: trained.epochs.length,
      samples: trained.trainSamples,
      data: reproduced
        ? { split: 'train', dataFraction: c.dataFraction, config: c.data }
        : { split: 'train+valid', dataFraction: 1, config: c.data },
      batchSize: c.batchSize,
      optimizer: c.optimizer,
      lr: c.lr,
      cosine: c.cosine,
      seed: trialSeed(c.seed, trial.key),
      trainLoss: last?.trainLoss ?? null,
      ...(reproduced && last !== undefined
        ? {
            validAccuracy: last.accuracy,
            ...(trialValid === undefined
              ? {}
              : { trialValidAccuracy: trialValid, matchesTrial: last.accuracy === trialValid }),
          }
        : {}),
    },
    evaluation: {
      testAccuracy,
      testSamples: rawTest.count,
      measuredWith: `onnxruntime-node, CPU, graphOptimizationLevel ${MEASURE_SESSION.graphOptimizationLevel}, float32 raw test inputs`,
    },
  };
  options.onStage?.({ stage: 'write', out: options.out });
  const files = await writeExportFiles(
    options.out,
    [
      [MODEL_FILE, model.bytes],
      [DESCRIPTION_FILE, `${JSON.stringify(description, null, 2)}\n`],
    ],
    force,
  );
  return { status: 'written', description, files };
}
