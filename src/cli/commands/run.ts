import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { Storage } from '../../core/storage.js';
import {
  checkChoices,
  fileOrigins,
  readYamlFile,
  resolveBenchmarkRef,
  resolveConfigPaths,
  type ChoiceOrigins,
} from '../../runner/config-file.js';
import { parseExperimentConfig, type ExperimentConfig } from '../../runner/config.js';
import { assertDistributable } from '../../dist/parts.js';
import { StoppedError } from '../../dist/connection.js';
import { QueueEvaluator } from '../../dist/queue-evaluator.js';
import {
  resumeExperiment,
  startExperiment,
  storedConfig,
  type RunControls,
} from '../../runner/experiment.js';
import type { RunSummary } from '../../runner/reporter.js';
import { openStorage } from '../../storage/open.js';
import { parseOptionPairs } from '../../strategy/registry.js';
import { EXIT, info, note, printJson, type OutputFlags } from '../output.js';
import { dbPath } from '../options.js';
import { searchReporters } from '../progress.js';
import { abortOnSignals } from '../signals.js';

export interface RunFlags extends OutputFlags {
  readonly benchmark?: string;
  readonly dataset?: string;
  readonly strategy?: string;
  readonly opt?: string[];
  readonly trials?: number;
  readonly budget?: number;
  readonly wall?: number;
  readonly seed?: number;
  readonly concurrency?: number;
  readonly workers?: number;
  readonly name?: string;
  readonly db?: string;
  readonly queue?: string;
  readonly queueAttempts?: number;
  readonly trialTimeout?: number;
}

/** How trials reach queue workers (`--queue`); absent: evaluated in this process. */
export interface QueueFlags {
  readonly queue?: string;
  readonly queueAttempts?: number;
  readonly trialTimeout?: number;
}

/** Trials in flight on a queue when the config does not say: enough to keep several workers busy. */
const QUEUE_CONCURRENCY = 8;

type Raw = Record<string, unknown>;

function asObject(value: unknown, field: string, where: string): Raw {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      `${where}: ${field}: expected a mapping, found ${Array.isArray(value) ? 'a list' : typeof value}`,
    );
  }
  return { ...(value as Raw) };
}

/**
 * `--workers N` sets the train evaluator's worker threads. A training search that does not set its
 * concurrency runs as many trials at once as it has workers (default: the cores), so the pool is used.
 */
function applyWorkers(raw: Raw, evaluator: Raw, workers: number | undefined, where: string): void {
  if (workers !== undefined) {
    if (evaluator.type !== 'train') {
      throw new ConfigError(
        `${where}: --workers applies to the train evaluator (evaluator.type: train), not ${String(evaluator.type ?? 'benchmark')}; remove it`,
      );
    }
    evaluator.workers = workers;
  }
  if (evaluator.type === 'train' && raw.concurrency === undefined) {
    const n = typeof evaluator.workers === 'number' ? evaluator.workers : availableParallelism();
    raw.concurrency = Math.max(1, n);
  }
}

/**
 * Where each choice was made: a flag when one was given, else the config file's field. With neither,
 * the default is valid and never named.
 */
function runOrigins(file: string | undefined, raw: Raw, flags: RunFlags): ChoiceOrigins {
  const fromFile = fileOrigins(file ?? 'command line', raw);
  const optFlags = new Set((flags.opt ?? []).map((pair) => pair.slice(0, pair.indexOf('=')).trim()));
  return {
    strategy: flags.strategy !== undefined ? '--strategy' : fromFile.strategy,
    option: (key) => (optFlags.has(key) ? `--opt ${key}` : fromFile.option(key)),
    benchmark: flags.benchmark !== undefined ? '--benchmark' : fromFile.benchmark,
    dataset: flags.dataset !== undefined ? '--dataset' : fromFile.dataset,
  };
}

/**
 * The config file (if any) with command-line flags laid over it, validated as one; the names it
 * chooses by (strategy, options, benchmark, dataset) are checked too, each error naming the file and
 * field or the flag it came from.
 */
export function buildRunConfig(file: string | undefined, flags: RunFlags): ExperimentConfig {
  const where = file ?? 'command line';
  const raw = asObject(file ? readYamlFile(file, 'experiment config') : {}, '(top level)', where);
  const origins = runOrigins(file, { ...raw }, flags);
  const evaluator = asObject(raw.evaluator ?? { type: 'benchmark' }, 'evaluator', where);
  let benchmarkFromFlag = false;
  if (flags.benchmark !== undefined) {
    evaluator.benchmark = flags.benchmark;
    benchmarkFromFlag = true;
  }
  if (flags.dataset !== undefined) evaluator.dataset = flags.dataset;
  raw.evaluator = evaluator;
  if (flags.strategy !== undefined || flags.opt !== undefined) {
    const current =
      typeof raw.strategy === 'string' ? { name: raw.strategy } : asObject(raw.strategy, 'strategy', where);
    const options = {
      ...asObject(current.options, 'strategy.options', where),
      ...parseOptionPairs(flags.opt ?? []),
    };
    raw.strategy = { name: flags.strategy ?? current.name ?? 'evolution', options };
  }
  if (flags.trials !== undefined || flags.budget !== undefined || flags.wall !== undefined) {
    const budget: Raw = {};
    if (flags.trials !== undefined) budget.trials = flags.trials;
    if (flags.budget !== undefined) budget.simulatedSeconds = flags.budget;
    if (flags.wall !== undefined) budget.wallSeconds = flags.wall;
    raw.budget = budget;
  }
  if (flags.seed !== undefined) raw.seed = flags.seed;
  if (flags.concurrency !== undefined) raw.concurrency = flags.concurrency;
  if (flags.queue !== undefined && raw.concurrency === undefined) raw.concurrency = QUEUE_CONCURRENCY;
  applyWorkers(raw, evaluator, flags.workers, where);
  if (flags.name !== undefined) raw.name = flags.name;
  const config = parseExperimentConfig(raw, where);
  const fileDir = file ? dirname(resolve(file)) : process.cwd();
  let resolved = resolveConfigPaths(config, fileDir);
  // A --benchmark path given on the command line is relative to the current folder, not the file's.
  if (benchmarkFromFlag && resolved.evaluator.type === 'benchmark') {
    resolved = {
      ...resolved,
      evaluator: {
        ...resolved.evaluator,
        benchmark: resolveBenchmarkRef(
          config.evaluator.type === 'benchmark' ? config.evaluator.benchmark : '',
          process.cwd(),
        ),
      },
    };
  }
  checkChoices(resolved, origins);
  return resolved;
}

function printSummary(summary: RunSummary, flags: OutputFlags, db: string): void {
  const best = summary.best;
  if (best) {
    const shown = Object.entries(best.metrics)
      .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
      .join(' ');
    info(flags, `best trial ${best.id} (#${best.number}): ${best.key}\n  ${shown}`);
  } else {
    info(flags, 'no trial completed');
  }
  const dbFlag = db === dbPath(undefined) ? '' : ` --db ${db}`;
  info(flags, `details: naslab show ${summary.experimentId}${dbFlag}`);
  // Trained networks (the train evaluator's metrics) can be exported; table lookups cannot.
  if (best?.metrics['train_seconds'] !== undefined) {
    info(flags, `export: naslab export ${summary.experimentId}${dbFlag} --out model [--retrain-epochs E]`);
  }
}

/** With `--queue`: the controls that make this process the coordinator of queue workers. */
function queueControls(
  flags: QueueFlags,
  storage: Storage,
  db: string,
  stop: AbortSignal,
): Pick<RunControls, 'evaluator'> {
  const url = flags.queue;
  if (url === undefined) return {};
  return {
    evaluator: async (local, experiment) => {
      assertDistributable(storedConfig(experiment.config, experiment.id));
      try {
        return await QueueEvaluator.open({
          url,
          experimentId: experiment.id,
          config: experiment.config,
          // Names the experiment in this store: every new store starts at experiment 1, and two made
          // in the same millisecond differ by their path.
          runTag: `${experiment.createdAt}@${resolve(db)}`,
          signal: local.signal,
          direction: local.direction,
          attempts: flags.queueAttempts,
          timeoutMs: flags.trialTimeout === undefined ? undefined : flags.trialTimeout * 1000,
          stop,
        });
      } catch (e) {
        // Stopped before Redis answered: no trial ran, and resume starts where this left off.
        if (e instanceof StoppedError) {
          await storage.setExperimentState(experiment.id, 'interrupted');
          throw new StoppedError(
            `stopped before the queue was reached; continue with: naslab resume ${experiment.id} --queue ...`,
          );
        }
        throw e;
      }
    },
  };
}

async function execute(
  flags: OutputFlags & QueueFlags & { db?: string },
  go: (storage: Storage, controls: RunControls) => Promise<RunSummary>,
): Promise<number> {
  const db = dbPath(flags.db);
  const storage = openStorage(db);
  try {
    const controller = abortOnSignals(() => undefined);
    let summary: RunSummary;
    try {
      summary = await go(storage, {
        reporters: searchReporters(flags),
        signal: controller.signal,
        ...queueControls(flags, storage, db, controller.signal),
      });
    } catch (e) {
      if (!(e instanceof StoppedError)) throw e;
      if (flags.json) printJson({ error: { code: e.code, message: e.message } });
      else note(flags, `naslab: ${e.message}`);
      return EXIT.interrupted;
    }
    printSummary(summary, flags, db);
    return summary.stopReason === 'aborted' ? EXIT.interrupted : EXIT.ok;
  } finally {
    await storage.close();
    // BullMQ's event reader keeps a timer (a watchdog on its blocking read, up to 11 s) that outlives
    // its ended connection, and with Redis gone nothing ends it sooner: the run is over, so the
    // process leaves without waiting for it.
    // (Once what was printed has reached stdout.)
    if (flags.queue !== undefined) {
      setTimeout(() => process.stdout.write('', () => process.exit()), 200).unref();
    }
  }
}

export async function runCommand(file: string | undefined, flags: RunFlags): Promise<number> {
  const config = buildRunConfig(file, flags);
  if (flags.queue !== undefined) assertDistributable(config);
  return execute(flags, (storage, controls) => startExperiment(config, storage, controls));
}

export async function resumeCommand(
  id: string,
  flags: OutputFlags & QueueFlags & { db?: string },
): Promise<number> {
  return execute(flags, (storage, controls) => resumeExperiment(id, storage, controls));
}
