import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { NotFoundError, StorageError } from '../../core/errors.js';
import type { ExperimentRecord } from '../../core/storage.js';
import { DIAGNOSTICS_STEP } from '../../core/strategy.js';
import type { IntermediateReport, TrialRecord } from '../../core/types.js';
import { toStorageError } from '../../storage/sqlite-errors.js';
import {
  parseRowId,
  REPORT_COLUMNS,
  toExperimentRecord,
  toReport,
  toTrialRecord,
  TRIAL_COLUMNS,
  type ExperimentRow,
  type ReportRow,
  type TrialRow,
} from '../../storage/sqlite-rows.js';
import { fileStamp, openReadOnly, type ReadOnlyDatabase } from '../../storage/sqlite-open.js';
import { prepareSchema } from '../../storage/sqlite-schema.js';
import { prepareAll, READ_SQL, type Prepared } from '../../storage/sqlite-statements.js';

/**
 * SQLite's own wait for a lock, kept tiny: better-sqlite3 waits synchronously, and the dashboard's
 * event loop must stay free; longer waits happen in retry() without blocking.
 */
const BUSY_TIMEOUT_MS = 20;
/** How long retry() keeps trying a busy database before giving up (never in a healthy WAL database). */
const RETRY_FOR_MS = 30_000;

/** The store's own reads (storage/sqlite-statements.ts), and the dashboard's. */
const SQL = {
  ...READ_SQL,
  trial: `SELECT ${TRIAL_COLUMNS} FROM trials WHERE id = ? AND experiment_id = ?`,
  /**
   * Per trial of an experiment, the reports that may carry controller statistics: the strategy's
   * diagnostics (the step the runner records them at) and the evaluator's latest report (enas reports
   * its own controller's reward and entropy last). Chosen by step alone: two primary-key lookups
   * per trial, and no metrics text is searched.
   */
  controllerReports: `SELECT number, ${REPORT_COLUMNS} FROM (
         SELECT id AS trial, number, (SELECT max(step) FROM reports WHERE trial_id = trials.id) AS latest
         FROM trials WHERE experiment_id = @experiment)
       JOIN reports ON trial_id = trial AND step IN (@diagnostics, latest)
       ORDER BY number, step`,
  /** Per-experiment counters: the live-update poll compares them (one scan of trials, no JSON). */
  trialStats: `SELECT experiment_id AS id, count(*) AS trials, coalesce(sum(state = 'complete'), 0) AS complete,
       coalesce(sum(finished_at IS NOT NULL), 0) AS finished, coalesce(sum(state = 'queued'), 0) AS queued,
       coalesce(max(id), 0) AS lastId
       FROM trials GROUP BY experiment_id`,
  reportStats: `SELECT t.experiment_id AS id, count(*) AS reports
       FROM reports r JOIN trials t ON t.id = r.trial_id GROUP BY t.experiment_id`,
  experimentStats: `SELECT id, state, updated_at AS updatedAt FROM experiments`,
  /** The best complete trial: highest score, first on a tie (as runner/best.ts picks it). */
  bestTrial: `SELECT ${TRIAL_COLUMNS} FROM trials
       WHERE experiment_id = ? AND state = 'complete' AND score IS NOT NULL
       ORDER BY score DESC, number ASC LIMIT 1`,
  counts: `SELECT count(*) AS trials, coalesce(sum(state = 'complete'), 0) AS complete
       FROM trials WHERE experiment_id = ?`,
} as const;

type Statements = Prepared<typeof SQL>;

export interface TrialStats {
  readonly trials: number;
  readonly complete: number;
  readonly finished: number;
  readonly queued: number;
  readonly lastId: number;
  readonly reports: number;
}

export interface ExperimentStats {
  readonly id: string;
  readonly state: string;
  readonly updatedAt: number;
  readonly trials: TrialStats;
}

export interface ControllerReport {
  /** The trial's number. */
  readonly number: number;
  readonly report: IntermediateReport;
}

const NO_TRIALS: TrialStats = { trials: 0, complete: 0, finished: 0, queued: 0, lastId: 0, reports: 0 };

function isBusy(e: unknown): boolean {
  const code = e instanceof Database.SqliteError ? e.code : '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The dashboard's view of a naslab database: a read-only connection (no write lock is ever taken, so a
 * run writing the same file is never slowed or blocked), each read one short transaction (a consistent
 * snapshot that does not hold back the writer's checkpoints for long). Rows are decoded by the storage
 * layer's own functions (storage/sqlite-rows.ts).
 */
export class ReadStore {
  private statements: Statements;
  private closed = false;

  private constructor(
    private db: Database.Database,
    /** Set while the store is an in-memory copy of the file (a folder this user cannot write). */
    private snapshotOf: string | undefined,
    readonly file: string,
  ) {
    this.statements = prepareAll(db, SQL);
  }

  private static connect(file: string): ReadOnlyDatabase {
    let opened: ReadOnlyDatabase | undefined;
    try {
      opened = openReadOnly(file, BUSY_TIMEOUT_MS);
      prepareSchema(opened.db, file, true);
      return opened;
    } catch (e) {
      opened?.db.close();
      throw toStorageError(e, file, 'open the database read-only');
    }
  }

  static open(file: string): ReadStore {
    if (!existsSync(file)) {
      throw new StorageError(
        `${file}: no naslab database there (the file does not exist): give the file a run writes with --db PATH`,
      );
    }
    const { db, snapshotOf } = ReadStore.connect(file);
    try {
      return new ReadStore(db, snapshotOf, file);
    } catch (e) {
      db.close();
      throw toStorageError(e, file, 'open the database read-only');
    }
  }

  /** Whether the store is an in-memory copy of the file rather than a live read-only connection. */
  get isSnapshot(): boolean {
    return this.snapshotOf !== undefined;
  }

  /**
   * A copy goes stale when a run writes the file (a new write-ahead log, a checkpoint, a replaced
   * file): then the file is opened again, live when a writer's -shm file now makes that possible.
   */
  private refresh(): void {
    if (this.snapshotOf === undefined) return;
    let stamp: string;
    try {
      stamp = fileStamp(this.file);
    } catch (e) {
      throw toStorageError(e, this.file, 'check the database for changes');
    }
    if (stamp === this.snapshotOf) return;
    const { db, snapshotOf } = ReadStore.connect(this.file);
    let statements: Statements;
    try {
      statements = prepareAll(db, SQL);
    } catch (e) {
      db.close();
      throw toStorageError(e, this.file, 'open the database read-only');
    }
    this.db.close();
    this.db = db;
    this.statements = statements;
    this.snapshotOf = snapshotOf;
  }

  /**
   * Runs `read` in one read transaction; a busy or locked database (a writer checkpointing, WAL
   * recovery) is waited out asynchronously and the read tried again, never reported to the client.
   */
  async read<T>(action: string, read: () => T): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new StorageError(`${this.file}: the dashboard's database handle is closed`);
      try {
        this.refresh();
        return this.db.transaction(read)();
      } catch (e) {
        if (!isBusy(e)) throw toStorageError(e, this.file, action);
        if (Date.now() - started > RETRY_FOR_MS) throw toStorageError(e, this.file, action);
        await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  experimentsSync(): ExperimentRecord[] {
    return (this.statements.selectExperiments.all() as ExperimentRow[]).map(toExperimentRecord);
  }

  experimentSync(id: string): ExperimentRecord {
    const rowId = parseRowId(id);
    const row = rowId === undefined ? undefined : this.statements.selectExperiment.get(rowId);
    if (row === undefined) {
      throw new NotFoundError(`no experiment with id ${JSON.stringify(id)} in ${this.file}`);
    }
    return toExperimentRecord(row as ExperimentRow);
  }

  trialsSync(experimentId: string): TrialRecord[] {
    const rowId = parseRowId(experimentId) ?? 0;
    return (this.statements.selectTrials.all(rowId) as TrialRow[]).map(toTrialRecord);
  }

  /** A trial of this experiment (a trial id of another experiment is not found). */
  trialSync(experimentId: string, trialId: string): TrialRecord {
    const row = this.statements.trial.get(parseRowId(trialId) ?? 0, parseRowId(experimentId) ?? 0);
    if (row === undefined) {
      throw new NotFoundError(`experiment ${experimentId} has no trial with id ${JSON.stringify(trialId)}`);
    }
    return toTrialRecord(row as TrialRow);
  }

  reportsSync(trialId: string): IntermediateReport[] {
    return (this.statements.selectReports.all(parseRowId(trialId) ?? 0) as ReportRow[]).map(toReport);
  }

  /** The reports of an experiment's trials that may carry controller statistics, by trial number and step. */
  controllerReportsSync(experimentId: string): ControllerReport[] {
    const rows = this.statements.controllerReports.all({
      experiment: parseRowId(experimentId) ?? 0,
      diagnostics: DIAGNOSTICS_STEP,
    }) as (ReportRow & { number: number })[];
    return rows.map((r) => ({ number: r.number, report: toReport(r) }));
  }

  bestTrialSync(experimentId: string): TrialRecord | undefined {
    const row = this.statements.bestTrial.get(parseRowId(experimentId) ?? 0);
    return row === undefined ? undefined : toTrialRecord(row as TrialRow);
  }

  countsSync(experimentId: string): { trials: number; complete: number } {
    return this.statements.counts.get(parseRowId(experimentId) ?? 0) as { trials: number; complete: number };
  }

  /** Counters of every experiment, for change detection: cheap aggregates, no row decoding. */
  statsSync(): ExperimentStats[] {
    const trials = new Map<number, Omit<TrialStats, 'reports'>>();
    for (const row of this.statements.trialStats.all() as (Omit<TrialStats, 'reports'> & { id: number })[]) {
      trials.set(row.id, row);
    }
    const reports = new Map<number, number>();
    for (const row of this.statements.reportStats.all() as { id: number; reports: number }[]) {
      reports.set(row.id, row.reports);
    }
    const rows = this.statements.experimentStats.all() as { id: number; state: string; updatedAt: number }[];
    return rows.map((row) => {
      const t = trials.get(row.id);
      return {
        id: String(row.id),
        state: row.state,
        updatedAt: row.updatedAt,
        trials:
          t === undefined
            ? NO_TRIALS
            : {
                trials: t.trials,
                complete: t.complete,
                finished: t.finished,
                queued: t.queued,
                lastId: t.lastId,
                reports: reports.get(row.id) ?? 0,
              },
      };
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
