import type { ExperimentRecord, ExperimentState } from '../core/storage.js';
import type {
  IntermediateReport,
  Json,
  Metrics,
  Sample,
  StrategyState,
  TrialRecord,
  TrialState,
} from '../core/types.js';
import { StorageError } from '../core/errors.js';

/** Rows as better-sqlite3 returns them (column names as in sqlite-schema.ts). */
export interface ExperimentRow {
  readonly id: number;
  readonly name: string;
  readonly config: string;
  readonly state: ExperimentState;
  readonly created_at: number;
  readonly updated_at: number;
}

export interface TrialRow {
  readonly id: number;
  readonly experiment_id: number;
  readonly number: number;
  readonly sample: string;
  readonly key: string;
  readonly state: TrialState;
  readonly metrics: string;
  readonly score: number | null;
  readonly cost: number | null;
  readonly error_code: string | null;
  readonly error_message: string | null;
  readonly created_at: number;
  readonly finished_at: number | null;
}

export interface ReportRow {
  readonly step: number;
  readonly metrics: string;
}

/**
 * A SELECT list naming exactly a row type's fields, in the order given. The compiler checks the record
 * names every field and no other, so a statement always fills the row its decoder reads.
 */
function selectList<Row>(fields: Readonly<Record<keyof Row, true>>): string {
  return Object.keys(fields).join(', ');
}

/** The columns of every statement that yields an ExperimentRow, a TrialRow or a ReportRow. */
export const EXPERIMENT_COLUMNS = selectList<ExperimentRow>({
  id: true,
  name: true,
  config: true,
  state: true,
  created_at: true,
  updated_at: true,
});
export const TRIAL_COLUMNS = selectList<TrialRow>({
  id: true,
  experiment_id: true,
  number: true,
  sample: true,
  key: true,
  state: true,
  metrics: true,
  score: true,
  cost: true,
  error_code: true,
  error_message: true,
  created_at: true,
  finished_at: true,
});
export const REPORT_COLUMNS = selectList<ReportRow>({ step: true, metrics: true });

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Metrics as JSON text. JSON has no NaN or Infinity (a benchmark table may miss a value), so those are
 * written as the strings "NaN", "Infinity", "-Infinity" and turned back into numbers on reading.
 */
export function encodeMetrics(metrics: Metrics): string {
  for (const name in metrics) {
    if (!Number.isFinite(metrics[name])) {
      return JSON.stringify(metrics, (_key, value: unknown) =>
        typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
      );
    }
  }
  return JSON.stringify(metrics);
}

export function decodeMetrics(text: string): Metrics {
  const metrics = JSON.parse(text) as Record<string, number | string>;
  for (const name in metrics) {
    const value = metrics[name];
    if (typeof value === 'string') metrics[name] = Number(value);
  }
  return metrics as Metrics;
}

/** Database row ids are what users type (`naslab resume 3`); anything else names no row. */
export function parseRowId(id: string): number | undefined {
  return /^[1-9][0-9]{0,14}$/.test(id) ? Number(id) : undefined;
}

export function toExperimentRecord(row: ExperimentRow): ExperimentRecord {
  return {
    id: String(row.id),
    name: row.name,
    config: JSON.parse(row.config) as Json,
    state: row.state,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toTrialRecord(row: TrialRow): TrialRecord {
  const record: Mutable<TrialRecord> = {
    id: String(row.id),
    experimentId: String(row.experiment_id),
    number: row.number,
    sample: JSON.parse(row.sample) as Sample,
    key: row.key,
    state: row.state,
    metrics: decodeMetrics(row.metrics),
    // SQLite stores a NaN as NULL: a NULL cost can only have been one.
    cost: row.cost ?? Number.NaN,
    createdAt: row.created_at,
  };
  if (row.score !== null) record.score = row.score;
  if (row.error_code !== null) record.error = { code: row.error_code, message: row.error_message ?? '' };
  if (row.finished_at !== null) record.finishedAt = row.finished_at;
  return record;
}

export function toReport(row: ReportRow): IntermediateReport {
  return { step: row.step, metrics: decodeMetrics(row.metrics) };
}

export function toStrategyState(
  text: string | null,
  file: string,
  experimentId: string,
): StrategyState | undefined {
  if (text === null) return undefined;
  const state = JSON.parse(text) as Partial<StrategyState> | null;
  if (state === null || typeof state !== 'object' || typeof state.strategy !== 'string') {
    throw new StorageError(
      `${file}: the saved strategy state of experiment ${experimentId} is damaged (no strategy name)`,
    );
  }
  return state as StrategyState;
}
