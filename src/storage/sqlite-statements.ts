import type Database from 'better-sqlite3';

const EXPERIMENT_COLUMNS = 'id, name, config, state, created_at, updated_at';
const TRIAL_COLUMNS =
  'id, experiment_id, number, sample, key, state, metrics, score, cost, error_code, error_message, created_at, finished_at';

/** Every statement naslab runs against its database. */
const SQL = {
  insertExperiment: `INSERT INTO experiments (name, config, state, created_at, updated_at) VALUES (?, ?, 'running', ?, ?)
       RETURNING ${EXPERIMENT_COLUMNS}`,
  selectExperiment: `SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE id = ?`,
  selectExperiments: `SELECT ${EXPERIMENT_COLUMNS} FROM experiments ORDER BY id`,
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
  selectTrials: `SELECT ${TRIAL_COLUMNS} FROM trials WHERE experiment_id = ? ORDER BY number`,
  selectTrialsInStates: `SELECT ${TRIAL_COLUMNS} FROM trials
       WHERE experiment_id = ? AND state IN (SELECT value FROM json_each(?)) ORDER BY number`,
  upsertReport: `INSERT INTO reports (trial_id, step, metrics) VALUES (?, ?, ?)
       ON CONFLICT (trial_id, step) DO UPDATE SET metrics = excluded.metrics`,
  selectReports: `SELECT step, metrics FROM reports WHERE trial_id = ? ORDER BY step`,
} as const;

export type Statements = { readonly [Name in keyof typeof SQL]: Database.Statement };

/** Prepares every statement once per connection, to be reused for each call. */
export function prepareStatements(db: Database.Database): Statements {
  const prepared: Partial<Record<keyof typeof SQL, Database.Statement>> = {};
  for (const name of Object.keys(SQL) as (keyof typeof SQL)[]) prepared[name] = db.prepare(SQL[name]);
  return prepared as Statements;
}
