import { createHash, randomBytes } from 'node:crypto';
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
   * Names the experiment in its store, stable across resumes: a resumed coordinator re-attaches only to
   * jobs with its own tag, never to those of another store that happens to have the same experiment and
   * trial ids (every fresh database starts at experiment 1).
   */
  readonly runTag: string;
  /**
   * The coordinator process that added the job (random, new at every start): it makes the job id, and
   * every Redis key derived from it, unique to that process, whatever other coordinators share the queue.
   */
  readonly coordinator: string;
  /** Starts (including ones whose worker died) before the trial is recorded failed. */
  readonly attempts: number;
  /** Per-trial wall-clock limit in milliseconds; absent: none. */
  readonly timeoutMs?: number;
}

/**
 * Which trial an answer or a report is about, sent back by the worker from the job it ran: the
 * coordinator records nothing that does not name the job it is waiting for.
 */
export interface TrialIdentity {
  readonly jobId: string;
  readonly coordinator: string;
  readonly runTag: string;
  readonly experimentId: string;
  readonly trialId: string;
  readonly key: string;
}

export function identityOf(jobId: string, job: TrialJob): TrialIdentity {
  return {
    jobId,
    coordinator: job.coordinator,
    runTag: job.runTag,
    experimentId: job.experimentId,
    trialId: job.trialId,
    key: job.key,
  };
}

/** Undefined when the two name the same job; otherwise what differs, for the message. */
export function identityMismatch(expected: TrialIdentity, found: TrialIdentity | undefined): string | undefined {
  if (found === undefined) return 'it names no trial (a worker of another naslab version?)';
  const fields = ['jobId', 'coordinator', 'runTag', 'experimentId', 'trialId', 'key'] as const;
  const differ = fields.filter((f) => expected[f] !== found[f]);
  if (differ.length === 0) return undefined;
  return `it is for ${differ.map((f) => `${f} ${JSON.stringify(found[f])}`).join(', ')}, not ${differ
    .map((f) => JSON.stringify(expected[f]))
    .join(', ')}`;
}

/**
 * A worker's answer. Evaluation errors are answers, not job failures: an invalid architecture or a
 * failed trial is the trial's outcome, and retrying it on another worker would only repeat it. Job
 * failures (and their retries) are kept for crashes and for workers that cannot build the evaluator.
 */
export type TrialOutcome = (
  | { readonly kind: 'ok'; readonly metrics: Metrics; readonly cost: number }
  | { readonly kind: 'error'; readonly error: ErrorInfo }
  /** The coordinator stopped (Ctrl-C): the trial was not evaluated, resume runs it again. */
  | { readonly kind: 'aborted' }
) & {
  /** The job the answer is for (absent only from workers of older versions, whose answers are refused). */
  readonly trial?: TrialIdentity;
};

/** Intermediate report, sent as the job's progress. `seq` numbers the worker's reports for the ack. */
export interface TrialProgress {
  readonly step: number;
  readonly metrics: Metrics;
  readonly seq: number;
  readonly trial?: TrialIdentity;
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

/**
 * Experiment and trial ids are only unique within one store (every new database starts at 1), so the
 * job id also carries the coordinator's random id and a count of the jobs it added: no two coordinators,
 * and no two evaluations in one, ever share a job id, however many stores use the queue. BullMQ job ids
 * must not contain ':'.
 */
export function jobIdOf(coordinator: string, experimentId: string, trialId: string, n: number): string {
  if (!/^[0-9a-z]+$/.test(coordinator)) throw new Error(`coordinator id "${coordinator}": expected [0-9a-z]+`);
  return `e${experimentId}-t${trialId}-${coordinator}-${n}`;
}

/** A fresh coordinator id: 64 random bits, so two coordinators never draw the same. */
export function newCoordinatorId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * Where a coordinator notes, per trial, the job it added, so that a resumed coordinator of the same
 * store finds it again (the job ids themselves are new at every start). `runKey` digests what names the
 * experiment in its store (see `runKeyOf`).
 */
export function attachKey(queueName: string, runKey: string): string {
  return `naslab:attach:${queueName}:${runKey}`;
}

/** A digest of the experiment's identity in its store: id, tag (creation time and store) and config. */
export function runKeyOf(experimentId: string, runTag: string, config: Json): string {
  return createHash('sha256')
    .update(JSON.stringify([experimentId, runTag, config]))
    .digest('hex')
    .slice(0, 32);
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

function readIdentity(v: unknown): TrialIdentity | undefined {
  if (!isRecord(v)) return undefined;
  const fields = ['jobId', 'coordinator', 'runTag', 'experimentId', 'trialId', 'key'] as const;
  if (!fields.every((f) => typeof v[f] === 'string')) return undefined;
  const s = v as Record<(typeof fields)[number], string>;
  return {
    jobId: s.jobId,
    coordinator: s.coordinator,
    runTag: s.runTag,
    experimentId: s.experimentId,
    trialId: s.trialId,
    key: s.key,
  };
}

/** A worker's return value, checked: a worker of another version must not corrupt the store. */
export function parseOutcome(raw: unknown): TrialOutcome {
  const v = unwrap(raw);
  if (isRecord(v)) {
    const metrics = readMetrics(v.metrics);
    const trial = readIdentity(v.trial);
    const named = trial === undefined ? {} : { trial };
    if (v.kind === 'ok' && metrics !== undefined && typeof v.cost === 'number') {
      return { kind: 'ok', metrics, cost: v.cost, ...named };
    }
    if (v.kind === 'error' && isRecord(v.error)) {
      const error = { code: String(v.error.code), message: String(v.error.message) };
      return { kind: 'error', error, ...named };
    }
    if (v.kind === 'aborted') return { kind: 'aborted', ...named };
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
  if (metrics === undefined) return undefined;
  const trial = readIdentity(v.trial);
  return { step: v.step, metrics, seq: v.seq, ...(trial === undefined ? {} : { trial }) };
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
