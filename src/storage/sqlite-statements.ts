import type Database from 'better-sqlite3';
import { EXPERIMENT_COLUMNS, REPORT_COLUMNS, TRIAL_COLUMNS } from './sqlite-rows.js';

/** The store's reads that the dashboard's read-only connection runs as well. */
export const READ_SQL = {
  selectExperiment: `SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE id = ?`,
  selectExperiments: `SELECT ${EXPERIMENT_COLUMNS} FROM experiments ORDER BY id`,
  selectTrials: `SELECT ${TRIAL_COLUMNS} FROM trials WHERE experiment_id = ? ORDER BY number`,
  selectReports: `SELECT ${REPORT_COLUMNS} FROM reports WHERE trial_id = ? ORDER BY step`,
} as const;

/** Every statement the store runs against its database. */
const SQL = {
  ...READ_SQL,
  insertExperiment: `INSERT INTO experiments (name, config, state, created_at, updated_at) VALUES (?, ?, 'running', ?, ?)
       RETURNING ${EXPERIMENT_COLUMNS}`,
  updateExperimentState: `UPDATE experiments SET state = ?, updated_at = ? WHERE id = ?`,
  touchExperiment: `UPDATE experiments SET updated_at = ? WHERE id = ?`,
  saveStrategyState: `UPDATE experiments SET strategy_state = ?, updated_at = ? WHERE id = ?`,
  loadStrategyState: `SELECT strategy_state FROM experiments WHERE id = ?`,
  // The number is computed in the same statement (inside a write transaction), so concurrent writers
  // cannot hand out the same one; UNIQUE (experiment_id, number) backs that up.
  insertTrial: `INSERT INTO trials (experiment_id, number, sample, key, state, metrics, cost, created_at)
       VALUES (@experiment, (SELECT coalesce(max(number) + 1, 0) FROM trials WHERE experiment_id = @experiment),
               @sample, @key, 'running', '{}', 0, @now)
       RETURNING ${TRIAL_COLUMNS}`,
  finishTrial: `UPDATE trials SET state = @state, metrics = @metrics, score = @score, cost = @cost,
              error_code = @errorCode, error_message = @errorMessage, finished_at = @now
       WHERE id = @id AND state IN ('queued', 'running')
       RETURNING ${TRIAL_COLUMNS}`,
  requeueTrial: `UPDATE trials SET state = 'queued' WHERE id = ? AND state = 'running'`,
  selectTrialState: `SELECT state FROM trials WHERE id = ?`,
  selectTrialsInStates: `SELECT ${TRIAL_COLUMNS} FROM trials
       WHERE experiment_id = ? AND state IN (SELECT value FROM json_each(?)) ORDER BY number`,
  upsertReport: `INSERT INTO reports (trial_id, step, metrics) VALUES (?, ?, ?)
       ON CONFLICT (trial_id, step) DO UPDATE SET metrics = excluded.metrics`,
} as const;

/** A set of statements, each prepared once per connection and reused for each call. */
export type Prepared<Sql> = { readonly [Name in keyof Sql]: Database.Statement };

export type Statements = Prepared<typeof SQL>;

export function prepareAll<Sql extends Readonly<Record<string, string>>>(
  db: Database.Database,
  sql: Sql,
): Prepared<Sql> {
  const prepared: Partial<Record<keyof Sql, Database.Statement>> = {};
  for (const [name, text] of Object.entries(sql)) prepared[name as keyof Sql] = db.prepare(text);
  return prepared as Prepared<Sql>;
}

export function prepareStatements(db: Database.Database): Statements {
  return prepareAll(db, SQL);
}
