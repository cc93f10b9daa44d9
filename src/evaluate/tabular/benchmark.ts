import type { Evaluator } from '../../core/evaluator.js';
import type { ArchGraph, SearchSpace } from '../../core/space.js';
import type { Direction } from '../../core/types.js';
import { ConfigError } from '../../core/errors.js';
import { quoted } from '../../core/validate.js';
import { didYouMean } from '../../core/config-hints.js';
import { BUILTIN_BENCHMARKS, builtinBenchmark, builtinTables } from './builtin.js';
import { checkRegularFile } from '../../files/regular-file.js';
import { USER_TABLE_WHAT, loadUserTable, userTableDatasetProblem } from './user-table.js';

/** Everything a run or a `bench` needs from a benchmark. */
export interface Benchmark {
  readonly name: string;
  readonly dataset: string;
  readonly space: SearchSpace<ArchGraph>;
  readonly evaluator: Evaluator<unknown>;
  /** The metric the strategy optimises (a column name) and its direction. */
  readonly signal: string;
  readonly direction: Direction;
  /** The metrics `bench` summarises, e.g. ['valid_acc_200ep', 'test_acc'] for nb201. */
  readonly report: readonly string[];
}

export const BUILTIN_BENCHMARK_NAMES: readonly string[] = Object.keys(BUILTIN_BENCHMARKS);

const builtins = new Map<string, Promise<Benchmark>>();

/** Why a built-in benchmark has no such dataset, or undefined when it has. */
function datasetProblem(name: string, dataset: string): string | undefined {
  const valid = Object.keys(BUILTIN_BENCHMARKS[name]?.datasets ?? {});
  if (valid.includes(dataset)) return undefined;
  return `benchmark ${name} has no dataset ${quoted(dataset)}; valid datasets: ${valid.join(', ')}${didYouMean(dataset, valid)}`;
}

function unknownBenchmark(ref: string): string {
  return (
    `unknown benchmark ${quoted(ref)}: expected ${BUILTIN_BENCHMARK_NAMES.join(', ')} or the path of a ` +
    `user table .yaml file${didYouMean(ref, BUILTIN_BENCHMARK_NAMES)}`
  );
}

/** A problem with a benchmark choice, and which of the two settings it is in. */
export interface BenchmarkChoiceProblem {
  readonly field: 'benchmark' | 'dataset';
  readonly message: string;
}

/**
 * Checks a benchmark reference and dataset without loading a table, so a config can name the setting
 * at fault: an unknown name, a user table YAML that is not a readable regular file, a dataset the
 * benchmark does not have (a user table's one dataset is its table's name, read from its YAML).
 */
export function benchmarkChoiceProblem(
  ref: string,
  dataset: string | undefined,
): BenchmarkChoiceProblem | undefined {
  if (Object.hasOwn(BUILTIN_BENCHMARKS, ref)) {
    const message = dataset === undefined ? undefined : datasetProblem(ref, dataset);
    return message === undefined ? undefined : { field: 'dataset', message };
  }
  if (!USER_TABLE.test(ref)) return { field: 'benchmark', message: unknownBenchmark(ref) };
  try {
    checkRegularFile(ref, USER_TABLE_WHAT);
    if (dataset === undefined) return undefined;
    const message = userTableDatasetProblem(ref, dataset);
    return message === undefined ? undefined : { field: 'dataset', message };
  } catch (e) {
    if (e instanceof ConfigError) return { field: 'benchmark', message: e.message };
    throw e;
  }
}

const USER_TABLE = /\.ya?ml$/i;

/**
 * The one entry point for tabular benchmarks: `nb201`, `nasbench-macro`, or the path of a user table
 * YAML. Built-in benchmarks are built once per process and dataset, and shared (they are read-only).
 */
export async function loadBenchmark(ref: string, options: { dataset?: string } = {}): Promise<Benchmark> {
  if (!Object.hasOwn(BUILTIN_BENCHMARKS, ref)) {
    if (!USER_TABLE.test(ref)) throw new ConfigError(unknownBenchmark(ref));
    return loadUserTable(ref, options);
  }
  const dataset = options.dataset ?? (BUILTIN_BENCHMARKS[ref]?.defaultDataset as string);
  const problem = datasetProblem(ref, dataset);
  if (problem !== undefined) throw new ConfigError(problem);
  const cacheKey = `${ref}/${dataset}`;
  let benchmark = builtins.get(cacheKey);
  if (benchmark === undefined) {
    benchmark = builtinTables(ref).then(({ table, joined }) => builtinBenchmark(ref, dataset, table, joined));
    builtins.set(cacheKey, benchmark);
    benchmark.catch(() => builtins.delete(cacheKey));
  }
  return benchmark;
}
