import type { Evaluator } from '../../core/evaluator.js';
import type { ArchGraph, SearchSpace } from '../../core/space.js';
import type { Direction } from '../../core/types.js';
import { ConfigError } from '../../core/errors.js';
import { quoted } from '../../core/validate.js';
import { didYouMean } from '../../core/config-hints.js';
import { BUILTIN_BENCHMARKS, builtinBenchmark, builtinTables } from './builtin.js';
import { loadUserTable } from './user-table.js';

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

function datasetOf(name: string, requested: string | undefined): string {
  const spec = BUILTIN_BENCHMARKS[name];
  if (spec === undefined) throw new ConfigError(`unknown benchmark ${quoted(name)}`);
  const dataset = requested ?? spec.defaultDataset;
  const valid = Object.keys(spec.datasets);
  if (!valid.includes(dataset)) {
    throw new ConfigError(
      `benchmark ${name} has no dataset "${dataset}"; valid datasets: ${valid.join(', ')}${didYouMean(dataset, valid)}`,
    );
  }
  return dataset;
}

/**
 * The one entry point for tabular benchmarks: `nb201`, `nasbench-macro`, or the path of a user table
 * YAML. Built-in benchmarks are built once per process and dataset, and shared (they are read-only).
 */
export async function loadBenchmark(ref: string, options: { dataset?: string } = {}): Promise<Benchmark> {
  if (!Object.hasOwn(BUILTIN_BENCHMARKS, ref)) {
    if (!/\.ya?ml$/i.test(ref)) {
      throw new ConfigError(
        `unknown benchmark ${quoted(ref)}: expected ${BUILTIN_BENCHMARK_NAMES.join(', ')} or the path of a ` +
          `user table .yaml file${didYouMean(ref, BUILTIN_BENCHMARK_NAMES)}`,
      );
    }
    return loadUserTable(ref, options);
  }
  const dataset = datasetOf(ref, options.dataset);
  const cacheKey = `${ref}/${dataset}`;
  let benchmark = builtins.get(cacheKey);
  if (benchmark === undefined) {
    benchmark = builtinTables(ref).then(({ table, joined }) => builtinBenchmark(ref, dataset, table, joined));
    builtins.set(cacheKey, benchmark);
    benchmark.catch(() => builtins.delete(cacheKey));
  }
  return benchmark;
}
