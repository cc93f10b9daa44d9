import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { NotFoundError, StorageError } from '../core/errors.js';
import type {
  ExperimentRecord,
  ExperimentState,
  NewTrial,
  Storage,
  TrialFilter,
  TrialResult,
} from '../core/storage.js';
import type {
  IntermediateReport,
  Json,
  Metrics,
  StrategyState,
  TrialRecord,
  TrialState,
} from '../core/types.js';
import { alreadyFinished, toJsonText } from './records.js';
import { isForeignKeyViolation, toStorageError } from './sqlite-errors.js';
import {
  createTrialTransaction,
  finishTransaction,
  type CreateTrialTransaction,
  type FinishParams,
  type FinishTransaction,
} from './sqlite-transactions.js';
import {
  encodeMetrics,
  parseRowId,
  toExperimentRecord,
  toReport,
  toStrategyState,
  toTrialRecord,
  type ExperimentRow,
  type ReportRow,
  type TrialRow,
} from './sqlite-rows.js';
import { checkIntegrity, checkStorePath, openReadOnly } from './sqlite-open.js';
import { checkNotForeign, prepareSchema } from './sqlite-schema.js';
import { prepareStatements, type Statements } from './sqlite-statements.js';

export interface SqliteOpenOptions {
  /** Read without taking write locks (the dashboard); writes are refused. Needs an existing database. */
  readonly readonly?: boolean;
}

/** How long a call waits for another process's write lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * The durable store: one SQLite file in WAL mode, so readers (the dashboard, `naslab ls`) never block
 * the running search. Ids are the integer row ids as strings, short enough to type (`naslab resume 3`).
 */
export class SqliteStorage implements Storage {
  readonly durable = true;
  private readonly statements: Statements;
  private readonly createTrialTransaction: CreateTrialTransaction;
  private readonly finishTransaction: FinishTransaction;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    /** The path as given, for messages. */
    readonly file: string,
    readonly readonly: boolean,
  ) {
    this.statements = prepareStatements(db);
    this.createTrialTransaction = createTrialTransaction(db, this.statements);
    this.finishTransaction = finishTransaction(db, this.statements);
  }

  static open(file: string, options: SqliteOpenOptions = {}): SqliteStorage {
    const readonly = options.readonly ?? false;
    const inMemory = file === ':memory:';
    // A folder, a FIFO or a device is the wrong path (a usage error), not a failing store.
    if (!inMemory) checkStorePath(file, readonly);
    let db: Database.Database | undefined;
    try {
      if (readonly && !inMemory) {
        db = openReadOnly(file, BUSY_TIMEOUT_MS).db;
      } else {
        if (!inMemory) mkdirSync(dirname(file), { recursive: true });
        db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
      }
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      if (!readonly) {
        // Before the first write: a damaged store is refused whole rather than half-used, and another
        // application's database is not switched to WAL before it is refused.
        checkIntegrity(db, file);
        checkNotForeign(db, file);
        // WAL is a property of the file: a read-only handle finds it set by the writer that created it.
        db.pragma('journal_mode = WAL');
      }
      // In WAL mode NORMAL loses no committed transaction on a process kill, only on a power cut.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      prepareSchema(db, file, readonly);
      return new SqliteStorage(db, file, readonly);
    } catch (e) {
      db?.close();
      throw toStorageError(e, file, readonly ? 'open the database read-only' : 'open the database');
    }
  }

  async createExperiment(name: string, config: Json): Promise<ExperimentRecord> {
    this.assertWritable('create an experiment');
    const configText = toJsonText(config, `the config of experiment "${name}"`);
    const now = Date.now();
    const row = this.attempt('create an experiment', () =>
      this.statements.insertExperiment.get(name, configText, now, now),
    );
    return toExperimentRecord(row as ExperimentRow);
  }

  async experiment(id: string): Promise<ExperimentRecord> {
    this.assertOpen();
    const rowId = this.experimentRowId(id);
    const row = this.attempt(`read experiment ${id}`, () => this.statements.selectExperiment.get(rowId));
    if (row === undefined) throw this.noExperiment(id);
    return toExperimentRecord(row as ExperimentRow);
  }

  async experiments(): Promise<readonly ExperimentRecord[]> {
    this.assertOpen();
    const rows = this.attempt('list experiments', () => this.statements.selectExperiments.all());
    return (rows as ExperimentRow[]).map(toExperimentRecord);
  }

  async setExperimentState(id: string, state: ExperimentState): Promise<void> {
    this.assertWritable(`set the state of experiment ${id}`);
    const rowId = this.experimentRowId(id);
    const result = this.attempt(`set the state of experiment ${id}`, () =>
      this.statements.updateExperimentState.run(state, Date.now(), rowId),
    );
    if (result.changes === 0) throw this.noExperiment(id);
  }

  async createTrial(
    experimentId: string,
    trial: NewTrial,
    strategyState?: StrategyState,
  ): Promise<TrialRecord> {
    const action = `create a trial in experiment ${experimentId}`;
    this.assertWritable(action);
    const rowId = this.experimentRowId(experimentId);
    const sampleText = toJsonText(trial.sample, 'the trial sample');
    const stateText = strategyState && this.strategyStateText(strategyState, experimentId);
    const row = this.attempt(action, () =>
      this.createTrialTransaction.immediate(rowId, sampleText, trial.key, stateText),
    );
    if (row === undefined) throw this.noExperiment(experimentId);
    return toTrialRecord(row);
  }

  async report(trialId: string, step: number, metrics: Metrics): Promise<void> {
    const action = `store a report of trial ${trialId}`;
    this.assertWritable(action);
    const rowId = this.trialRowId(trialId);
    const text = encodeMetrics(metrics);
    this.attempt(action, () => {
      try {
        this.statements.upsertReport.run(rowId, step, text);
      } catch (e) {
        if (isForeignKeyViolation(e)) throw this.noTrial(trialId);
        throw e;
      }
    });
  }

  async reports(trialId: string): Promise<readonly IntermediateReport[]> {
    this.assertOpen();
    const rowId = this.trialRowId(trialId);
    const rows = this.attempt(`read the reports of trial ${trialId}`, () => {
      const found = this.statements.selectReports.all(rowId) as ReportRow[];
      if (found.length === 0 && this.statements.selectTrialState.get(rowId) === undefined)
        throw this.noTrial(trialId);
      return found;
    });
    return rows.map(toReport);
  }

  async finish(trialId: string, result: TrialResult, strategyState?: StrategyState): Promise<TrialRecord> {
    const action = `finish trial ${trialId}`;
    this.assertWritable(action);
    const rowId = this.trialRowId(trialId);
    const stateText =
      strategyState && toJsonText(strategyState, `the strategy state given to finish trial ${trialId}`);
    const params: FinishParams = {
      id: rowId,
      state: result.state,
      metrics: encodeMetrics(result.metrics),
      score: result.score ?? null,
      cost: result.cost,
      errorCode: result.error?.code ?? null,
      errorMessage: result.error?.message ?? null,
      now: Date.now(),
    };
    const row = this.attempt(action, () => this.finishTransaction.immediate(params, stateText));
    if (row === undefined) throw alreadyFinished(trialId, this.trialState(rowId, trialId), 'finish');
    return toTrialRecord(row);
  }

  async requeue(trialId: string): Promise<void> {
    const action = `requeue trial ${trialId}`;
    this.assertWritable(action);
    const rowId = this.trialRowId(trialId);
    const result = this.attempt(action, () => this.statements.requeueTrial.run(rowId));
    if (result.changes === 0) {
      const state = this.trialState(rowId, trialId);
      if (state !== 'queued') throw alreadyFinished(trialId, state, 'requeue');
    }
  }

  async trials(experimentId: string, filter?: TrialFilter): Promise<readonly TrialRecord[]> {
    this.assertOpen();
    const rowId = this.experimentRowId(experimentId);
    const rows = this.attempt(`read the trials of experiment ${experimentId}`, () => {
      const found = (
        filter?.states === undefined
          ? this.statements.selectTrials.all(rowId)
          : this.statements.selectTrialsInStates.all(rowId, JSON.stringify(filter.states))
      ) as TrialRow[];
      if (found.length === 0 && this.statements.selectExperiment.get(rowId) === undefined) {
        throw this.noExperiment(experimentId);
      }
      return found;
    });
    return rows.map(toTrialRecord);
  }

  async saveStrategyState(experimentId: string, state: StrategyState): Promise<void> {
    const action = `save the strategy state of experiment ${experimentId}`;
    this.assertWritable(action);
    const rowId = this.experimentRowId(experimentId);
    const text = this.strategyStateText(state, experimentId);
    const result = this.attempt(action, () => this.statements.saveStrategyState.run(text, Date.now(), rowId));
    if (result.changes === 0) throw this.noExperiment(experimentId);
  }

  async loadStrategyState(experimentId: string): Promise<StrategyState | undefined> {
    this.assertOpen();
    const rowId = this.experimentRowId(experimentId);
    const row = this.attempt(`load the strategy state of experiment ${experimentId}`, () =>
      this.statements.loadStrategyState.get(rowId),
    ) as { strategy_state: string | null } | undefined;
    if (row === undefined) throw this.noExperiment(experimentId);
    return toStrategyState(row.strategy_state, this.file, experimentId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError(`${this.file}: the storage is closed`);
  }

  private assertWritable(action: string): void {
    this.assertOpen();
    if (this.readonly)
      throw new StorageError(`${this.file}: cannot ${action}: this handle was opened read-only`);
  }

  /** Runs one database call, turning its failure into a StorageError that names the file and a fix. */
  private attempt<T>(action: string, call: () => T): T {
    try {
      return call();
    } catch (e) {
      throw toStorageError(e, this.file, action);
    }
  }

  private strategyStateText(state: StrategyState, experimentId: string): string {
    return toJsonText(state, `the strategy state of experiment ${experimentId}`);
  }

  private experimentRowId(id: string): number {
    const rowId = parseRowId(id);
    if (rowId === undefined) throw this.noExperiment(id);
    return rowId;
  }

  private trialRowId(id: string): number {
    const rowId = parseRowId(id);
    if (rowId === undefined) throw this.noTrial(id);
    return rowId;
  }

  private trialState(rowId: number, trialId: string): TrialState {
    const row = this.attempt(`read trial ${trialId}`, () => this.statements.selectTrialState.get(rowId)) as
      { state: TrialState } | undefined;
    if (row === undefined) throw this.noTrial(trialId);
    return row.state;
  }

  private noExperiment(id: string): NotFoundError {
    return new NotFoundError(
      `no experiment with id ${JSON.stringify(id)} in ${this.file} (naslab ls lists them)`,
    );
  }

  private noTrial(id: string): NotFoundError {
    return new NotFoundError(`no trial with id ${JSON.stringify(id)} in ${this.file}`);
  }
}
