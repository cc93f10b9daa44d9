/**
 * What the curve pruner saves on real training: `npx tsx bench/prune-fashion.ts`. The pruner earns its
 * place if it saves at least 40% of the training time and costs at most 0.3 points of best accuracy.
 *
 * Runs the same search twice per seed on the Fashion-MNIST task of examples/fashion-mnist.yaml (its
 * chain space, its train evaluator): (a) without a pruner, (b) with the curve pruner (Domhan's rule,
 * src/prune/curve.ts). Both arms use the same seed, strategy (default random, whose proposals do not
 * depend on the scores, so both arms train the same architectures) and `--trials` trials of `--epochs`
 * epochs on `--fraction` of the training split. Per arm it records the summed training seconds of the
 * trials (their train_seconds), the epochs trained, the wall and CPU seconds, and the best complete
 * trial's validation and test accuracy; then the saving (1 - pruned / unpruned training seconds) and
 * the accuracy drop in points.
 *
 *   npx tsx bench/prune-fashion.ts --trials 24 --epochs 6 --fraction 0.15        # the measurement
 *   npx tsx bench/prune-fashion.ts --trials 4 --epochs 3 --data bundled          # a smoke run
 *
 * Other options: --seeds 0,1 (one pair of arms per seed), --strategy random|evolution, --workers 1,
 * --threshold 0.05, --min-points 3. Data: the example's (its folder, else Debian's full set at
 * /usr/share/datasets/fashion-mnist); `--data bundled` trains on the repository's 3,000-image subset.
 * Output: the comparison, and one JSON object (with --json, and always in bench/results/prune-fashion.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TrialRecord } from '../src/core/types.js';
import { bundledFashionMnistDir } from '../src/data/fashion-mnist.js';
import { prunerConfigSchema } from '../src/prune/config.js';
import { loadConfigFile } from '../src/runner/config-file.js';
import type { ExperimentConfig } from '../src/runner/config.js';
import { startExperiment } from '../src/runner/experiment.js';
import { MemoryStorage } from '../src/storage/memory.js';

const EXAMPLE = fileURLToPath(new URL('../examples/fashion-mnist.yaml', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '24' },
    epochs: { type: 'string', default: '6' },
    fraction: { type: 'string', default: '0.15' },
    seeds: { type: 'string', default: '0' },
    strategy: { type: 'string', default: 'random' },
    workers: { type: 'string', default: '1' },
    threshold: { type: 'string', default: '0.05' },
    'min-points': { type: 'string', default: '3' },
    data: { type: 'string', default: 'full' },
    json: { type: 'boolean', default: false },
  },
});
const trials = Number(values.trials);
const epochs = Number(values.epochs);
const seeds = values.seeds.split(',').map(Number);
if (values.data !== 'full' && values.data !== 'bundled') throw new Error('--data is full or bundled');
if (values.strategy !== 'random' && values.strategy !== 'evolution') {
  throw new Error('--strategy is random or evolution');
}

const example = loadConfigFile(EXAMPLE);
if (example.evaluator.type !== 'train') throw new Error(`${EXAMPLE}: expected a train evaluator`);
const evaluator = {
  ...example.evaluator,
  epochs,
  dataFraction: Number(values.fraction),
  workers: Number(values.workers),
  data:
    values.data === 'bundled'
      ? { ...example.evaluator.data, type: 'idx' as const, path: bundledFashionMnistDir() }
      : example.evaluator.data,
};
// The train evaluator does not (yet) tell the pruner its epochs: say the target step here.
const curve = prunerConfigSchema.parse({
  type: 'curve',
  threshold: Number(values.threshold),
  minPoints: Number(values['min-points']),
  targetStep: epochs,
});

interface Arm {
  readonly pruner: 'none' | 'curve';
  readonly seed: number;
  readonly trials: number;
  readonly pruned: number;
  readonly train_seconds: number;
  readonly epochs_trained: number;
  readonly wall_seconds: number;
  readonly cpu_seconds: number;
  readonly best_valid_acc: number | null;
  readonly best_test_acc: number | null;
  readonly best_key: string | null;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const round = (v: number, d = 4) => Number(v.toFixed(d));

async function runArm(pruner: Arm['pruner'], seed: number): Promise<Arm> {
  const config: ExperimentConfig = {
    ...example,
    name: `prune-fashion-${pruner}-${seed}`,
    seed,
    evaluator,
    strategy:
      values.strategy === 'random'
        ? { name: 'random', options: {} }
        : { name: 'evolution', options: { population: 12, sample: 3 } },
    budget: { trials },
    concurrency: 1,
    ...(pruner === 'curve' ? { pruner: curve } : { pruner: undefined }),
  };
  const storage = new MemoryStorage();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const summary = await startExperiment(config, storage);
  const cpu = process.cpuUsage(cpuStart);
  const records: readonly TrialRecord[] = await storage.trials(summary.experimentId);
  const metric = (name: string) => records.map((t) => t.metrics[name] ?? 0);
  const best = summary.best;
  return {
    pruner,
    seed,
    trials: records.length,
    pruned: records.filter((t) => t.state === 'pruned').length,
    train_seconds: round(sum(metric('train_seconds')), 1),
    epochs_trained: sum(metric('epochs')),
    wall_seconds: round((performance.now() - wallStart) / 1000, 1),
    cpu_seconds: round((cpu.user + cpu.system) / 1e6, 1),
    best_valid_acc: best?.metrics['valid_acc'] ?? null,
    best_test_acc: best?.metrics['test_acc'] ?? null,
    best_key: best?.key ?? null,
  };
}

const arms: Arm[] = [];
for (const seed of seeds) {
  for (const pruner of ['none', 'curve'] as const) {
    const arm = await runArm(pruner, seed);
    arms.push(arm);
    console.error(
      `seed ${seed} ${pruner.padEnd(5)}: ${arm.trials} trials (${arm.pruned} pruned), ${arm.epochs_trained} epochs, ` +
        `train ${arm.train_seconds} s, best valid ${arm.best_valid_acc} test ${arm.best_test_acc}`,
    );
  }
}

const of = (pruner: Arm['pruner']) => arms.filter((a) => a.pruner === pruner);
const mean = (xs: readonly (number | null)[]) => {
  const ok = xs.filter((x): x is number => x !== null);
  return ok.length === 0 ? null : sum(ok) / ok.length;
};
const totals = (pruner: Arm['pruner']) => {
  const a = of(pruner);
  return {
    train_seconds: round(sum(a.map((x) => x.train_seconds)), 1),
    epochs_trained: sum(a.map((x) => x.epochs_trained)),
    mean_best_valid_acc: mean(a.map((x) => x.best_valid_acc)),
    mean_best_test_acc: mean(a.map((x) => x.best_test_acc)),
  };
};
const base = totals('none');
const pruned = totals('curve');
const points = (a: number | null, b: number | null) =>
  a === null || b === null ? null : round((a - b) * 100, 2);
const result = {
  command: `npx tsx bench/prune-fashion.ts ${process.argv.slice(2).join(' ')}`.trim(),
  data: values.data === 'full' ? 'fashion-mnist (the example config data)' : 'bundled 3,000-image subset',
  space: 'examples/fashion-mnist.yaml (chain)',
  strategy: values.strategy,
  trials,
  epochs,
  dataFraction: evaluator.dataFraction,
  workers: evaluator.workers,
  pruner: curve,
  seeds,
  arms,
  unpruned: base,
  curve: pruned,
  /** 1 - curve / unpruned summed training seconds (the pruner should save at least 0.4). */
  time_saving: base.train_seconds > 0 ? round(1 - pruned.train_seconds / base.train_seconds, 3) : null,
  epoch_saving: base.epochs_trained > 0 ? round(1 - pruned.epochs_trained / base.epochs_trained, 3) : null,
  /** Points lost in the best validation / test accuracy (the pruner should lose at most 0.3). */
  valid_drop_points: points(base.mean_best_valid_acc, pruned.mean_best_valid_acc),
  test_drop_points: points(base.mean_best_test_acc, pruned.mean_best_test_acc),
};
mkdirSync(RESULTS, { recursive: true });
writeFileSync(`${RESULTS}prune-fashion.json`, `${JSON.stringify(result, null, 2)}\n`);
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(
    `unpruned: train ${base.train_seconds} s, ${base.epochs_trained} epochs, best valid ${base.mean_best_valid_acc} ` +
      `test ${base.mean_best_test_acc}`,
  );
  console.log(
    `curve:    train ${pruned.train_seconds} s, ${pruned.epochs_trained} epochs, best valid ${pruned.mean_best_valid_acc} ` +
      `test ${pruned.mean_best_test_acc}`,
  );
  console.log(
    `saving ${result.time_saving} of training time (${result.epoch_saving} of epochs); accuracy drop ` +
      `${result.valid_drop_points} points valid, ${result.test_drop_points} test`,
  );
}
