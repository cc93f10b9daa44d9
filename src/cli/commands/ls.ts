import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { bestTrial } from '../../runner/best.js';
import { MEMORY_LOCATION, openStorage } from '../../storage/open.js';
import { storedConfig } from '../../runner/experiment.js';
import { DB_HELP, dbPath } from '../options.js';
import { evaluatorLabel } from '../../runner/config.js';
import { EXIT, formatNumber, info, note, printJson, table, type OutputFlags } from '../output.js';

export interface LsRow {
  readonly id: string;
  readonly name: string;
  readonly strategy: string;
  readonly evaluator: string;
  readonly state: string;
  readonly trials: number;
  readonly bestScore?: number;
  readonly bestKey?: string;
  readonly started: string;
}

async function listExperiments(db: string): Promise<LsRow[]> {
  // Nothing run yet is an empty list, not an error; and listing must not create the file.
  if (db !== MEMORY_LOCATION && !existsSync(db)) return [];
  // Read-only: a search writing to the store at the same time is not disturbed.
  const storage = openStorage(db, { readonly: db !== MEMORY_LOCATION });
  try {
    const rows: LsRow[] = [];
    for (const e of await storage.experiments()) {
      const trials = await storage.trials(e.id);
      const config = storedConfig(e.config, e.id);
      const best = bestTrial(trials);
      rows.push({
        id: e.id,
        name: e.name,
        strategy: config.strategy.name,
        evaluator: evaluatorLabel(config.evaluator),
        state: e.state,
        trials: trials.length,
        bestScore: best?.score,
        bestKey: best?.key,
        started: new Date(e.createdAt).toISOString(),
      });
    }
    return rows;
  } finally {
    await storage.close();
  }
}

export async function lsCommand(flags: OutputFlags & { db?: string }): Promise<number> {
  const db = dbPath(flags.db);
  const rows = await listExperiments(db);
  if (flags.json) {
    printJson({ experiments: rows });
    return EXIT.ok;
  }
  if (rows.length === 0) {
    note(flags, `no experiments in ${db} (start one with: naslab run)`);
    return EXIT.ok;
  }
  info(
    flags,
    table(
      ['id', 'name', 'strategy', 'evaluated on', 'state', 'trials', 'best score', 'started'],
      rows.map((r) => [
        r.id,
        r.name,
        r.strategy,
        r.evaluator.replace(/^.*[\\/]/, ''),
        r.state,
        r.trials,
        formatNumber(r.bestScore),
        r.started.replace('T', ' ').slice(0, 19),
      ]),
    ),
  );
  return EXIT.ok;
}

/** Adds `naslab ls` to the program. */
export function registerLsCommand(program: Command): void {
  program
    .command('ls')
    .description('list the experiments in the store: strategy, state, trials, best score')
    .option('--db <path>', DB_HELP)
    .option('--json', 'one JSON document on stdout: {experiments: [...]}')
    .option('--quiet', 'print nothing when the store is empty')
    .action(async (flags: OutputFlags & { db?: string }) => {
      process.exitCode = await lsCommand(flags);
    });
}
