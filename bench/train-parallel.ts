import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { TrialHandle } from '../src/core/evaluator.js';
import { subset, type Dataset } from '../src/data/dataset.js';
import {
  defaultFashionMnistSearch,
  loadBundledFashionMnist,
  loadFashionMnist,
} from '../src/data/fashion-mnist.js';
import { normalizeSplits } from '../src/data/normalize.js';
import { parseTrainEvaluatorConfig } from '../src/evaluate/train/config.js';
import { TrainingPool } from '../src/evaluate/train/pool/pool.js';
import { smallCnn } from '../src/graph/networks.testkit.js';

const SYSTEM = '/usr/share/datasets/fashion-mnist';
const TRIALS = 4;

function first(data: Dataset, n: number): Dataset {
  return subset(
    data,
    Array.from({ length: Math.min(n, data.count) }, (_, i) => i),
  );
}

const handle = (i: number): TrialHandle => ({
  id: `t${i}`,
  sample: {},
  key: 'small-cnn',
  report: () => Promise.resolve(),
  shouldStop: () => false,
});

/**
 * Throughput of parallel training trials: TRIALS identical trials of the small CNN
 * (src/graph/networks.testkit.ts: conv3x3x16-pool-conv3x3x32-pool-dense10; one epoch, batch 64, Adam, one ONNX Runtime thread per
 * trial) over up to 10,000 Fashion-MNIST training images (Debian's full set when installed, else the
 * bundled 3,000), validated on 500, in a TrainingPool of 1 and of 2 worker threads. Each pool first runs
 * one trial per worker (so the figures leave out starting workers), then the TRIALS trials at once.
 * Reported: training samples/s over all trials (each trial's wall time includes its validation), and
 * the process's CPU seconds per wall second (how parallel the run really was on a shared machine).
 */
export async function trainParallel(): Promise<unknown> {
  const full = existsSync(SYSTEM);
  const splits = full ? await loadFashionMnist(defaultFashionMnistSearch()) : await loadBundledFashionMnist();
  const data = normalizeSplits({
    train: first(splits.train, 10_000),
    valid: first(splits.test, 500),
    test: first(splits.test, 0),
  });
  const config = parseTrainEvaluatorConfig(
    { type: 'train', data: { type: 'fashion-mnist' }, epochs: 1, cosine: false, threads: 1 },
    'bench train-parallel',
  );
  const graph = smallCnn();
  const runs: { workers: number; seconds: number; samplesPerSecond: number; cpuPerWall: number }[] = [];
  for (const workers of [1, 2]) {
    const pool = new TrainingPool({ size: workers, config, data });
    try {
      const round = (n: number) =>
        Promise.all(
          Array.from({ length: n }, (_, i) => pool.run(graph, handle(i), new AbortController().signal)),
        );
      await round(workers);
      const start = performance.now();
      const cpu = process.cpuUsage();
      const results = await round(TRIALS);
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      // CPU seconds of all the process's threads per wall second: near `workers` when the trials
      // really ran in parallel, lower when other processes took the cores.
      const cpuPerWall = (used.user + used.system) / 1e6 / seconds;
      if (results.some((r) => !(r.metrics['valid_acc']! > 0.1))) throw new Error('a trial did not learn');
      runs.push({ workers, seconds, samplesPerSecond: (TRIALS * data.train.count) / seconds, cpuPerWall });
    } finally {
      await pool.close();
    }
  }
  const [one, two] = runs as [(typeof runs)[0], (typeof runs)[0]];
  return {
    benchmark: 'train-parallel',
    node: process.version,
    cores: availableParallelism(),
    date: new Date().toISOString(),
    data: full ? 'debian fashion-mnist, first 10,000 training images' : 'bundled subset (3,000 images)',
    trials: TRIALS,
    samplesPerTrial: data.train.count,
    runs,
    speedup: two.samplesPerSecond / one.samplesPerSecond,
  };
}
