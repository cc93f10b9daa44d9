import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { parseExperimentConfig } from '../src/runner/config.js';
import { startExperiment } from '../src/runner/experiment.js';
import { SqliteStorage } from '../src/storage/sqlite.js';

/** Debian's chromium (installed by .ci/run), or the one NASLAB_CHROMIUM names; `args` are its flags. */
export async function launchChromium(args: readonly string[] = []): Promise<Browser> {
  const executablePath = process.env['NASLAB_CHROMIUM'] ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `the dashboard's browser test needs chromium at ${executablePath}: install it (apt-get install chromium) ` +
        'or set NASLAB_CHROMIUM to a Chromium or Chrome binary',
    );
  }
  return chromium.launch({ executablePath, args: ['--no-sandbox', ...args] });
}

export interface Seeded {
  /** A single-objective nb201 search (evolution). */
  readonly single: string;
  /** A two-objective nb201 search (nsga2: accuracy up, parameters down). */
  readonly pareto: string;
}

export const SEEDED_TRIALS = 30;

/** Two short seeded tabular searches in one SQLite file (under a second each). */
export async function seedExperiments(file: string): Promise<Seeded> {
  const storage = SqliteStorage.open(file);
  try {
    const run = async (name: string, strategy: unknown) =>
      (
        await startExperiment(
          parseExperimentConfig({ name, strategy, budget: { trials: SEEDED_TRIALS }, seed: 7 }, 'test'),
          storage,
        )
      ).experimentId;
    const single = await run('evolution-nb201', 'evolution');
    const pareto = await run('nsga2-nb201', {
      name: 'nsga2',
      options: {
        objectives: [
          { metric: 'valid_acc_200ep', direction: 'maximize' },
          { metric: 'params_M', direction: 'minimize' },
        ],
      },
    });
    return { single, pareto };
  } finally {
    await storage.close();
  }
}

/**
 * Writes one more finished trial through a second handle, as a running search in another process
 * would: a copy of the experiment's first trial whose signal beats the best so far by `margin`, with
 * a three-step learning curve that also carries controller statistics (as enas reports them).
 */
export async function appendTrial(
  file: string,
  experimentId: string,
  signal: string,
  margin: number,
): Promise<number> {
  const storage = SqliteStorage.open(file);
  try {
    const trials = await storage.trials(experimentId);
    const first = trials[0];
    if (first === undefined) throw new Error(`experiment ${experimentId} has no trials to copy`);
    const best = Math.max(...trials.map((t) => t.metrics[signal] ?? -Infinity));
    const value = best + margin;
    const trial = await storage.createTrial(experimentId, { sample: first.sample, key: first.key });
    for (const step of [1, 2, 3]) {
      await storage.report(trial.id, step, {
        valid_acc: value - 3 + step,
        reward: step / 4,
        entropy: 2 - step / 2,
      });
    }
    await storage.finish(trial.id, {
      state: 'complete',
      metrics: { ...first.metrics, [signal]: value },
      score: value,
      cost: first.cost,
    });
    return value;
  } finally {
    await storage.close();
  }
}
