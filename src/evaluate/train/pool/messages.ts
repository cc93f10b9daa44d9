import {
  ConfigError,
  FatalError,
  InvalidArchitectureError,
  NaslabError,
  NotFoundError,
  StorageError,
  TrialFailedError,
} from '../../../core/errors.js';
import type { Evaluation } from '../../../core/evaluator.js';
import type { Metrics } from '../../../core/types.js';
import type { Splits } from '../../../data/split.js';
import type { GraphJSON } from '../../../graph/graph.js';
import type { TrainEvaluatorConfig } from '../config.js';

/**
 * The pool's protocol. Main thread -> worker: a trial to train, and the acknowledgement of each report
 * (the worker waits for it, as trainEpochs waits for onEpoch in the main thread, so a pruner's verdict
 * on a report takes effect at the same step in both). Worker -> main: reports, then a result or an error.
 * Stop requests do not travel as messages (the worker's loop is busy in ONNX Runtime): they are written
 * to the trial's shared flag, which the training loop reads before every step.
 */

/** What each worker is started with: the config and the splits, backed by SharedArrayBuffers. */
export interface WorkerSetup {
  readonly config: TrainEvaluatorConfig;
  readonly data: Splits;
}

/** Values of a trial's stop flag (Int32Array(1) over a SharedArrayBuffer). */
export const RUN = 0;
/** A pruner stopped the trial: stop training, still score it. */
export const PRUNED = 1;
/** The run was cancelled: stop, do no further work. */
export const CANCELLED = 2;

export type ToWorker =
  | {
      readonly type: 'trial';
      readonly id: number;
      readonly graph: GraphJSON;
      readonly key: string;
      readonly flag: Int32Array;
    }
  | { readonly type: 'ack'; readonly id: number };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'report'; readonly id: number; readonly step: number; readonly metrics: Metrics }
  | { readonly type: 'result'; readonly id: number; readonly evaluation: Evaluation }
  | { readonly type: 'error'; readonly id: number; readonly error: ErrorData };

/** An error as data: structured cloning keeps only Error's own fields, not naslab's classes. */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export function errorToData(e: unknown): ErrorData {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

const KINDS: Record<string, new (message: string) => NaslabError> = {
  ConfigError,
  FatalError,
  InvalidArchitectureError,
  NotFoundError,
  StorageError,
  TrialFailedError,
};

/** Rebuilds the worker's error as the same naslab class, so the runner sorts it as in the main thread. */
export function errorFromData(data: ErrorData): Error {
  const Kind = KINDS[data.name];
  const e = Kind === undefined ? new Error(data.message) : new Kind(data.message);
  if (Kind === undefined) e.name = data.name;
  if (data.stack !== undefined) e.stack = data.stack;
  return e;
}
