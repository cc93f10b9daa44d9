import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { SearchSpace } from '../../core/space.js';
import { DeclaredSpace, declaredSpaceFromConfig } from '../../space/declared.js';
import { defineEvaluator } from '../define.js';
import { loadBenchmark, type Benchmark } from './benchmark.js';

const BUILTIN_BENCHMARKS = new Set(['nb201', 'nasbench-macro']);

/**
 * A benchmark reference that is a path (a user table .yaml) is resolved against the folder of the file
 * that names it. Anything else is left as written: it is a name, right or wrong, and a message about
 * an unknown benchmark should quote what the user wrote, not a path made from it.
 */
export function resolveBenchmarkRef(ref: string, baseDir: string): string {
  if (BUILTIN_BENCHMARKS.has(ref) || !/\.ya?ml$/i.test(ref)) return ref;
  return isAbsolute(ref) ? ref : resolve(baseDir, ref);
}

/** `evaluator: { type: benchmark, benchmark: nb201 | nasbench-macro | ./table.yaml, dataset? }`. */
export const benchmarkEvaluatorConfigSchema = z
  .object({
    type: z.literal('benchmark'),
    /** nb201 | nasbench-macro | a path to a user table YAML (relative to the config file). */
    benchmark: z.string().min(1).default('nb201'),
    dataset: z.string().min(1).optional(),
  })
  .strict();

export type BenchmarkEvaluatorConfig = z.output<typeof benchmarkEvaluatorConfigSchema>;

/**
 * The space to search on a benchmark: the benchmark's own, unless the config declares one. A declared
 * space must be keyed like the table it searches, so it needs a user table (whose keys are declared-space
 * keys too); architectures it allows that the table lacks are invalid trials.
 */
export function benchmarkSpace(space: unknown, bench: Benchmark): SearchSpace<unknown> {
  if (space === undefined) return bench.space;
  if (typeof space === 'string') {
    if (space !== bench.space.name) {
      throw new ConfigError(
        `space "${space}" does not match benchmark ${bench.name}, whose space is "${bench.space.name}": ` +
          'remove the space field or choose the matching benchmark',
      );
    }
    return bench.space;
  }
  if (
    typeof space !== 'object' ||
    space === null ||
    !('decisions' in space) ||
    !(bench.space instanceof DeclaredSpace)
  ) {
    throw new ConfigError(
      `space: a benchmark is searched in its own space or in declared decisions over a user table (a .yaml ` +
        `file); ${bench.name} is keyed by its own space "${bench.space.name}"`,
    );
  }
  const declared = space as { readonly name?: unknown; readonly decisions: unknown };
  const name = typeof declared.name === 'string' ? declared.name : 'declared';
  return declaredSpaceFromConfig(name, declared.decisions, 'space');
}

/** A tabular benchmark: each architecture's metrics looked up in a table (simulated training time). */
export const benchmarkEvaluatorEntry = defineEvaluator({
  type: 'benchmark',
  schema: benchmarkEvaluatorConfigSchema,
  trains: false,
  resolvePaths: (config, baseDir) => ({
    ...config,
    benchmark: resolveBenchmarkRef(config.benchmark, baseDir),
  }),
  untrained: { what: 'the tabular benchmark', why: 'its trials were looked up in a table, not trained' },
  describe: ({ benchmark, dataset }) => {
    const table = /\.ya?ml$/i.test(benchmark);
    const stem = benchmark.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/i, '');
    return {
      label: table || !dataset ? benchmark : `${benchmark}/${dataset}`,
      name: [stem, dataset].filter(Boolean).join('-'),
    };
  },
  build: async (config, { space }) => {
    const bench = await loadBenchmark(config.benchmark, { dataset: config.dataset });
    return {
      space: benchmarkSpace(space, bench),
      evaluator: bench.evaluator,
      config: { ...config, dataset: bench.dataset },
    };
  },
});
