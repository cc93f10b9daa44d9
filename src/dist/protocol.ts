import { FatalError, InvalidArchitectureError, NaslabError } from '../core/errors.js';
import type { ErrorInfo, Json, Metrics, Sample } from '../core/types.js';

/**
 * What travels through the queue. A job carries the experiment's whole config, so a worker on another
 * machine needs no access to the coordinator's store: only to the files the config names (a user table,
 * a dataset) at the same paths.
 */
export interface TrialJob {
  readonly experimentId: string;
  readonly trialId: string;
  readonly sample: Sample;
  readonly key: string;
  /** The experiment's validated config, as stored (configToJson). */
  readonly config: Json;
  /**
   * Names the coordinator's run: a job left in Redis by another store that happens to have the same
   * experiment and trial ids (a fresh database) is not mistaken for this trial's.
   */
  readonly runTag: string;
  /** Starts (including ones whose worker died) before the trial is recorded failed. */
  readonly attempts: number;
  /** Per-trial wall-clock limit in milliseconds; absent: none. */
  readonly timeoutMs?: number;
}

/**
 * A worker's answer. Evaluation errors are answers, not job failures: an invalid architecture or a
 * failed trial is the trial's outcome, and retrying it on another worker would only repeat it. Job
 * failures (and their retries) are kept for crashes and for workers that cannot build the evaluator.
 */
export type TrialOutcome =
  | { readonly kind: 'ok'; readonly metrics: Metrics; readonly cost: number }
  | { readonly kind: 'error'; readonly error: ErrorInfo }
  /** The coordinator stopped (Ctrl-C): the trial was not evaluated, resume runs it again. */
  | { readonly kind: 'aborted' };

/** Intermediate report, sent as the job's progress. `seq` numbers the worker's reports for the ack. */
export interface TrialProgress {
  readonly step: number;
  readonly metrics: Metrics;
  readonly seq: number;
}

/** The coordinator's word on a running trial, in a Redis key the worker reads. */
export interface TrialControl {
  /** The last report the coordinator has recorded (and judged). */
  readonly ack: number;
  /** The pruner's verdict. */
  readonly stop: boolean;
  /** The coordinator was stopped: end the evaluation now. */
  readonly abort: boolean;
}

export const DEFAULT_QUEUE_NAME = 'naslab';
export const DEFAULT_ATTEMPTS = 3;
/** Control keys expire on their own: a coordinator that dies leaves nothing behind for long. */
export const CONTROL_TTL_SECONDS = 24 * 3600;

/** BullMQ job ids must not contain ':'; trial ids are unique within an experiment. */
export function jobIdOf(experimentId: string, trialId: string): string {
  return `e${experimentId}-t${trialId}`;
}

export function controlKey(queueName: string, jobId: string): string {
  return `naslab:control:${queueName}:${jobId}`;
}

export function parseControl(raw: string | null): TrialControl {
  if (raw === null) return { ack: 0, stop: false, abort: false };
  const v = JSON.parse(raw) as Partial<TrialControl>;
  return { ack: Number(v.ack ?? 0), stop: v.stop === true, abort: v.abort === true };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Metrics as they arrive from JSON: a NaN was sent as null and is a NaN again. */
function readMetrics(v: unknown): Metrics | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'number') out[k] = x;
    else if (x === null) out[k] = Number.NaN;
    else return undefined;
  }
  return out;
}

/** Return values and progress arrive parsed from events, or as JSON text from some paths. */
function unwrap(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** A worker's return value, checked: a worker of another version must not corrupt the store. */
export function parseOutcome(raw: unknown): TrialOutcome {
  const v = unwrap(raw);
  if (isRecord(v)) {
    const metrics = readMetrics(v.metrics);
    if (v.kind === 'ok' && metrics !== undefined && typeof v.cost === 'number') {
      return { kind: 'ok', metrics, cost: v.cost };
    }
    if (v.kind === 'error' && isRecord(v.error)) {
      return { kind: 'error', error: { code: String(v.error.code), message: String(v.error.message) } };
    }
    if (v.kind === 'aborted') return { kind: 'aborted' };
  }
  return {
    kind: 'error',
    error: { code: 'E_TRIAL_FAILED', message: `the worker answered something unreadable: ${JSON.stringify(v)}` },
  };
}

export function parseProgress(raw: unknown): TrialProgress | undefined {
  const v = unwrap(raw);
  if (!isRecord(v) || typeof v.step !== 'number' || typeof v.seq !== 'number') return undefined;
  const metrics = readMetrics(v.metrics);
  return metrics === undefined ? undefined : { step: v.step, metrics, seq: v.seq };
}

/**
 * The error a worker's answer stands for, of the class the runner branches on: invalid architecture,
 * fatal, or (any other code, kept as it was) a failed trial.
 */
export function errorFromInfo(info: ErrorInfo): Error {
  if (info.code === 'E_INVALID_ARCH') return new InvalidArchitectureError(info.message);
  if (info.code === 'E_FATAL') return new FatalError(info.message);
  return new NaslabError(info.code, info.message);
}
