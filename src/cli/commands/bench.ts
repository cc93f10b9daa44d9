import { writeFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { ConfigError } from '../../core/errors.js';
import { resolveBenchmarkRef } from '../../runner/config-file.js';
import { runBench, type BenchResult } from '../../runner/bench.js';
import type { Budget } from '../../runner/reporter.js';
import { parseOptionPairs } from '../../strategy/registry.js';
import { EXIT, formatNumber, info, printJson, table, type OutputFlags } from '../output.js';

export interface BenchFlags extends OutputFlags {
  readonly benchmark: string;
  readonly dataset?: string;
  readonly strategy: string;
  readonly opt?: string[];
  readonly runs: number;
  readonly budget?: number;
  readonly trials?: number;
  readonly seed: number;
  readonly out?: string;
  readonly duplicates?: string;
}

export async function benchCommand(flags: BenchFlags): Promise<number> {
  if (flags.budget === undefined && flags.trials === undefined) {
    throw new ConfigError(
      'bench needs a budget: --budget <simulated seconds> (e.g. 12000 for nb201) or --trials <n>',
    );
  }
  if (flags.duplicates !== undefined && flags.duplicates !== 'reuse' && flags.duplicates !== 'evaluate') {
    throw new ConfigError(`--duplicates must be "reuse" or "evaluate", got "${flags.duplicates}"`);
  }
  const budget: Budget = { simulatedSeconds: flags.budget, trials: flags.trials };
  const showBar = !flags.json && !flags.quiet && process.stderr.isTTY;
  const bar = showBar
    ? new cliProgress.SingleBar(
        { stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(flags.runs, 0);
  let result: BenchResult;
  try {
    result = await runBench({
      benchmark: resolveBenchmarkRef(flags.benchmark, process.cwd()),
      dataset: flags.dataset,
      strategy: flags.strategy,
      options: parseOptionPairs(flags.opt ?? []),
      runs: flags.runs,
      budget,
      seed: flags.seed,
      duplicates: flags.duplicates as 'reuse' | 'evaluate' | undefined,
      onRun: (i) => bar?.update(i + 1),
    });
  } finally {
    bar?.stop();
  }
  if (flags.out) writeFileSync(flags.out, `${JSON.stringify(result, null, 2)}\n`);
  if (flags.json) {
    printJson(result);
    return EXIT.ok;
  }
  info(
    flags,
    `${result.strategy} on ${result.benchmark}/${result.dataset}: ${result.runs} runs, ` +
      `${formatNumber(result.evaluationsPerRun.mean)} evaluations per run, ${result.wallSeconds.toFixed(2)} s of search`,
  );
  info(
    flags,
    table(
      ['metric (best architecture per run)', 'mean', 'std', 'n'],
      Object.entries(result.metrics).map(([name, s]) => [name, s.mean.toFixed(2), s.std.toFixed(2), s.n]),
    ),
  );
  return EXIT.ok;
}
