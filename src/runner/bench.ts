import type { Json } from '../core/types.js';
import { loadBenchmark } from '../evaluate/tabular/index.js';
import { MemoryStorage } from '../storage/memory.js';
import { createStrategy } from '../strategy/registry.js';
import type { Budget, RunSummary } from './reporter.js';
import { CurveRecorder, type BestSoFarCurve } from './curve.js';
import { Runner } from './runner.js';
import { EventLoopYielder } from './yield.js';

export interface BenchOptions {
  readonly benchmark: string;
  readonly dataset?: string;
  readonly strategy: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly runs: number;
  readonly budget: Budget;
  /** Run i uses seed + i. */
  readonly seed?: number;
  readonly duplicates?: 'reuse' | 'evaluate';
  /** Record the mean best-so-far curve of each report metric (and the signal) against evaluations. */
  readonly curve?: boolean;
  /** Called after each run (progress bars). */
  readonly onRun?: (index: number, summary: RunSummary) => void;
}

export interface Stat {
  readonly mean: number;
  /** Population standard deviation (numpy's default, as the NAS-Bench-201 tables report). */
  readonly std: number;
  readonly n: number;
}

export interface BenchResult {
  readonly benchmark: string;
  readonly dataset: string;
  readonly strategy: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly runs: number;
  readonly budget: Budget;
  readonly seed: number;
  readonly evaluationsPerRun: Stat;
  readonly metrics: Readonly<Record<string, Stat>>;
  /** Search time of all runs, table loading excluded. */
  readonly wallSeconds: number;
  /** With `curve: true`. */
  readonly curve?: BestSoFarCurve;
}

export function stat(values: readonly number[]): Stat {
  const finite = values.filter((v) => Number.isFinite(v));
  const n = finite.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = finite.reduce((a, b) => a + b, 0) / n;
  const variance = finite.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { mean, std: Math.sqrt(variance), n };
}

/**
 * Runs a strategy `runs` times under a tabular benchmark's protocol with different seeds and summarises
 * the report metrics of each run's best architecture (the one with the best search signal). Trials live
 * in memory: no disk writes per trial.
 */
export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const bench = await loadBenchmark(o.benchmark, { dataset: o.dataset });
  const seed = o.seed ?? 0;
  // Fail on bad options before the first run, not inside it.
  createStrategy(o.strategy, { ...o.options }, bench.space, seed);
  const evaluations: number[] = [];
  const values = new Map<string, number[]>(bench.report.map((name) => [name, []]));
  const config: Json = { benchmark: o.benchmark, strategy: o.strategy };
  const started = performance.now();
  const yielder = new EventLoopYielder();
  const recorder = o.curve ? new CurveRecorder([bench.signal, ...bench.report]) : undefined;
  for (let i = 0; i < o.runs; i++) {
    await yielder.maybeYield();
    const storage = new MemoryStorage();
    const experiment = await storage.createExperiment(`bench-${i}`, config);
    const runner = new Runner({
      experimentId: experiment.id,
      storage,
      space: bench.space,
      strategy: createStrategy(o.strategy, { ...o.options }, bench.space, seed + i),
      evaluator: bench.evaluator,
      budget: o.budget,
      duplicates: o.duplicates,
      reporters: recorder ? [recorder.reporter()] : [],
    });
    const summary = await runner.run();
    evaluations.push(summary.trials);
    for (const [name, list] of values) list.push(summary.best?.metrics[name] ?? NaN);
    o.onRun?.(i, summary);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const metrics: Record<string, Stat> = {};
  for (const [name, list] of values) metrics[name] = stat(list);
  return {
    benchmark: bench.name,
    dataset: bench.dataset,
    strategy: o.strategy,
    options: o.options,
    runs: o.runs,
    budget: o.budget,
    seed,
    evaluationsPerRun: stat(evaluations),
    metrics,
    wallSeconds,
    ...(recorder ? { curve: recorder.curve() } : {}),
  };
}
