import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/errors.js';
import type { ArchGraph, SearchSpace } from '../../core/space.js';
import { NasbenchMacroSpace } from '../../space/nasbench-macro.js';
import { Nb201Space } from '../../space/nb201.js';
import type { Benchmark } from './benchmark.js';
import { TabularEvaluator, type MetricColumn } from './evaluator.js';
import { loadTable, type Table } from './table.js';

// src/evaluate/tabular/ (tsx) and dist/evaluate/tabular/ (built) are both three levels below the root.
const BENCHMARKS_DIR = new URL('../../../benchmarks/', import.meta.url);

export function bundledTablePath(file: string): string {
  return fileURLToPath(new URL(file, BENCHMARKS_DIR));
}

/** A metric read from a column, optionally divided (absolute counts -> millions). */
interface MetricSource {
  readonly column: string;
  readonly divideBy?: number;
}

interface DatasetProtocol {
  readonly signal: string;
  /** Simulated seconds: `factor` x a column, or a constant. */
  readonly cost: { readonly column: string; readonly factor: number } | number;
  /** Metric name -> source; the names in `report` must be among them. */
  readonly metrics: Readonly<Record<string, MetricSource>>;
  /** Metrics read from the benchmark's joined table (BuiltinBenchmark.join), row by row on the key. */
  readonly joinedMetrics?: Readonly<Record<string, MetricSource>>;
  readonly report: readonly string[];
}

interface BuiltinBenchmark {
  readonly file: string;
  /** The column holding each row's architecture key. */
  readonly keyColumn: string;
  /** A second bundled table with more columns per architecture, matched on the same key column. */
  readonly join?: { readonly file: string };
  readonly space: () => SearchSpace<ArchGraph>;
  readonly defaultDataset: string;
  readonly datasets: Readonly<Record<string, DatasetProtocol>>;
}

/**
 * HW-NAS-Bench (Li et al., ICLR 2021): each NAS-Bench-201 network's measured latency (ms) on six
 * devices, and energy (mJ) where the benchmark has it, for one dataset's input size. The table's
 * `eyeriss_arithmetic_intensity_*` is left out: it is a property of the schedule, not a cost.
 */
function hwNasBenchMetrics(suffix: string): Record<string, MetricSource> {
  const metrics: Record<string, MetricSource> = {};
  for (const device of ['edgegpu', 'raspi4', 'edgetpu', 'pixel3', 'eyeriss', 'fpga']) {
    metrics[`latency_${device}_ms`] = { column: `${device}_latency_${suffix}` };
  }
  for (const device of ['edgegpu', 'eyeriss', 'fpga']) {
    metrics[`energy_${device}_mJ`] = { column: `${device}_energy_${suffix}` };
  }
  return metrics;
}

/** NAS-Bench-201's published protocol: search on the 12-epoch accuracy, pay 12 epochs of training time. */
function nb201Protocol(
  signal: string,
  epochTime: string,
  valid: string,
  test: string,
  suffix: string,
): DatasetProtocol {
  return {
    signal,
    cost: { column: epochTime, factor: 12 },
    metrics: {
      valid_acc_200ep: { column: valid },
      test_acc: { column: test },
      params_M: { column: `params_M_${suffix}` },
      flops_M: { column: `flops_M_${suffix}` },
    },
    joinedMetrics: hwNasBenchMetrics(suffix),
    report: ['valid_acc_200ep', 'test_acc'],
  };
}

export const BUILTIN_BENCHMARKS: Readonly<Record<string, BuiltinBenchmark>> = {
  nb201: {
    file: 'nb201_main.csv.gz',
    keyColumn: 'arch_str',
    join: { file: 'nb201_hw_nas_bench.csv.gz' },
    space: () => new Nb201Space(),
    defaultDataset: 'cifar10',
    datasets: {
      cifar10: nb201Protocol(
        'c10valid_xvalid_acc_12ep',
        'train_time_per_epoch_s_c10valid',
        'c10valid_xvalid_acc_200ep_mean',
        'c10_test_acc_200ep_mean_tagates',
        'c10',
      ),
      // The table has no separate 200-epoch validation column for CIFAR-100: both report metrics are
      // the accuracy on its validation+test set.
      cifar100: nb201Protocol(
        'c100_xvalid_acc_12ep',
        'train_time_per_epoch_s_c100',
        'c100_valtest_acc_200ep_mean',
        'c100_valtest_acc_200ep_mean',
        'c100',
      ),
      imagenet16: nb201Protocol(
        'in16_xvalid_acc_12ep',
        'train_time_per_epoch_s_in16',
        'in16_val_acc_200ep_naslib',
        'in16_valtest_acc_200ep_mean',
        'in16',
      ),
    },
  },
  'nasbench-macro': {
    file: 'nasbench_macro_cifar10.csv.gz',
    keyColumn: 'arch',
    space: () => new NasbenchMacroSpace(),
    defaultDataset: 'cifar10',
    datasets: {
      // The table records no training time: each evaluation costs 1 simulated second, so a budget in
      // simulated seconds is a number of evaluations.
      cifar10: {
        signal: 'test_acc_mean',
        cost: 1,
        metrics: {
          test_acc: { column: 'test_acc_mean' },
          params_M: { column: 'params', divideBy: 1e6 },
          flops_M: { column: 'flops', divideBy: 1e6 },
        },
        report: ['test_acc'],
      },
    },
  },
};

function times(values: Float64Array, factor: number): Float64Array {
  return factor === 1 ? values : values.map((v) => v * factor);
}

function dividedBy(values: Float64Array, divisor: number): Float64Array {
  return divisor === 1 ? values : values.map((v) => v / divisor);
}

/**
 * For each row of `table`, the row of `joined` with the same key: every architecture must be there
 * (HW-NAS-Bench covers all 15,625 NAS-Bench-201 cells), in any order.
 */
function joinRows(table: Table, joined: Table, keyColumn: string): Int32Array {
  const rowOf = new Map<string, number>();
  joined.text(keyColumn).forEach((key, r) => rowOf.set(key, r));
  const keys = table.text(keyColumn);
  const rows = new Int32Array(keys.length);
  keys.forEach((key, r) => {
    const found = rowOf.get(key);
    if (found === undefined) {
      throw new ConfigError(
        `${joined.source}: no row for ${keyColumn} ${key} (${table.source}, ${table.where(r)}); ` +
          'the bundled benchmark files do not match: reinstall naslab',
      );
    }
    rows[r] = found;
  });
  return rows;
}

function joinedColumn(joined: Table, column: string, rows: Int32Array): Float64Array {
  const values = joined.numbers(column);
  return Float64Array.from(rows, (r) => values[r] as number);
}

/**
 * Builds one dataset's benchmark over already-loaded tables (builtinTables). Without `joined`, the
 * metrics of the joined table (nb201's HW-NAS-Bench latencies) are left out.
 */
export function builtinBenchmark(name: string, dataset: string, table: Table, joined?: Table): Benchmark {
  const spec = BUILTIN_BENCHMARKS[name];
  const protocol = spec?.datasets[dataset];
  if (spec === undefined || protocol === undefined)
    throw new ConfigError(`no built-in benchmark ${name}/${dataset}`);
  const metrics: MetricColumn[] = Object.entries(protocol.metrics).map(([metric, source]) => ({
    name: metric,
    values: dividedBy(table.numbers(source.column), source.divideBy ?? 1),
  }));
  if (joined !== undefined && protocol.joinedMetrics !== undefined) {
    const rows = joinRows(table, joined, spec.keyColumn);
    for (const [metric, source] of Object.entries(protocol.joinedMetrics)) {
      const values = joinedColumn(joined, source.column, rows);
      metrics.push({ name: metric, values: dividedBy(values, source.divideBy ?? 1) });
    }
  }
  const cost =
    typeof protocol.cost === 'number'
      ? protocol.cost
      : times(table.numbers(protocol.cost.column), protocol.cost.factor);
  const evaluator = new TabularEvaluator({
    benchmark: `${name} (${dataset})`,
    keys: table.text(spec.keyColumn),
    signal: { name: protocol.signal, values: table.numbers(protocol.signal) },
    direction: 'maximize',
    metrics,
    cost,
  });
  return {
    name,
    dataset,
    space: spec.space(),
    evaluator,
    signal: protocol.signal,
    direction: 'maximize',
    report: protocol.report,
  };
}

const tables = new Map<string, Promise<Table>>();

/** The bundled table, parsed once per process (a `bench` of 500 runs must not reload it). */
export function bundledTable(file: string): Promise<Table> {
  let table = tables.get(file);
  if (table === undefined) {
    table = loadTable(bundledTablePath(file));
    tables.set(file, table);
    // A failed load (file missing from a broken install) is not cached: the next call reports it again.
    table.catch(() => tables.delete(file));
  }
  return table;
}

/** A built-in benchmark's tables: its main file and, if it has one, the joined file (loaded at once). */
export async function builtinTables(name: string): Promise<{ table: Table; joined?: Table }> {
  const spec = BUILTIN_BENCHMARKS[name];
  if (spec === undefined) throw new ConfigError(`no built-in benchmark ${name}`);
  const [table, joined] = await Promise.all([
    bundledTable(spec.file),
    spec.join === undefined ? undefined : bundledTable(spec.join.file),
  ]);
  return joined === undefined ? { table } : { table, joined };
}
