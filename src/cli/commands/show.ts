import type { TrialRecord, TrialState } from '../../core/types.js';
import { evaluatorLabel } from '../../runner/config.js';
import { storedConfig } from '../../runner/experiment.js';
import { openStorage } from '../../storage/open.js';
import { dbPath } from '../options.js';
import { EXIT, formatNumber, info, printJson, table, type OutputFlags } from '../output.js';
import { bestTrial } from '../../runner/best.js';

export interface ShowFlags extends OutputFlags {
  readonly db?: string;
  readonly top?: number;
}

/** Ranked by score (higher is better), ties by trial number. */
export function topTrials(trials: readonly TrialRecord[], k: number): TrialRecord[] {
  return trials
    .filter((t) => t.state === 'complete' && t.score !== undefined)
    .sort((a, b) => (b.score as number) - (a.score as number) || a.number - b.number)
    .slice(0, k);
}

export async function showCommand(id: string, flags: ShowFlags): Promise<number> {
  const storage = openStorage(dbPath(flags.db));
  try {
    const experiment = await storage.experiment(id);
    const config = storedConfig(experiment.config, id);
    const trials = await storage.trials(id);
    const counts: Partial<Record<TrialState, number>> = {};
    for (const t of trials) counts[t.state] = (counts[t.state] ?? 0) + 1;
    const best = bestTrial(trials);
    const top = topTrials(trials, flags.top ?? 10);
    const simulatedSeconds = trials.reduce((a, t) => a + t.cost, 0);
    if (flags.json) {
      printJson({ experiment: { ...experiment, config }, counts, simulatedSeconds, best, top });
      return EXIT.ok;
    }
    info(flags, `experiment ${experiment.id}: ${experiment.name} [${experiment.state}]`);
    info(
      flags,
      `  strategy ${config.strategy.name} ${JSON.stringify(config.strategy.options)}, ` +
        `evaluated on ${evaluatorLabel(config.evaluator)}, seed ${config.seed}`,
    );
    info(
      flags,
      `  trials: ${trials.length} (${Object.entries(counts)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ')}), simulated ${formatNumber(simulatedSeconds)} s`,
    );
    if (!best) {
      info(flags, '  no completed trial yet');
      return EXIT.ok;
    }
    info(flags, `\nbest: trial ${best.id} (#${best.number})\n  architecture: ${best.key}`);
    for (const [name, value] of Object.entries(best.metrics))
      info(flags, `  ${name}: ${formatNumber(value)}`);
    const metricNames = [...new Set(top.flatMap((t) => Object.keys(t.metrics)))];
    info(flags, `\ntop ${top.length}:`);
    info(
      flags,
      table(
        ['#', 'trial', ...metricNames, 'architecture'],
        top.map((t, i) => [i + 1, t.id, ...metricNames.map((m) => formatNumber(t.metrics[m])), t.key]),
      ),
    );
    return EXIT.ok;
  } finally {
    await storage.close();
  }
}
