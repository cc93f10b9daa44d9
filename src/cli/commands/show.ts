import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { TrialRecord, TrialState } from '../../core/types.js';
import { paretoTrials } from '../../objective/front.js';
import { parseObjectives, type Objective } from '../../objective/objectives.js';
import { evaluatorLabel, type ExperimentConfig } from '../../runner/config.js';
import {
  hasRewardObjective,
  rewardObjectives,
  trialReward,
  type RewardObjective,
} from '../../strategy/reward-objective.js';
import { storedConfig } from '../../runner/experiment.js';
import { MEMORY_LOCATION, openStorage } from '../../storage/open.js';
import { dbPath } from '../options.js';
import { EXIT, formatDuration, formatNumber, info, printJson, table, type OutputFlags } from '../output.js';
import { bestTrial } from '../../runner/best.js';
import { TRIAL_FILES, trialDir } from '../../evaluate/command/config.js';
import { findTrial } from '../../export/source.js';

export interface ShowFlags extends OutputFlags {
  readonly db?: string;
  readonly top?: number;
  /** `--objectives acc:max,latency_pixel3_ms:min`: the front's axes, overriding the config's. */
  readonly objectives?: string;
  /** `--trial <id|#n>`: one trial's record (and, for a command trial, its logs) instead of the summary. */
  readonly trial?: string;
}

/** Lines of a command trial's log shown by `show --trial`. */
const LOG_LINES = 20;

/** The last `count` lines of a text file, or undefined when it does not exist (here). */
function lastLines(path: string, count: number): string[] | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-count);
}

/**
 * A command trial's folder and the ends of its logs. Written where the trial ran: a queue worker on
 * another machine without a shared workDir leaves nothing here to show.
 */
function commandLogs(config: ExperimentConfig, trial: TrialRecord) {
  const e = config.evaluator;
  if (e.type !== 'command') return undefined;
  const dir = trialDir(e, trial.id);
  const log = (name: string) => {
    const path = join(dir, name);
    return { path, tail: lastLines(path, LOG_LINES) };
  };
  return { dir, stdout: log(TRIAL_FILES.stdout), stderr: log(TRIAL_FILES.stderr) };
}

/** `naslab show <id> --trial <id|#n>`: one trial's record, its reports and, for a command trial, its logs. */
async function showTrial(
  flags: ShowFlags,
  selector: string,
  experimentId: string,
  config: ExperimentConfig,
  trials: readonly TrialRecord[],
  reportsOf: (trialId: string) => Promise<readonly { step: number; metrics: Record<string, number> }[]>,
): Promise<number> {
  const trial = findTrial(trials, selector, experimentId);
  const reports = await reportsOf(trial.id);
  const logs = commandLogs(config, trial);
  if (flags.json) {
    printJson({ trial, reports, ...(logs === undefined ? {} : { logs }) });
    return EXIT.ok;
  }
  info(flags, `trial ${trial.id} (#${trial.number}) of experiment ${experimentId}: ${trial.state}`);
  info(flags, `  architecture: ${trial.key}`);
  info(flags, `  sample: ${JSON.stringify(trial.sample)}`);
  for (const [name, value] of Object.entries(trial.metrics)) info(flags, `  ${name}: ${formatNumber(value)}`);
  if (trial.score !== undefined) info(flags, `  score: ${formatNumber(trial.score)}`);
  if (trial.error !== undefined) info(flags, `  error (${trial.error.code}): ${trial.error.message}`);
  const steps = reports.filter((r) => r.step > 0);
  if (steps.length > 0) {
    const last = steps[steps.length - 1] as (typeof steps)[number];
    info(flags, `  reports: ${steps.length}, the last at step ${last.step}: ${JSON.stringify(last.metrics)}`);
  }
  if (logs === undefined) return EXIT.ok;
  info(flags, `  folder: ${logs.dir}`);
  for (const log of [logs.stdout, logs.stderr]) {
    if (log.tail === undefined) {
      info(flags, `\n${log.path}: not on this machine`);
      continue;
    }
    info(flags, `\n${log.path} (last ${LOG_LINES} lines):`);
    for (const line of log.tail) info(flags, `  ${line}`);
  }
  return EXIT.ok;
}

/**
 * What the trials cost: simulated seconds for a tabular benchmark, otherwise the wall time the finished
 * trials took (a trained search simulates nothing, and "simulated 0 s" would read as free).
 */
function spentText(trials: readonly TrialRecord[], simulatedSeconds: number): string {
  if (simulatedSeconds > 0) return `, simulated ${formatNumber(simulatedSeconds)} s`;
  const wall = trials.reduce(
    (a, t) => a + (t.finishedAt === undefined ? 0 : Math.max(0, t.finishedAt - t.createdAt) / 1000),
    0,
  );
  return wall > 0 ? `, ${formatDuration(wall)} of trial time` : '';
}

/**
 * Ranked by score (higher is better), or by the experiment's reward when its config has one (trials a
 * constraint rejects are left out); ties by trial number.
 */
export function topTrials(
  trials: readonly TrialRecord[],
  k: number,
  objective: RewardObjective = {},
): TrialRecord[] {
  const scored = hasRewardObjective(objective);
  return trials
    .flatMap((t) => {
      const value = t.state !== 'complete' ? undefined : scored ? trialReward(t, objective) : t.score;
      return value === undefined || Number.isNaN(value) ? [] : [{ t, value }];
    })
    .sort((a, b) => b.value - a.value || a.t.number - b.t.number)
    .slice(0, k)
    .map((x) => x.t);
}

const DIRECTIONS: Readonly<Record<string, Objective['direction']>> = {
  max: 'maximize',
  maximize: 'maximize',
  min: 'minimize',
  minimize: 'minimize',
};

/** `acc:max,lat:min` -> objectives; a ConfigError shows the expected form. */
export function parseObjectivesFlag(text: string): Objective[] {
  const list = text.split(',').map((part) => {
    const [metric = '', direction = '', ...rest] = part.trim().split(':');
    const d = DIRECTIONS[direction.trim().toLowerCase()];
    if (metric.trim() === '' || d === undefined || rest.length > 0) {
      throw new ConfigError(
        `--objectives ${JSON.stringify(text)}: expected metric:max or metric:min separated by commas ` +
          '(e.g. c10valid_xvalid_acc_12ep:max,latency_pixel3_ms:min)',
      );
    }
    return { metric: metric.trim(), direction: d };
  });
  return parseObjectives(list, '--objectives');
}

/**
 * The front's axes: the flag, else the strategy's `objectives` option (nsga2, evolution-pareto), else
 * the metrics the experiment's reward trades off; none means no front is shown.
 */
export function frontObjectives(config: ExperimentConfig, flag: string | undefined): Objective[] | undefined {
  if (flag !== undefined) return parseObjectivesFlag(flag);
  const fromStrategy = config.strategy.options.objectives;
  if (fromStrategy !== undefined) return parseObjectives(fromStrategy, 'strategy.options.objectives');
  return config.reward === undefined ? undefined : rewardObjectives(config.reward);
}

/** The front, ordered by its first objective, best first (ties by trial number). */
function orderedFront(trials: readonly TrialRecord[], objectives: readonly Objective[]): TrialRecord[] {
  const first = objectives[0] as Objective;
  const sign = first.direction === 'maximize' ? -1 : 1;
  return paretoTrials(trials, objectives).sort(
    (a, b) =>
      sign * ((a.metrics[first.metric] as number) - (b.metrics[first.metric] as number)) ||
      a.number - b.number,
  );
}

export async function showCommand(id: string, flags: ShowFlags): Promise<number> {
  // Read-only: a missing file is an error (not a new empty store), and a running search is not disturbed.
  const db = dbPath(flags.db);
  const storage = openStorage(db, { readonly: db !== MEMORY_LOCATION });
  try {
    const experiment = await storage.experiment(id);
    const config = storedConfig(experiment.config, id);
    const trials = await storage.trials(id);
    if (flags.trial !== undefined) {
      return await showTrial(flags, flags.trial, id, config, trials, (t) => storage.reports(t));
    }
    const counts: Partial<Record<TrialState, number>> = {};
    for (const t of trials) counts[t.state] = (counts[t.state] ?? 0) + 1;
    const best = bestTrial(trials, config);
    const top = topTrials(trials, flags.top ?? 10, config);
    const objectives = frontObjectives(config, flags.objectives);
    const front = objectives === undefined ? undefined : orderedFront(trials, objectives);
    const simulatedSeconds = trials.reduce((a, t) => a + t.cost, 0);
    if (flags.json) {
      const pareto = objectives === undefined ? {} : { objectives, front };
      printJson({ experiment: { ...experiment, config }, counts, simulatedSeconds, best, top, ...pareto });
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
        .join(', ')})${spentText(trials, simulatedSeconds)}`,
    );
    if (!best) {
      info(flags, '  no completed trial yet');
      return EXIT.ok;
    }
    const by = hasRewardObjective(config) ? ' by the reward' : '';
    info(flags, `\nbest${by}: trial ${best.id} (#${best.number})\n  architecture: ${best.key}`);
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
    if (objectives !== undefined && front !== undefined) printFront(flags, objectives, front);
    return EXIT.ok;
  } finally {
    await storage.close();
  }
}

function printFront(flags: ShowFlags, objectives: readonly Objective[], front: readonly TrialRecord[]): void {
  const axes = objectives.map((o) => `${o.metric} (${o.direction === 'maximize' ? 'max' : 'min'})`);
  info(
    flags,
    `\nPareto front: ${front.length} trial${front.length === 1 ? '' : 's'} over ${axes.join(', ')}`,
  );
  if (front.length === 0) return;
  info(
    flags,
    table(
      ['trial', '#', ...objectives.map((o) => o.metric), 'architecture'],
      front.map((t) => [t.id, t.number, ...objectives.map((o) => formatNumber(t.metrics[o.metric])), t.key]),
    ),
  );
}
