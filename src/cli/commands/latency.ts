import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError, NotFoundError } from '../../core/errors.js';
import { countFlops, countParams } from '../../graph/count.js';
import { measureLatency, parseLatencyOptions, type LatencyResult } from '../../latency/measure.js';
import { targetFromExperiment, targetFromKey, type LatencyTarget } from '../../latency/target.js';
import { MEMORY_LOCATION, openStorage } from '../../storage/open.js';
import { ProgressBar, type BarOptions } from '../bar.js';
import { DB_HELP, dbPath, nonNegativeInt, positiveInt } from '../options.js';
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

export interface LatencyFlags extends OutputFlags {
  /** Measure an architecture key of this space (a YAML file) instead of an experiment's trial. */
  readonly space?: string;
  readonly trial?: string;
  readonly batch?: readonly number[];
  readonly threads?: number;
  readonly runs?: number;
  readonly repeats?: number;
  readonly warmup?: number;
  readonly db?: string;
}

/**
 * The repeatability `naslab latency` aims for: the CV of the repeat medians under 5% for models above
 * 1 ms (smaller models are left out: scheduling jitter is a large share of their time). A batch past it
 * gets a note suggesting more runs or an idle machine.
 */
const CV_LIMIT = 0.05;
const CV_MIN_MS = 1;

/** `--batch 1,32`: a comma-separated list of positive integers. */
export function batchList(value: string): number[] {
  const parse = positiveInt('--batch');
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) {
    throw new InvalidArgumentError(
      `--batch takes batch sizes separated by commas (e.g. 1,32), got "${value}"`,
    );
  }
  return parts.map(parse);
}

function percent(cv: number): string {
  return Number.isNaN(cv) ? '-' : `${(cv * 100).toFixed(1)}%`;
}

async function resolveTarget(target: string, flags: LatencyFlags): Promise<LatencyTarget> {
  if (flags.space !== undefined) {
    if (flags.trial !== undefined) {
      throw new ConfigError(
        '--trial picks a trial of an experiment; with --space the argument is the architecture',
      );
    }
    return targetFromKey(target, flags.space);
  }
  // Read-only: measuring never changes the store, and a search writing to it is not disturbed.
  const storage = openStorage(dbPath(flags.db), { readonly: dbPath(flags.db) !== MEMORY_LOCATION });
  try {
    return await targetFromExperiment(storage, target, flags.trial);
  } catch (e) {
    if (e instanceof NotFoundError && e.message.startsWith('no experiment with id')) {
      throw new NotFoundError(
        `${e.message}; to measure an architecture key instead, name its space: --space <config.yaml>`,
        { cause: e },
      );
    }
    throw e;
  } finally {
    await storage.close();
  }
}

function printTable(
  flags: LatencyFlags,
  t: LatencyTarget,
  params: number,
  flops: number,
  r: LatencyResult,
): void {
  const o = r.options;
  const from = t.experimentId === undefined ? '' : ` (experiment ${t.experimentId}, trial #${t.trialNumber})`;
  info(flags, `${t.space} ${t.key}${from}`);
  info(flags, `  params ${formatNumber(params / 1e6)} M, FLOPs ${formatNumber(flops / 1e6)} M per sample`);
  info(
    flags,
    `  ONNX Runtime ${r.onnxruntime} (Node, CPU), ${o.threads} thread${o.threads === 1 ? '' : 's'}: ` +
      `median of ${o.runs} runs after ${o.warmup} warm-up, ${o.repeats} repeat${o.repeats === 1 ? '' : 's'}`,
  );
  const rows = r.batches.map((b) => [
    b.batch,
    b.medianMs.toFixed(3),
    b.p10Ms.toFixed(3),
    b.p90Ms.toFixed(3),
    percent(b.cvWithin),
    percent(b.cvAcross),
  ]);
  info(flags, table(['batch', 'median ms', 'p10 ms', 'p90 ms', 'CV within', 'CV across repeats'], rows));
  const noisy = r.batches.filter((b) => b.medianMs > CV_MIN_MS && b.cvAcross >= CV_LIMIT);
  for (const b of noisy) {
    note(
      flags,
      `naslab: note: batch ${b.batch} varies ${percent(b.cvAcross)} across repeats (over ${CV_LIMIT * 100}%): ` +
        'the machine is busy; measure again when it is idle, or add --repeats and --runs',
    );
  }
}

export async function latencyCommand(
  target: string,
  flags: LatencyFlags,
  barOptions: Omit<BarOptions, 'total' | 'unit'> = {},
): Promise<number> {
  const t = await resolveTarget(target, flags);
  const defaults = parseLatencyOptions({});
  const repeats = flags.repeats ?? defaults.repeats;
  const batches = flags.batch === undefined ? defaults.batches.length : flags.batch.length;
  const bar = showProgress(flags)
    ? new ProgressBar({ ...barOptions, total: batches, unit: 'batch sizes' })
    : undefined;
  let result: LatencyResult;
  try {
    result = await measureLatency(
      t.graph,
      {
        ...(flags.batch === undefined ? {} : { batches: [...flags.batch] }),
        ...(flags.threads === undefined ? {} : { threads: flags.threads }),
        ...(flags.runs === undefined ? {} : { runs: flags.runs }),
        repeats,
        ...(flags.warmup === undefined ? {} : { warmup: flags.warmup }),
      },
      { onBatch: (done) => bar?.update(done) },
    );
  } finally {
    bar?.finish();
  }
  const params = countParams(t.graph);
  const flops = countFlops(t.graph, 1);
  if (flags.json) {
    const { graph: _graph, ...architecture } = t;
    printJson({ architecture, params, flops, latency: result });
  } else printTable(flags, t, params, flops, result);
  return EXIT.ok;
}

/** Adds `naslab latency` to the program. */
export function registerLatencyCommand(program: Command): void {
  program
    .command('latency')
    .description(
      "time a network's inference in ONNX Runtime (median ms at batch 1 and 32, spread, repeatability)",
    )
    .argument('<target>', 'experiment id (its best trial, or --trial), or an architecture key with --space')
    .option(
      '--space <config.yaml>',
      'the architecture is a key of this space (experiment config or space spec)',
    )
    .option('--trial <id|#n>', 'trial id as naslab show lists it, or #N (its number); default the best')
    .option('--batch <sizes>', 'batch sizes, comma-separated (default 1,32)', batchList)
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default 1)', positiveInt('--threads'))
    .option('--runs <n>', 'timed runs per batch and repeat (default 50)', positiveInt('--runs'))
    .option('--repeats <n>', 'fresh sessions, each timed --runs times (default 5)', positiveInt('--repeats'))
    .option('--warmup <n>', 'untimed runs before timing (default 10)', nonNegativeInt('--warmup'))
    .option('--db <path>', DB_HELP)
    .option('--json', 'one JSON document on stdout: {architecture, params, flops, latency}')
    .option('--quiet', 'no progress or notes on stderr')
    .addHelpText(
      'after',
      `
Examples:
  naslab latency 3                          the best trial of experiment 3
  naslab latency 3 --trial '#12' --batch 1  trial number 12, batch 1 only
  naslab latency 'C(16,3,1)-P(max,2,2)-T' --space examples/chain-fashion.yaml --json`,
    )
    .action(async (target: string, flags: LatencyFlags) => {
      process.exitCode = await latencyCommand(target, flags);
    });
}
