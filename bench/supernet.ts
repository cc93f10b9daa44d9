import { Rng } from '../src/core/rng.js';
import { makeDataset } from '../src/data/dataset.js';
import type { TensorData } from '../src/graph/onnx/index.js';
import { MacroSpace } from '../src/space/macro.js';
import { randomSample } from '../src/space/walk.js';
import { Supernet } from '../src/supernet/supernet.js';
import { SharedWeights } from '../src/supernet/weights.js';

const LEVELS = ['extended', 'basic', 'disabled'] as const;
const CHILDREN = 12;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.floor(s.length / 2)] as number) * 10) / 10;
};

/**
 * The per-batch cost of a child on the supernet, on the macro space of examples/enas-fashion.yaml (6
 * layers, 16 channels, merge add, 28x28 inputs), batch 64, SGD with momentum, one ONNX Runtime thread.
 * A child seen for the first time pays the graph build (decode, autodiff, optimiser step, ONNX bytes)
 * and the session creation before its step; a cached child pays the step alone. For each graph
 * optimisation level of the child sessions: 12 random children, each stepped 6 times (the first new,
 * the next 5 cached), and scored once on a batch (logits only, nothing written back). Medians, ms.
 * Synthetic data: only the shapes matter.
 */
export async function supernetBench(): Promise<unknown> {
  const space = new MacroSpace({ input: [1, 28, 28], classes: 10, layers: 6, channels: 16, merge: 'add' });
  const rng = new Rng(1);
  const batch = 64;
  const x = new Float32Array(batch * 784).map(() => rng.normal());
  const y = Int32Array.from({ length: batch }, () => rng.int(10));
  const classes = [...'0123456789'];
  const shape = makeDataset({ source: 'synthetic', shape: [1, 28, 28], x, y, classes, inputScale: 1 });
  const xs: TensorData = { type: 'float32', dims: [batch, 1, 28, 28], data: x };
  const labels: TensorData = { type: 'int64', dims: [batch], data: BigInt64Array.from(y, BigInt) };
  const levels: Record<string, unknown> = {};
  for (const level of LEVELS) {
    const net = new Supernet(space, new SharedWeights(1), shape, {
      optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-4 },
      cacheSize: 64,
      session: { graphOptimizationLevel: level },
    });
    const first: number[] = [];
    const cached: number[] = [];
    const scored: number[] = [];
    try {
      for (let c = 0; c < CHILDREN; c++) {
        const child = randomSample(space, rng);
        let t = performance.now();
        await net.train(child, xs, labels, 0.05);
        first.push(performance.now() - t);
        for (let k = 0; k < 5; k++) {
          t = performance.now();
          await net.train(child, xs, labels, 0.05);
          cached.push(performance.now() - t);
        }
        t = performance.now();
        await (await net.child(child)).logits(net.weights, xs, labels);
        scored.push(performance.now() - t);
      }
      levels[level] = {
        newChildStepMs: median(first),
        cachedStepMs: median(cached),
        buildMsPerChild: Math.round(net.stats.buildMs / net.stats.builds),
        scoreCachedMs: median(scored),
      };
    } finally {
      await net.close();
    }
  }
  return {
    benchmark: 'supernet',
    node: process.version,
    date: new Date().toISOString(),
    space: 'macro, 6 layers, 16 channels, merge add, 28x28, batch 64, sgd, 1 thread',
    children: CHILDREN,
    levels,
  };
}

if (process.argv[1]?.endsWith('supernet.ts')) {
  process.stdout.write(`${JSON.stringify(await supernetBench(), null, 2)}\n`);
}
