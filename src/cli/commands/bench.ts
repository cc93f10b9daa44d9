import { writeFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { ConfigError } from '../../core/errors.js';
import { runBench, type BenchResult } from '../../runner/bench.js';
import { resolveBenchmarkRef } from '../../runner/config-file.js';
import type { Budget } from '../../runner/reporter.js';
import { parseOptionPairs, strategyNames } from '../../strategy/registry.js';
import { EXIT, formatNumber, info, printJson, table, type OutputFlags } from '../output.js';

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

export async function benchCommand(flags: BenchFlags): Promise<number> {
  if (flags.budget === undefined && flags.trials === undefined) {
    throw new ConfigError(
      'bench needs a budget: --budget <simulated seconds> (e.g. 12000 for nb201) or --trials <n>',
    );
  }
  const strategies = strategiesOf(flags);
  const options = optionsByStrategy(strategies, flags.opt ?? [], flags.compare !== undefined);
  const budget: Budget = { simulatedSeconds: flags.budget, trials: flags.trials };
  const showBar = !flags.json && !flags.quiet && process.stderr.isTTY;
  const bar = showBar
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          hideCursor: true,
          format: ' {bar} {value}/{total} runs | {strategy} | ETA {eta_formatted}',
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(flags.runs * strategies.length, 0, { strategy: strategies[0] });
  const results: BenchResult[] = [];
  try {
    for (const [index, strategy] of strategies.entries()) {
      results.push(
        await runBench({
          benchmark: resolveBenchmarkRef(flags.benchmark, process.cwd()),
          dataset: flags.dataset,
          strategy,
          options: options.get(strategy) ?? {},
          runs: flags.runs,
          budget,
          seed: flags.seed,
          duplicates: flags.duplicates,
          curve: flags.curve,
          onRun: (i) => bar?.update(index * flags.runs + i + 1, { strategy }),
        }),
      );
    }
  } finally {
    bar?.stop();
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
