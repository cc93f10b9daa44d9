import { bestTrial } from '../../runner/best.js';
import { openStorage } from '../../storage/open.js';
import { storedConfig } from '../../runner/experiment.js';
import { dbPath } from '../options.js';
import { evaluatorLabel } from '../../runner/config.js';
import { EXIT, formatNumber, info, printJson, table, type OutputFlags } from '../output.js';

export async function lsCommand(flags: OutputFlags & { db?: string }): Promise<number> {
  const storage = openStorage(dbPath(flags.db));
  try {
    const rows = [];
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
    if (flags.json) {
      printJson({ experiments: rows });
      return EXIT.ok;
    }
    if (rows.length === 0) {
      info(flags, `no experiments in ${dbPath(flags.db)} (start one with: naslab run)`);
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
  } finally {
    await storage.close();
  }
}
