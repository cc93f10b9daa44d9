import type { TrialRecord } from '../src/core/types.js';
import type { StrategyContext } from '../src/core/strategy.js';
import { loadBenchmark, TabularEvaluator } from '../src/evaluate/tabular/index.js';
import { runBench } from '../src/runner/bench.js';
import { createStrategy, strategyNames } from '../src/strategy/registry.js';

interface Config {
  readonly strategy: string;
  readonly options: Record<string, unknown>;
}

const CONFIGS: Config[] = [
  { strategy: 'random', options: {} },
  { strategy: 'evolution', options: {} },
  // Every RL strategy with its default options (variant=efficient: a surrogate, imagined updates)...
  { strategy: 'reinforce', options: {} },
  { strategy: 'ppo', options: {} },
  { strategy: 'qlearning', options: {} },
  { strategy: 'blockqnn', options: {} },
  { strategy: 'mcts', options: {} },
  // ...and the published settings for comparison.
  { strategy: 'reinforce', options: { variant: 'paper' } },
  { strategy: 'reinforce', options: { variant: 'paper', policy: 'lstm' } },
  { strategy: 'ppo', options: { variant: 'paper', policy: 'lstm' } },
  { strategy: 'mcts', options: { variant: 'paper' } },
];

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * Strategy overhead on one core: ask + tell per trial, evaluation excluded (the nb201 table lookup is done
 * outside the timed region), 1,000 trials after 100 warm-up ones; and the wall time of whole NB201 searches
 * (12,000 simulated seconds, the published protocol) through the runner, 200 runs.
 * The peer: the NAS-Bench-201 authors' Python/PyTorch REINFORCE takes 52 ms per search run on this machine.
 */
export async function strategyOverhead(): Promise<unknown> {
  const bench = await loadBenchmark('nb201', { dataset: 'cifar10' });
  const table = bench.evaluator;
  if (!(table instanceof TabularEvaluator)) throw new Error('nb201 is expected to be a tabular benchmark');
  const known = new Set(strategyNames());
  const out: Record<string, unknown>[] = [];
  for (const config of CONFIGS.filter((c) => known.has(c.strategy))) {
    const strategy = createStrategy(config.strategy, config.options, bench.space, 1);
    const history: TrialRecord[] = [];
    const ctx = (i: number): StrategyContext => ({
      space: bench.space,
      direction: 'maximize',
      progress: Math.min(1, i / 1100),
      history,
      running: 0,
    });
    const times: number[] = [];
    // Process CPU time as well: on a shared machine the wall time includes waiting for a core.
    const cpu: number[] = [];
    for (let i = 0; i < 1100; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const proposal = await strategy.ask(ctx(i));
      const t1 = performance.now();
      const askCpu = process.cpuUsage(c0);
      if (proposal.kind !== 'trial') throw new Error(`${config.strategy} answered ${proposal.kind}`);
      const key = bench.space.key(proposal.sample);
      const row = table.lookup(key);
      const score = row?.metrics[bench.signal];
      const trial: TrialRecord = {
        id: String(i),
        experimentId: '1',
        number: i,
        sample: proposal.sample,
        key,
        state: score === undefined ? 'invalid' : 'complete',
        metrics: row?.metrics ?? {},
        score: score ?? 0,
        cost: 0,
        createdAt: 0,
      };
      const c2 = process.cpuUsage();
      const t2 = performance.now();
      await strategy.tell(trial, ctx(i));
      const t3 = performance.now();
      const tellCpu = process.cpuUsage(c2);
      if (i >= 100) {
        times.push(t1 - t0 + (t3 - t2));
        cpu.push((askCpu.user + askCpu.system + tellCpu.user + tellCpu.system) / 1000);
      }
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const runs = await runBench({
      benchmark: 'nb201',
      dataset: 'cifar10',
      strategy: config.strategy,
      options: config.options,
      runs: 200,
      budget: { simulatedSeconds: 12000 },
    });
    out.push({
      strategy: config.strategy,
      options: config.options,
      askTellMs: { median: quantile(times, 0.5), p90: quantile(times, 0.9), max: times.at(-1) },
      askTellCpuMs: { median: quantile(cpu, 0.5), p90: quantile(cpu, 0.9) },
      wholeRunMs: (runs.wallSeconds * 1000) / runs.runs,
      testAcc200Runs: runs.metrics.test_acc?.mean,
    });
  }
  return {
    benchmark: 'strategy-overhead',
    node: process.version,
    date: new Date().toISOString(),
    results: out,
  };
}
