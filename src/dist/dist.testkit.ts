import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Evaluator } from '../core/evaluator.js';
import type { Storage } from '../core/storage.js';
import type { TrialRecord } from '../core/types.js';
import { loadBenchmark } from '../evaluate/tabular/index.js';
import { configToJson, parseExperimentConfig, type ExperimentConfig } from '../runner/config.js';
import { benchmarkSpace } from '../evaluate/tabular/entry.js';
import type { RunSummary } from '../runner/reporter.js';
import { Runner } from '../runner/runner.js';
import { createStrategy } from '../strategy/registry.js';
import { QueueEvaluator, type QueueEvaluatorOptions } from './queue-evaluator.js';

const WORKER = fileURLToPath(new URL('./test-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface TestWorker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  log(): string;
}

/** A worker process (src/dist/test-worker.ts) with its test hooks set through `env`. */
export function spawnWorker(
  url: string,
  o: { env?: Record<string, string>; concurrency?: number; lockMs?: number } = {},
): TestWorker {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WORKER, url, String(o.concurrency ?? 1), String(o.lockMs ?? 1000)],
    { cwd: ROOT, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before ready: ${out}`)));
  });
  ready.catch(() => undefined);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, ready, exited, log: () => out };
}

export function tabularConfig(over: Record<string, unknown> = {}): ExperimentConfig {
  return parseExperimentConfig(
    {
      evaluator: { type: 'benchmark', benchmark: 'nb201', dataset: 'cifar10' },
      strategy: { name: 'random' },
      budget: { trials: 60 },
      seed: 11,
      concurrency: 6,
      ...over,
    },
    'test config',
  );
}

/**
 * The coordinator as `naslab run --queue` will wire it (runner/experiment.ts with the evaluator
 * replaced), or the single-process reference when `queue` is undefined.
 */
export async function runSearch(
  config: ExperimentConfig,
  storage: Storage,
  queue?: Omit<QueueEvaluatorOptions, 'experimentId' | 'config' | 'runTag' | 'signal' | 'direction'>,
  experimentId?: string,
): Promise<RunSummary> {
  const bench = await loadBenchmark('nb201', { dataset: 'cifar10' });
  const space = benchmarkSpace(config.space, bench);
  const experiment =
    experimentId === undefined
      ? await storage.createExperiment('dist', configToJson(config))
      : await storage.experiment(experimentId);
  let evaluator: Evaluator<unknown> = bench.evaluator;
  if (queue !== undefined) {
    evaluator = await QueueEvaluator.open({
      ...queue,
      experimentId: experiment.id,
      config: experiment.config,
      runTag: String(experiment.createdAt),
      signal: bench.evaluator.signal,
      direction: bench.evaluator.direction,
    });
  }
  try {
    return await new Runner({
      experimentId: experiment.id,
      storage,
      space,
      strategy: createStrategy(config.strategy.name, config.strategy.options, space, config.seed),
      evaluator,
      budget: config.budget,
      concurrency: config.concurrency,
      duplicates: config.duplicates,
    }).run();
  } finally {
    if (evaluator !== bench.evaluator) await evaluator.close?.();
  }
}

/** What must match between a distributed run and the reference, trial by trial. */
export function view(trials: readonly TrialRecord[]): string[] {
  return trials.map((t) => `${t.number} ${t.key} ${t.state} ${t.score} ${t.cost}`).sort();
}
