/**
 * Training speed against PyTorch, in one run: `npm run bench:train [-- --json]`.
 *
 * Trains each model of bench/train-models.ts for one epoch over the first 10,000 Fashion-MNIST training
 * images (Debian's full set when installed, else the bundled 3,000-image subset, which the output says),
 * batch 64, Adam lr 1e-3, one ONNX Runtime thread, then runs the PyTorch reference
 * (scripts/bench/train_reference.py: Debian's /usr/bin/python3 with torch, one thread) on the same
 * images. Timed on both sides: building the model (naslab: the ONNX training graph and its session),
 * the epoch (batch gathering, forward, backward, Adam, the loss read back every step) and accuracy on the
 * first 500 test images. Not timed: reading the data. Each side runs `--repeats` times (default 5);
 * the figures are medians. The repeats alternate naslab and PyTorch (one child process per PyTorch
 * repeat), and each figure is also given over the process's CPU time (`*_cpu_*`), which other work on
 * a shared machine disturbs less than the wall clock.
 *
 * Output: one JSON object (with --json, and always in bench/results/train-compare.json):
 *   {"engine":"onnxruntime","models":[{"name":"cnn","naslab_samples_per_s":x,"pytorch_samples_per_s":y,
 *    "ratio":y/x}, ...], ...}
 * ratio = pytorch_samples_per_s / naslab_samples_per_s = naslab's time / PyTorch's time: at most 1 means
 * naslab is at least as fast. Without torch the PyTorch figures and ratios are null, with the reason.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { subset, type Dataset } from '../src/data/dataset.js';
import {
  SYSTEM_FASHION_MNIST_DIR,
  bundledFashionMnistDir,
  defaultFashionMnistSearch,
  loadBundledFashionMnist,
  loadFashionMnist,
} from '../src/data/fashion-mnist.js';
import { trainEpochs } from '../src/runtime/train/train.js';
import { TRAIN_MODELS } from './train-models.js';

const SAMPLES = 10_000;
const VALID = 500;
const BATCH = 64;
const LR = 1e-3;
const REFERENCE = fileURLToPath(new URL('../scripts/bench/train_reference.py', import.meta.url));

type ModelName = keyof typeof TRAIN_MODELS;
type Row = {
  readonly name: ModelName;
  readonly naslab_samples_per_s: number;
  readonly pytorch_samples_per_s: number | null;
  readonly ratio: number | null;
  readonly naslab_repeats: readonly number[];
  readonly pytorch_repeats: readonly number[] | null;
  /** The same over CPU time: what each side would do alone on the machine. */
  readonly naslab_cpu_samples_per_s: number;
  readonly pytorch_cpu_samples_per_s: number | null;
  readonly cpu_ratio: number | null;
};

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function first(data: Dataset, n: number): Dataset {
  return subset(
    data,
    Array.from({ length: Math.min(n, data.count) }, (_, i) => i),
  );
}

/** One timed run's samples/s: by the wall clock, and by the process's CPU time (steadier when shared). */
type Speed = { readonly wall: number; readonly cpu: number };

/** Samples/s of one whole trainEpochs call (see the file comment for what it includes). */
async function naslabOnce(name: ModelName, train: Dataset, valid: Dataset, seed: number): Promise<Speed> {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  const result = await trainEpochs(
    TRAIN_MODELS[name](),
    { train, valid },
    {
      epochs: 1,
      batchSize: BATCH,
      optimizer: { kind: 'adam' },
      lr: LR,
      seed,
      session: { intraOpNumThreads: 1 },
    },
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(startCpu);
  if (result.epochs.length !== 1) throw new Error(`${name}: training did not finish its epoch`);
  return { wall: train.count / seconds, cpu: train.count / ((cpu.user + cpu.system) / 1e6) };
}

/** Runs the PyTorch reference once for one model; a reason string when it cannot run (no python, no torch). */
async function pytorchOnce(
  python: string,
  dataDir: string,
  name: ModelName,
  samples: number,
  seed: number,
): Promise<{ torch: string; speed: Speed } | string> {
  const args = [REFERENCE, '--data', dataDir, '--samples', String(samples), '--valid', String(VALID)];
  args.push('--batch', String(BATCH), '--repeats', '1', '--seed', String(seed), '--models', name);
  try {
    const { stdout } = await promisify(execFile)(python, args, { maxBuffer: 1 << 20 });
    const parsed = JSON.parse(stdout) as {
      torch: string;
      models: { name: string; samples_per_s: number[]; cpu_samples_per_s: number[] }[];
    };
    const m = parsed.models[0];
    if (m === undefined) return `${REFERENCE} printed no result for ${name}`;
    return {
      torch: parsed.torch,
      speed: { wall: m.samples_per_s[0] ?? NaN, cpu: m.cpu_samples_per_s[0] ?? NaN },
    };
  } catch (e) {
    const err = e as { stderr?: string; message?: string };
    const detail = (err.stderr ?? '').trim().split('\n').pop() || (err.message ?? String(e));
    return `${python} ${REFERENCE} failed: ${detail}`;
  }
}

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    repeats: { type: 'string', default: '5' },
    python: { type: 'string', default: '/usr/bin/python3' },
    models: { type: 'string', default: Object.keys(TRAIN_MODELS).join(',') },
  },
});
const repeats = Number(values.repeats);
const models = values.models.split(',') as ModelName[];
for (const m of models) {
  if (!(m in TRAIN_MODELS))
    throw new Error(`unknown model '${m}'; known: ${Object.keys(TRAIN_MODELS).join(', ')}`);
}

const full = existsSync(SYSTEM_FASHION_MNIST_DIR);
const dataDir = full ? SYSTEM_FASHION_MNIST_DIR : bundledFashionMnistDir();
const splits = full
  ? await loadFashionMnist({ ...defaultFashionMnistSearch(), download: false })
  : await loadBundledFashionMnist();
const train = first(splits.train, SAMPLES);
const valid = first(splits.test, VALID);

// Repeats alternate naslab and PyTorch, so both see the same share of whatever else the machine runs.
const naslab: Record<string, Speed[]> = {};
const torchRuns: Record<string, Speed[]> = {};
let torchVersion: string | null = null;
let unavailable: string | null = null;
for (const name of models) {
  await naslabOnce(name, first(train, BATCH * 4), valid, 99); // warm-up: module loading, ORT's first session
  naslab[name] = [];
  torchRuns[name] = [];
  for (let r = 0; r < repeats; r++) {
    naslab[name].push(await naslabOnce(name, train, valid, r));
    if (unavailable !== null) continue;
    const ref = await pytorchOnce(values.python, dataDir, name, train.count, r);
    if (typeof ref === 'string') unavailable = ref;
    else {
      torchVersion = ref.torch;
      torchRuns[name].push(ref.speed);
    }
  }
}

const round = (v: number): number => Math.round(v);
const rows: Row[] = models.map((name) => {
  const ours = naslab[name] as Speed[];
  const theirs = unavailable === null ? (torchRuns[name] as Speed[]) : null;
  const wall = median(ours.map((s) => s.wall));
  const cpu = median(ours.map((s) => s.cpu));
  const theirWall = theirs === null ? null : median(theirs.map((s) => s.wall));
  const theirCpu = theirs === null ? null : median(theirs.map((s) => s.cpu));
  return {
    name,
    naslab_samples_per_s: round(wall),
    pytorch_samples_per_s: theirWall === null ? null : round(theirWall),
    ratio: theirWall === null ? null : Number((theirWall / wall).toFixed(3)),
    naslab_repeats: ours.map((s) => round(s.wall)),
    pytorch_repeats: theirs === null ? null : theirs.map((s) => round(s.wall)),
    naslab_cpu_samples_per_s: round(cpu),
    pytorch_cpu_samples_per_s: theirCpu === null ? null : round(theirCpu),
    cpu_ratio: theirCpu === null ? null : Number((theirCpu / cpu).toFixed(3)),
  };
});
const result = {
  engine: 'onnxruntime',
  models: rows,
  ratio_means: 'pytorch_samples_per_s / naslab_samples_per_s (at most 1: naslab at least as fast)',
  data: full
    ? `debian fashion-mnist (${SYSTEM_FASHION_MNIST_DIR}), first ${train.count} training images`
    : `bundled subset (${train.count} training images): Debian's dataset-fashion-mnist is not installed`,
  samples: train.count,
  batch: BATCH,
  optimizer: `adam lr ${LR}`,
  threads: 1,
  timed:
    'model build + session, one epoch (batches, forward, backward, Adam, loss read), accuracy on 500 test images',
  repeats,
  ...(unavailable === null ? { torch: torchVersion } : { pytorch_unavailable: unavailable }),
  node: process.version,
  date: new Date().toISOString(),
};

const outDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}train-compare.json`, `${JSON.stringify(result, null, 2)}\n`);
if (values.json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const cell = (v: number | null, w: number): string => (v === null ? '-' : String(v)).padStart(w);
  const lines = [
    `training speed, samples/s (median of ${repeats}); ${result.data}; batch ${BATCH}, Adam, one thread`,
    `${'model'.padEnd(12)}${'naslab'.padStart(10)}${'pytorch'.padStart(10)}${'ratio'.padStart(8)}`,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(12)}${cell(r.naslab_samples_per_s, 10)}${cell(r.pytorch_samples_per_s, 10)}${cell(r.ratio, 8)}`,
    ),
    'ratio = pytorch / naslab samples/s (at most 1: naslab at least as fast)',
    ...(unavailable === null ? [] : [`pytorch: not run (${unavailable})`]),
    `-> ${outDir}train-compare.json`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
