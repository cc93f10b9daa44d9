/**
 * Development runs for the RL strategies' defaults: a strategy (with options) against random search on
 * the four comparison settings, on the development seeds only (default 0-49; docs/benchmarks.md's report
 * seeds start at 100). Prints mean ± std of the test accuracy and the difference from random in standard
 * errors of the difference.
 *   npx tsx scripts/rl-dev.ts --strategy reinforce [--opt key=value ...] [--runs 50] [--seed 0]
 */
import { parseArgs } from 'node:util';
import { runBench, type BenchResult } from '../src/runner/bench.js';
import { parseOptionPairs } from '../src/strategy/registry.js';

const { values } = parseArgs({
  options: {
    strategy: { type: 'string', default: 'reinforce' },
    opt: { type: 'string', multiple: true, default: [] },
    runs: { type: 'string', default: '50' },
    seed: { type: 'string', default: '0' },
    settings: { type: 'string', default: 'cifar10,cifar100,imagenet16,macro' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const options = parseOptionPairs(values.opt);

async function one(setting: string, strategy: string, opts: Record<string, unknown>): Promise<BenchResult> {
  const macro = setting === 'macro';
  return runBench({
    benchmark: macro ? 'nasbench-macro' : 'nb201',
    dataset: macro ? undefined : setting,
    strategy,
    options: opts,
    runs,
    budget: macro ? { trials: 100 } : { simulatedSeconds: 12000 },
    seed,
  });
}

const rows: string[] = [];
for (const setting of values.settings.split(',')) {
  const base = (await one(setting, 'random', {})).metrics.test_acc!;
  const result = await one(setting, values.strategy, options);
  const s = result.metrics.test_acc!;
  const se = Math.sqrt((s.std * s.std) / s.n + (base.std * base.std) / base.n);
  rows.push(
    `${setting}: ${s.mean.toFixed(3)} ± ${s.std.toFixed(2)} (n ${s.n}) random ${base.mean.toFixed(3)} ` +
      `diff ${(s.mean - base.mean).toFixed(3)} (${((s.mean - base.mean) / se).toFixed(1)} SE) ` +
      `${(result.wallSeconds / runs).toFixed(3)} s/run`,
  );
}
process.stdout.write(
  `${values.strategy} ${JSON.stringify(options)} seeds ${seed}-${seed + runs - 1}\n${rows.join('\n')}\n`,
);
