import type Database from 'better-sqlite3';
import type { TrialState } from '../core/types.js';
import { isForeignKeyViolation } from './sqlite-errors.js';
import type { TrialRow } from './sqlite-rows.js';
import type { Statements } from './sqlite-statements.js';

export type CreateTrialTransaction = Database.Transaction<
  (experiment: number, sample: string, key: string, state: string | undefined) => TrialRow | undefined
>;
export type FinishTransaction = Database.Transaction<
  (params: FinishParams, state: string | undefined) => TrialRow | undefined
>;

export interface FinishParams {
  readonly id: number;
  readonly state: TrialState;
  readonly metrics: string;
  readonly score: number | null;
  readonly cost: number;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly now: number;
}

/**
 * The trial change and the strategy state are written in one transaction, so a kill at any moment leaves
 * them consistent. Returns undefined when the experiment does not exist.
 */
export function createTrialTransaction(
  db: Database.Database,
  statements: Statements,
): CreateTrialTransaction {
  return db.transaction((experiment: number, sample: string, key: string, state: string | undefined) => {
    const now = Date.now();
    let row: TrialRow;
    try {
      row = statements.insertTrial.get({ experiment, sample, key, now }) as TrialRow;
    } catch (e) {
      if (isForeignKeyViolation(e)) return undefined;
      throw e;
    }
    if (state === undefined) statements.touchExperiment.run(now, experiment);
    else statements.saveStrategyState.run(state, now, experiment);
    return row;
  });
}

/** As above, for finishing; returns undefined when the trial is unknown or already finished. */
export function finishTransaction(db: Database.Database, statements: Statements): FinishTransaction {
  return db.transaction((params: FinishParams, state: string | undefined) => {
    const row = statements.finishTrial.get(params) as TrialRow | undefined;
    if (row === undefined) return undefined;
    if (state === undefined) statements.touchExperiment.run(params.now, row.experiment_id);
    else statements.saveStrategyState.run(state, params.now, row.experiment_id);
    return row;
  });
}
