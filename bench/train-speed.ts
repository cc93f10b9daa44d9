import { existsSync } from 'node:fs';
import { subset, type Dataset } from '../src/data/dataset.js';
import {
  defaultFashionMnistSearch,
  loadBundledFashionMnist,
  loadFashionMnist,
} from '../src/data/fashion-mnist.js';
import { smallCnn } from '../src/graph/networks.testkit.js';
import { trainEpochs } from '../src/runtime/train/train.js';

const SYSTEM = '/usr/share/datasets/fashion-mnist';

function first(data: Dataset, n: number): Dataset {
  return subset(
    data,
    Array.from({ length: Math.min(n, data.count) }, (_, i) => i),
  );
}

/**
 * Training throughput of the small CNN (src/graph/networks.testkit.ts: conv3x3x16-pool-conv3x3x32-
 * pool-dense10), batch 64, Adam, one ONNX Runtime thread: one epoch over 10,000 Fashion-MNIST training
 * images (Debian's full set when installed, else the bundled 3,000). Reported: samples/s of the whole trainEpochs call (model building,
 * session creation and validation on 500 images included), three repeats.
 * `npm run bench:train` (bench/train-compare.ts) compares the same training with PyTorch in one run;
 * docs/benchmarks.md ("Training speed against PyTorch") has the figures.
 */
export async function trainSpeed(): Promise<unknown> {
  const full = existsSync(SYSTEM);
  const splits = full ? await loadFashionMnist(defaultFashionMnistSearch()) : await loadBundledFashionMnist();
  const train = first(splits.train, 10_000);
  const valid = first(splits.test, 500);
  const repeats: number[] = [];
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    const result = await trainEpochs(
      smallCnn(),
      { train, valid },
      {
        epochs: 1,
        batchSize: 64,
        optimizer: { kind: 'adam' },
        lr: 1e-3,
        seed: r,
        session: { intraOpNumThreads: 1 },
      },
    );
    const seconds = (performance.now() - start) / 1000;
    repeats.push(train.count / seconds);
    if (!(result.epochs[0]?.validAccuracy ?? 0)) throw new Error('training produced no validation accuracy');
  }
  return {
    benchmark: 'train-speed',
    node: process.version,
    date: new Date().toISOString(),
    data: full ? 'debian fashion-mnist, first 10,000 training images' : 'bundled subset (3,000 images)',
    samples: train.count,
    samplesPerSecond: repeats,
  };
}
