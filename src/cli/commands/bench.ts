import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ConfigError } from '../../core/errors.js';
import { loadBenchmark } from '../../evaluate/tabular/index.js';
import { runBench, type BenchResult } from '../../runner/bench.js';
import { resolveBenchmarkRef } from '../../runner/config-file.js';
import type { Budget, RunSummary } from '../../runner/reporter.js';
import { parseOptionPairs, strategyNames } from '../../strategy/registry.js';
import { ProgressBar, type BarOptions } from '../bar.js';
import { collect, nonNegativeInt, positiveInt, positiveNumber } from '../options.js';
import {
  EXIT,
  formatNumber,
  info,
  note,
  printJson,
  showProgress,
  table,
  type OutputFlags,
} from '../output.js';

export interface BenchFlags extends OutputFlags {
  readonly benchmark: string;
  readonly dataset?: string;
  readonly strategy: string;
  readonly compare?: string;
  readonly opt?: string[];
  readonly runs: number;
  readonly budget?: number;
  readonly trials?: number;
  readonly seed: number;
  readonly out?: string;
  readonly duplicates?: 'reuse' | 'evaluate';
  readonly curve?: boolean;
}

/**
 * `--opt key=value` applies to the one strategy; with `--compare`, options name their strategy:
 * `--opt evolution.population=20`.
 */
export function optionsByStrategy(strategies: readonly string[], pairs: readonly string[], compare: boolean) {
  const parsed = parseOptionPairs(pairs);
  const out = new Map<string, Record<string, unknown>>(strategies.map((s) => [s, {}]));
  for (const [key, value] of Object.entries(parsed)) {
    const dot = key.indexOf('.');
    if (dot < 0) {
      if (compare) {
        throw new ConfigError(
          `--opt ${key}: with --compare, name the strategy the option is for (e.g. --opt ${strategies[0]}.${key}=...)`,
        );
      }
      (out.get(strategies[0] as string) as Record<string, unknown>)[key] = value;
      continue;
    }
    const target = out.get(key.slice(0, dot));
    if (target === undefined) {
      throw new ConfigError(
        `--opt ${key}: "${key.slice(0, dot)}" is not one of the strategies run (${strategies.join(', ')})`,
      );
    }
    target[key.slice(dot + 1)] = value;
  }
  return out;
}

function strategiesOf(flags: BenchFlags): string[] {
  if (flags.compare === undefined) return [flags.strategy];
  const list = flags.compare
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0)
    throw new ConfigError(`--compare needs strategy names, e.g. --compare ${strategyNames().join(',')}`);
  const seen = new Set<string>();
  for (const s of list) {
    if (seen.has(s)) throw new ConfigError(`--compare lists "${s}" twice`);
    seen.add(s);
  }
  return list;
}

function summaryTable(results: readonly BenchResult[]): string {
  const metrics = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))];
  return table(
    ['strategy', 'evaluations/run', ...metrics.map((m) => `${m} mean ± std (n)`), 'search s'],
    results.map((r) => [
      r.strategy,
      r.evaluationsPerRun.mean.toFixed(1),
      ...metrics.map((m) => {
        const s = r.metrics[m];
        return s && s.n > 0 ? `${s.mean.toFixed(2)} ± ${s.std.toFixed(2)} (${s.n})` : '-';
      }),
      r.wallSeconds.toFixed(2),
    ]),
  );
}

/**
 * The bar over all runs (of every strategy compared), with the running mean of the benchmark's first
 * report metric (the best architecture of each run so far) for the strategy being run.
 */
class BenchProgress {
  private readonly bar: ProgressBar;
  private sum = 0;
  private count = 0;

  constructor(
    total: number,
    private readonly metric: string | undefined,
    options: Omit<BarOptions, 'total' | 'unit'>,
  ) {
    this.bar = new ProgressBar({ ...options, total, unit: 'runs' });
  }

  /** A new strategy starts: its mean starts afresh. */
  strategy(): void {
    this.sum = 0;
    this.count = 0;
  }

  run(done: number, strategy: string, summary: RunSummary): void {
    const value = this.metric === undefined ? undefined : summary.best?.metrics[this.metric];
    if (value !== undefined && Number.isFinite(value)) {
      this.sum += value;
      this.count++;
    }
    const mean = this.count === 0 ? '-' : formatNumber(this.sum / this.count);
    this.bar.update(done, `${strategy}${this.metric === undefined ? '' : ` | mean ${this.metric} ${mean}`}`);
  }

  finish(): void {
    this.bar.finish();
  }
}

export async function benchCommand(
  flags: BenchFlags,
  barOptions: Omit<BarOptions, 'total' | 'unit'> = {},
): Promise<number> {
  if (flags.budget === undefined && flags.trials === undefined) {
    throw new ConfigError(
      'bench needs a budget: --budget <simulated seconds> (e.g. 12000 for nb201) or --trials <n>',
    );
  }
  const strategies = strategiesOf(flags);
  const options = optionsByStrategy(strategies, flags.opt ?? [], flags.compare !== undefined);
  const budget: Budget = { simulatedSeconds: flags.budget, trials: flags.trials };
  const benchmark = resolveBenchmarkRef(flags.benchmark, process.cwd());
  let progress: BenchProgress | undefined;
  if (showProgress(flags)) {
    note(flags, `loading ${flags.benchmark}${flags.dataset ? `/${flags.dataset}` : ''}`);
    // Loaded here for the metric the bar shows; runBench finds a built-in table cached.
    const loaded = await loadBenchmark(benchmark, { dataset: flags.dataset });
    progress = new BenchProgress(flags.runs * strategies.length, loaded.report[0], barOptions);
  }
  const results: BenchResult[] = [];
  try {
    for (const [index, strategy] of strategies.entries()) {
      progress?.strategy();
      results.push(
        await runBench({
          benchmark,
          dataset: flags.dataset,
          strategy,
          options: options.get(strategy) ?? {},
          runs: flags.runs,
          budget,
          seed: flags.seed,
          duplicates: flags.duplicates,
          curve: flags.curve,
          onRun: (i, summary) => progress?.run(index * flags.runs + i + 1, strategy, summary),
        }),
      );
    }
  } finally {
    progress?.finish();
  }
  const output = flags.compare === undefined ? results[0] : results;
  if (flags.out) writeFileSync(flags.out, `${JSON.stringify(output, null, 2)}\n`);
  if (flags.json) {
    printJson(output);
    return EXIT.ok;
  }
  const first = results[0] as BenchResult;
  info(
    flags,
    `${first.benchmark}/${first.dataset}: ${first.runs} runs per strategy (seeds ${first.seed}..${first.seed + first.runs - 1}), ` +
      `budget ${budget.simulatedSeconds !== undefined ? `${formatNumber(budget.simulatedSeconds)} simulated s` : `${budget.trials} trials`}; ` +
      "metrics of each run's best architecture (by the search signal)",
  );
  info(flags, summaryTable(results));
  return EXIT.ok;
}

/** Adds `naslab bench` to the program. */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('run a strategy many times on a tabular benchmark (in memory) and summarise the results')
    .option('--benchmark <name|file>', 'nb201, nasbench-macro, or a user table YAML', 'nb201')
    .option('--dataset <name>', 'nb201: cifar10 | cifar100 | imagenet16')
    .option('--strategy <name>', 'search strategy (see: naslab strategies)', 'random')
    .option('--compare <names>', 'several strategies, comma-separated: one table (a JSON array with --json)')
    .option('--opt <key=value>', 'strategy option, repeatable; with --compare: strategy.key=value', collect)
    .option('--runs <n>', 'independent searches (seeds seed..seed+n-1)', positiveInt('--runs'), 100)
    .option(
      '--budget <seconds>',
      'simulated seconds per search (NAS-Bench-201 protocol: 12000)',
      positiveNumber('--budget'),
    )
    .option('--trials <n>', 'evaluations per search instead of a time budget', positiveInt('--trials'))
    .option('--seed <n>', 'first seed', nonNegativeInt('--seed'), 0)
    .addOption(
      new Option(
        '--duplicates <policy>',
        'repeated architectures: reuse the result or evaluate again',
      ).choices(['reuse', 'evaluate']),
    )
    .option('--curve', 'add the mean best-so-far curve against evaluations to the JSON')
    .option('--out <file>', 'also write the JSON summary to a file')
    .option('--json', 'the summary as one JSON document on stdout (progress stays on stderr)')
    .option('--quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      `
Examples:
  naslab bench --budget 12000 --runs 100                  NAS-Bench-201 protocol, random search
  naslab bench --compare random,evolution --trials 100 --opt evolution.population=20
  naslab bench --budget 12000 --runs 20 --json --out bench.json`,
    )
    .action(async (flags: BenchFlags) => {
      process.exitCode = await benchCommand(flags);
    });
}
