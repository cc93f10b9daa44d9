/**
 * The strategy comparison of docs/benchmarks.md: every strategy on every benchmark setting, same seeds.
 *   npx tsx scripts/compare.ts [--runs 200] [--strategies random,evolution,...]
 * Writes bench/results/compare-<setting>.json (the `naslab bench --compare --curve --json` format),
 * docs/plots/best-so-far-<setting>.svg, and prints the markdown tables.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runBench, type BenchResult } from '../src/runner/bench.js';
import type { Budget } from '../src/runner/reporter.js';
import { bestSoFarSvg } from './plot.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    strategies: { type: 'string', default: 'random,evolution,reinforce,ppo,qlearning,mcts' },
    settings: { type: 'string', default: 'cifar10,cifar100,imagenet16,macro' },
  },
});
const runs = Number(values.runs);
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
        seed: 0,
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
    `\`npx naslab bench --compare ${strategies.join(',')} ${setting.command} --runs ${runs} --seed 0\``,
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
}
