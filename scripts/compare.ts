/**
 * The strategy comparison of docs/benchmarks.md: every strategy on every benchmark setting, same seeds.
 *   npx tsx scripts/compare.ts [--runs 200] [--seed 100] [--strategies random,evolution,...]
 * Writes bench/results/compare-<setting>.json (the `naslab bench --compare --curve --json` format),
 * docs/plots/best-so-far-<setting>.svg, and prints the markdown tables: per setting, then the difference
 * of each strategy from random search in standard errors of the difference, and each from bo.
 * Report seeds start at 100: the defaults were chosen on development seeds 0-49 (scripts/rl-dev.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runBench, type BenchResult } from '../src/runner/bench.js';
import type { Budget } from '../src/runner/reporter.js';
import { bestSoFarSvg } from './plot.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string', default: '100' },
    strategies: {
      type: 'string',
      default: 'random,evolution,bo,reinforce,ppo,qlearning,blockqnn,mcts',
    },
    settings: { type: 'string', default: 'cifar10,cifar100,imagenet16,macro' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const strategies = values.strategies.split(',');

interface Setting {
  readonly id: string;
  readonly benchmark: string;
  readonly dataset?: string;
  readonly budget: Budget;
  readonly command: string;
}
const SETTINGS: Setting[] = [
  ...['cifar10', 'cifar100', 'imagenet16'].map((dataset) => ({
    id: `nb201-${dataset}`,
    benchmark: 'nb201',
    dataset,
    budget: { simulatedSeconds: 12000 },
    command: `--benchmark nb201 --dataset ${dataset} --budget 12000`,
  })),
  {
    id: 'nasbench-macro',
    benchmark: 'nasbench-macro',
    budget: { trials: 100 },
    command: '--benchmark nasbench-macro --trials 100',
  },
];
const wanted = values.settings.split(',').map((s) => (s === 'macro' ? 'nasbench-macro' : `nb201-${s}`));

/** The results of each setting run, for the difference tables. */
const differences = new Map<string, BenchResult[]>();

mkdirSync('bench/results', { recursive: true });
mkdirSync('docs/plots', { recursive: true });
for (const setting of SETTINGS.filter((s) => wanted.includes(s.id))) {
  const results: BenchResult[] = [];
  for (const strategy of strategies) {
    process.stderr.write(`${setting.id}: ${strategy}...\n`);
    results.push(
      await runBench({
        benchmark: setting.benchmark,
        dataset: setting.dataset,
        strategy,
        options: {},
        runs,
        budget: setting.budget,
        seed,
        curve: true,
      }),
    );
  }
  writeFileSync(`bench/results/compare-${setting.id}.json`, `${JSON.stringify(results, null, 2)}\n`);
  const metric = 'test_acc';
  const svg = await bestSoFarSvg(
    results,
    metric,
    `${setting.id}: mean ${metric} of the best-so-far architecture, ${runs} runs`,
  );
  writeFileSync(`docs/plots/best-so-far-${setting.id}.svg`, svg);

  const metrics = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))];
  const lines = [
    `### ${setting.id}`,
    '',
    `\`npx naslab bench --compare ${strategies.join(',')} ${setting.command} --runs ${runs} --seed ${seed}\``,
    '',
    `| strategy | evaluations / run | ${metrics.map((m) => `${m} (mean ± std, n)`).join(' | ')} |`,
    `|---|---|${metrics.map(() => '---').join('|')}|`,
    ...results.map(
      (r) =>
        `| ${r.strategy} | ${r.evaluationsPerRun.mean.toFixed(1)} | ${metrics
          .map((m) => {
            const s = r.metrics[m];
            return s && s.n > 0 ? `${s.mean.toFixed(2)} ± ${s.std.toFixed(2)} (${s.n})` : '-';
          })
          .join(' | ')} |`,
    ),
    '',
    `![best so far](plots/best-so-far-${setting.id}.svg)`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  differences.set(setting.id, results);
}

const ids = [...differences.keys()];
const versus = (name: string) => {
  const out = [
    `Mean test accuracy minus ${name}'s, in standard errors of the difference (${runs} runs, seeds ${seed}-${seed + runs - 1}):`,
    '',
    `| strategy | ${ids.join(' | ')} |`,
    `|---|${ids.map(() => '---').join('|')}|`,
  ];
  for (const strategy of strategies.filter((s) => s !== name)) {
    const cells = ids.map((id) => {
      const results = differences.get(id)!;
      const a = results.find((r) => r.strategy === strategy)?.metrics.test_acc;
      const b = results.find((r) => r.strategy === name)?.metrics.test_acc;
      if (a === undefined || b === undefined || a.n === 0 || b.n === 0) return '-';
      const se = Math.sqrt((a.std * a.std) / a.n + (b.std * b.std) / b.n);
      const d = a.mean - b.mean;
      return `${d >= 0 ? '+' : ''}${d.toFixed(2)} (${(d / se).toFixed(1)})`;
    });
    out.push(`| ${strategy} | ${cells.join(' | ')} |`);
  }
  return out.join('\n');
};
if (strategies.includes('random')) process.stdout.write(`${versus('random')}\n\n`);
if (strategies.includes('bo')) process.stdout.write(`${versus('bo')}\n`);
