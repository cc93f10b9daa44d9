/**
 * Predictor-assisted search on NAS-Bench-201 / CIFAR-10 under the published protocol: each
 * search has 12,000 simulated seconds (12 epochs of training per evaluation), learns from the 12-epoch
 * validation accuracy, and reports the 200-epoch test accuracy (`test_acc`) of its best architecture by
 * that signal. Runs bo, tpe and screen (around evolution) next to random search and regularized
 * evolution, same seeds (run i uses seed i), through `runBench` exactly as `naslab bench` does.
 *
 *   npx tsx bench/predictor-search.ts [--runs 200] [--only bo,evolution] [--out file.json]
 *   npx tsx bench/predictor-search.ts --runs 20 --config 'bo:{"acquisition":"ei"}'   (development)
 *
 * The test column is never seen by a search: strategies only get trial.score (the 12-epoch accuracy).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBench, type BenchResult } from '../src/runner/bench.js';
import { boStrategy } from '../src/strategy/bo/bo.js';
import { registerStrategy, strategyNames, createStrategy } from '../src/strategy/registry.js';
import { screenStrategy } from '../src/strategy/screen.js';
import { tpeStrategy } from '../src/strategy/tpe.js';

// Until the registry lists them itself.
if (!strategyNames().includes('bo')) registerStrategy(boStrategy);
if (!strategyNames().includes('tpe')) registerStrategy(tpeStrategy);
if (!strategyNames().includes('screen')) registerStrategy(screenStrategy(createStrategy));

/**
 * The compared configurations: label -> strategy and options. bo, tpe and screen run with their defaults
 * (gp surrogate over the path encoding, log-error target, Thompson sampling), which were chosen on 20-
 * and 50-run trials of seeds 0..49 against the 12-epoch signal only.
 */
const CONFIGS: Record<string, { strategy: string; options: Record<string, unknown> }> = {
  random: { strategy: 'random', options: {} },
  evolution: { strategy: 'evolution', options: {} },
  tpe: { strategy: 'tpe', options: {} },
  bo: { strategy: 'bo', options: {} },
  'screen(evolution)': { strategy: 'screen', options: { inner: 'evolution', screen: 10 } },
};

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    only: { type: 'string' },
    config: { type: 'string', multiple: true },
    out: { type: 'string' },
  },
});
const runs = Number(args.runs);
// --config label:{json} adds (or replaces) a configuration; the label's part before '@' is the strategy.
for (const spec of args.config ?? []) {
  const colon = spec.indexOf(':');
  const label = spec.slice(0, colon);
  CONFIGS[label] = {
    strategy: label.split('@')[0]!,
    options: JSON.parse(spec.slice(colon + 1)) as Record<string, unknown>,
  };
}
const only = args.only?.split(',') ?? Object.keys(CONFIGS);

const fmt = (mean: number, std: number): string => `${mean.toFixed(2)} ± ${std.toFixed(2)}`;
const rows: { label: string; result: BenchResult }[] = [];
for (const label of only) {
  const config = CONFIGS[label];
  if (config === undefined)
    throw new Error(`unknown configuration "${label}": ${Object.keys(CONFIGS).join(', ')}`);
  const result = await runBench({
    benchmark: 'nb201',
    dataset: 'cifar10',
    strategy: config.strategy,
    options: config.options,
    runs,
    budget: { simulatedSeconds: 12000 },
    seed: 0,
  });
  rows.push({ label, result });
  const test = result.metrics.test_acc!;
  const valid = result.metrics.valid_acc_200ep!;
  process.stdout.write(
    `${label.padEnd(24)} ${JSON.stringify(config.options).padEnd(40)} test ${fmt(test.mean, test.std)} (${test.n})` +
      `  valid ${fmt(valid.mean, valid.std)}  evals ${result.evaluationsPerRun.mean.toFixed(1)}` +
      `  ${result.wallSeconds.toFixed(1)} s\n`,
  );
}

if (args.out !== undefined) {
  const file = fileURLToPath(new URL(args.out, `file://${process.cwd()}/`));
  mkdirSync(new URL('.', `file://${file}`), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ benchmark: 'nb201/cifar10', budgetSeconds: 12000, runs, node: process.version, rows }, null, 2)}\n`,
  );
}
