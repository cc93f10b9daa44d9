import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import type { Evaluation } from '../../core/evaluator.js';
import type { ArchGraph, SearchSpace } from '../../core/space.js';
import { nb201SampleFromKey } from '../../space/nb201.js';
import { enumerate } from '../../space/walk.js';
import { type Benchmark, loadBenchmark } from './benchmark.js';
import { builtinBenchmark, builtinTables, bundledTable, bundledTablePath } from './builtin.js';
import { TabularEvaluator } from './evaluator.js';
import { parseTable, type Table } from './table.js';

const BEST =
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|';
const RESNET = '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|';
const DEAD_BRANCH = '|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|';

const signal = new AbortController().signal;

async function evaluate(bench: Benchmark, key: string): Promise<Evaluation> {
  const sample = nb201SampleFromKey(key);
  const handle = { id: 't', key, sample, report: async () => {}, shouldStop: () => false };
  return bench.evaluator.evaluate(bench.space.decode(sample), handle, signal);
}

function lookupAll(bench: Benchmark): Map<string, Evaluation> {
  const evaluator = bench.evaluator as TabularEvaluator;
  const space = bench.space as SearchSpace<ArchGraph>;
  const out = new Map<string, Evaluation>();
  for (const sample of enumerate(space, 20000)) {
    const key = space.key(sample);
    const found = evaluator.lookup(key);
    if (found !== undefined) out.set(key, found);
  }
  return out;
}

describe('bundled files', () => {
  it('are found relative to the module, at the repository root', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    expect(bundledTablePath('nb201_main.csv.gz')).toBe(`${root}benchmarks/nb201_main.csv.gz`);
    for (const file of ['nb201_main.csv.gz', 'nb201_hw_nas_bench.csv.gz', 'nasbench_macro_cifar10.csv.gz']) {
      expect(existsSync(bundledTablePath(file))).toBe(true);
    }
  });
});

describe('nb201', () => {
  let c10: Benchmark;
  let table: Table;
  beforeAll(async () => {
    c10 = await loadBenchmark('nb201', {});
    table = await bundledTable('nb201_main.csv.gz');
  });

  it('defaults to cifar10 and follows the published protocol', () => {
    expect(c10.name).toBe('nb201');
    expect(c10.dataset).toBe('cifar10');
    expect(c10.signal).toBe('c10valid_xvalid_acc_12ep');
    expect(c10.direction).toBe('maximize');
    expect(c10.report).toEqual(['valid_acc_200ep', 'test_acc']);
    expect(c10.space.name).toBe('nb201');
  });

  it('is loaded once per process and dataset', async () => {
    expect(await loadBenchmark('nb201', { dataset: 'cifar10' })).toBe(c10);
    expect(await bundledTable('nb201_main.csv.gz')).toBe(table);
  });

  it('maps all 15,625 rows to distinct keys the space produces', () => {
    const rows = new Set(table.text('arch_str'));
    expect(rows.size).toBe(15625);
    const keys = enumerate(c10.space, 20000).map((s) => c10.space.key(s));
    expect(keys).toHaveLength(15625);
    for (const key of keys) expect(rows.has(key)).toBe(true);
    expect(lookupAll(c10).size).toBe(15625);
  });

  it('finds the best CIFAR-10 test accuracy, 94.37, at index 6111 (and the best validation, 91.61)', () => {
    const all = [...lookupAll(c10)];
    const bestTest = Math.max(
      ...all.map(([, e]) => e.metrics['test_acc'] as number).filter((v) => !Number.isNaN(v)),
    );
    expect(bestTest).toBeCloseTo(94.37, 2);
    // The test column holds one value per isomorphism class: an equivalent cell (13714) ties with 6111.
    const atBest = all.filter(([, e]) => e.metrics['test_acc'] === bestTest).map(([key]) => key);
    expect(atBest).toContain(BEST);
    expect(atBest).toHaveLength(2);
    const bestValid = all.reduce((a, b) =>
      (b[1].metrics['valid_acc_200ep'] as number) > (a[1].metrics['valid_acc_200ep'] as number) ? b : a,
    );
    expect(bestValid[0]).toBe(BEST);
    expect(bestValid[1].metrics['valid_acc_200ep']).toBeCloseTo(91.61, 2);
    expect(table.text('arch_str')[6111]).toBe(BEST);
    expect(table.text('arch_index')[6111]).toBe('6111');
  });

  it('reports the ResNet-like cell (index 11472) as in the README', async () => {
    expect(table.text('arch_str')[11472]).toBe(RESNET);
    const { metrics, cost } = await evaluate(c10, RESNET);
    expect(metrics['test_acc']).toBeCloseTo(93.97, 2);
    expect(metrics['params_M']).toBeCloseTo(0.559, 3);
    expect(metrics['flops_M']).toBeCloseTo(78.56, 2);
    expect(metrics['valid_acc_200ep']).toBeCloseTo(90.86, 2);
    expect(metrics['c10valid_xvalid_acc_12ep']).toBeCloseTo(83.742, 3);
    expect(cost).toBeCloseTo(12 * 7.601139903, 9);
  });

  it('costs 12 x the per-epoch training time on every row', async () => {
    const perEpoch = table.numbers('train_time_per_epoch_s_c10valid');
    const keys = table.text('arch_str');
    for (const r of [0, 1, 6111, 15624]) {
      expect((await evaluate(c10, keys[r] as string)).cost).toBeCloseTo(12 * (perEpoch[r] as number), 9);
    }
    expect((await evaluate(c10, BEST)).cost).toBeCloseTo(12 * 14.39874667, 9);
  });

  it('keeps a missing test accuracy as NaN', async () => {
    const { metrics } = await evaluate(c10, DEAD_BRANCH);
    expect(metrics['test_acc']).toBeNaN();
    expect(metrics['c10valid_xvalid_acc_12ep']).toBeCloseTo(73.56, 2);
  });

  it('serves cifar100 with its 12-epoch signal and valid+test accuracy', async () => {
    const c100 = await loadBenchmark('nb201', { dataset: 'cifar100' });
    expect(c100.signal).toBe('c100_xvalid_acc_12ep');
    expect(c100.report).toEqual(['valid_acc_200ep', 'test_acc']);
    const { metrics, cost } = await evaluate(c100, RESNET);
    expect(metrics).toMatchObject({
      c100_xvalid_acc_12ep: 58.95999998,
      valid_acc_200ep: 70.695,
      test_acc: 70.695,
    });
    expect(metrics['params_M']).toBeCloseTo(0.565236, 6);
    expect(cost).toBeCloseTo(12 * 15.20227981, 9);
  });

  it('serves imagenet16', async () => {
    const in16 = await loadBenchmark('nb201', { dataset: 'imagenet16' });
    expect(in16.dataset).toBe('imagenet16');
    expect(in16.signal).toBe('in16_xvalid_acc_12ep');
    const { metrics, cost } = await evaluate(in16, RESNET);
    expect(metrics).toMatchObject({
      in16_xvalid_acc_12ep: 35.23333326,
      valid_acc_200ep: 43.63333336,
      test_acc: 44.16666665,
      params_M: 0.566536,
      flops_M: 19.64812,
    });
    expect(cost).toBeCloseTo(12 * 46.12371693, 9);
    expect((await evaluate(in16, DEAD_BRANCH)).metrics['valid_acc_200ep']).toBeNaN();
  });

  it('lists the valid datasets for a wrong one', async () => {
    await expect(loadBenchmark('nb201', { dataset: 'cifar1000' })).rejects.toThrow(ConfigError);
    await expect(loadBenchmark('nb201', { dataset: 'imagenet' })).rejects.toThrow(
      'benchmark nb201 has no dataset "imagenet"; valid datasets: cifar10, cifar100, imagenet16',
    );
  });
});

describe('nb201 with HW-NAS-Bench', () => {
  let tables: { table: Table; joined?: Table };
  beforeAll(async () => {
    tables = await builtinTables('nb201');
  });
  const bench = (dataset: string): Benchmark =>
    builtinBenchmark('nb201', dataset, tables.table, tables.joined);

  it('loads the main and the hardware table once per process', async () => {
    expect(tables.table).toBe(await bundledTable('nb201_main.csv.gz'));
    expect(tables.joined).toBe(await bundledTable('nb201_hw_nas_bench.csv.gz'));
    expect((await builtinTables('nasbench-macro')).joined).toBeUndefined();
  });

  // Expected values read by hand from nb201_hw_nas_bench.csv.gz (rows arch_index 6111 and 11472).
  it('adds each device latency and energy of the dataset to the metrics', async () => {
    const c10 = bench('cifar10');
    expect((await evaluate(c10, BEST)).metrics).toMatchObject({
      latency_edgegpu_ms: 6.810173988,
      latency_raspi4_ms: 68.40410818,
      latency_edgetpu_ms: 1.379029221,
      latency_pixel3_ms: 23.5848,
      latency_eyeriss_ms: 7.82354,
      latency_fpga_ms: 6.67856,
      energy_edgegpu_mJ: 32.25298401,
      energy_eyeriss_mJ: 1.631061196,
      energy_fpga_mJ: 46.74992,
    });
    const resnet = (await evaluate(c10, RESNET)).metrics;
    expect(resnet).toMatchObject({ latency_edgegpu_ms: 4.742565155, latency_pixel3_ms: 14.7189 });
    expect(resnet['test_acc']).toBeCloseTo(93.97, 2); // the main table's metrics are unchanged
    expect(
      Object.keys(resnet)
        .filter((k) => /^(latency|energy)_/.test(k))
        .sort(),
    ).toEqual([
      'energy_edgegpu_mJ',
      'energy_eyeriss_mJ',
      'energy_fpga_mJ',
      'latency_edgegpu_ms',
      'latency_edgetpu_ms',
      'latency_eyeriss_ms',
      'latency_fpga_ms',
      'latency_pixel3_ms',
      'latency_raspi4_ms',
    ]);
  });

  it("reads the dataset's own columns for cifar100 and imagenet16", async () => {
    expect((await evaluate(bench('cifar100'), RESNET)).metrics).toMatchObject({
      latency_edgegpu_ms: 4.802055359,
      latency_pixel3_ms: 17.5331,
    });
    expect((await evaluate(bench('imagenet16'), RESNET)).metrics).toMatchObject({
      latency_edgegpu_ms: 4.644203186,
      latency_pixel3_ms: 4.0903,
      energy_fpga_mJ: 9.2288,
    });
  });

  it('leaves the hardware metrics out without the joined table', async () => {
    const { metrics } = await evaluate(builtinBenchmark('nb201', 'cifar10', tables.table), RESNET);
    expect(metrics['latency_edgegpu_ms']).toBeUndefined();
    expect(metrics['test_acc']).toBeCloseTo(93.97, 2);
  });

  it('names an architecture missing from the joined table', () => {
    const partial = parseTable(`arch_str,edgegpu_latency_c10\n"${RESNET}",1\n`, 'hw.csv');
    expect(() => builtinBenchmark('nb201', 'cifar10', tables.table, partial)).toThrow(
      /^hw\.csv: no row for arch_str \|avg_pool_3x3~0\|.* \(.*nb201_main\.csv\.gz, row 1 \(line 2\)\)/,
    );
  });
});

describe('nasbench-macro', () => {
  let macro: Benchmark;
  beforeAll(async () => {
    macro = await loadBenchmark('nasbench-macro', {});
  });

  const evaluateMacro = (key: string) =>
    macro.evaluator.evaluate(
      null,
      { id: 't', key, sample: {}, report: async () => {}, shouldStop: () => false },
      signal,
    );

  it('looks architectures up by their digit string', async () => {
    expect(macro.dataset).toBe('cifar10');
    expect(macro.signal).toBe('test_acc_mean');
    expect(macro.report).toEqual(['test_acc']);
    const { metrics, cost } = await evaluateMacro('01201210');
    expect(metrics).toEqual({
      test_acc_mean: 90.96333059,
      test_acc: 90.96333059,
      params_M: 1.283434,
      flops_M: 46.109184,
    });
    expect(cost).toBe(1);
    expect((await evaluateMacro('00000000')).metrics['test_acc']).toBeCloseTo(45.363, 3);
  });

  it('covers the whole space; the best mean accuracy is 93.13', () => {
    const all = lookupAll(macro);
    expect(all.size).toBe(6561);
    const best = Math.max(...[...all.values()].map((e) => e.metrics['test_acc'] as number));
    expect(best).toBeCloseTo(93.13, 2);
    expect(all.get('22212220')?.metrics['test_acc']).toBe(best);
  });

  it('has only cifar10', async () => {
    await expect(loadBenchmark('nasbench-macro', { dataset: 'cifar100' })).rejects.toThrow(
      'benchmark nasbench-macro has no dataset "cifar100"; valid datasets: cifar10',
    );
  });
});

describe('loadBenchmark', () => {
  it('names the valid benchmarks for an unknown one', async () => {
    await expect(loadBenchmark('nb202', {})).rejects.toThrow(
      'unknown benchmark "nb202": expected nb201, nasbench-macro or the path of a user table .yaml file; did you mean "nb201"?',
    );
    await expect(loadBenchmark('toString', {})).rejects.toThrow(/unknown benchmark "toString"/);
  });
});
