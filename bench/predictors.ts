/**
 * Predictor quality on NAS-Bench-201: Kendall tau between predicted and true 200-epoch
 * CIFAR-10 validation accuracy on 1,000 held-out architectures, for each surrogate trained on 100 and on
 * 400 architectures, over the one-hot and path encodings, each alone and with the benchmark's 12-epoch
 * accuracy as an extra input; the 12-epoch accuracy itself is the baseline. Three seeds, each drawing
 * its own held-out and training sets (the 100 are the first 100 of the 400).
 *   npx tsx bench/predictors.ts   -> bench/results/predictors.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src/core/rng.js';
import { BUILTIN_BENCHMARKS, bundledTable } from '../src/evaluate/tabular/builtin.js';
import { Nb201Space, nb201SampleFromKey } from '../src/space/nb201.js';
import {
  encodeAll,
  GaussianProcess,
  kendallTau,
  logErrorTransform,
  MlpEnsemble,
  OneHotEncoder,
  pathEncoderFor,
  TransformedTarget,
  type Predictor,
} from '../src/predict/surrogate/index.js';

const SEEDS = [0, 1, 2];
const TRAIN_SIZES = [100, 400];
const HELD_OUT = 1000;
const TARGET = 'c10valid_xvalid_acc_200ep_mean';
const SHORT = 'c10valid_xvalid_acc_12ep';

// Targets go through the log-error transform (transform.ts says why); gp-raw shows what it buys.
const PREDICTORS: Record<string, (seed: number) => Predictor> = {
  mlp: (seed) =>
    new TransformedTarget(
      new MlpEnsemble({ members: 5, hidden: [32, 32], epochs: 200, seed }),
      logErrorTransform(),
    ),
  gp: () => new TransformedTarget(new GaussianProcess({ kernel: 'matern52' }), logErrorTransform()),
  'gp-raw': () => new GaussianProcess({ kernel: 'matern52' }),
};

interface Cell {
  taus: number[];
  fitSeconds: number[];
}

const mean = (xs: readonly number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
const sd = (xs: readonly number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

export async function predictorsBench(): Promise<unknown> {
  const table = await bundledTable(BUILTIN_BENCHMARKS.nb201!.file);
  const keys = table.text('arch_str');
  const target = table.numbers(TARGET);
  const short = table.numbers(SHORT);
  const rows = keys.flatMap((_, r) => (Number.isFinite(target[r]!) && Number.isFinite(short[r]!) ? [r] : []));
  const space = new Nb201Space();
  const samples = keys.map((k) => nb201SampleFromKey(k));
  const encoders = { onehot: new OneHotEncoder(space), path: pathEncoderFor(space) };
  const encoded = Object.fromEntries(
    Object.entries(encoders).map(([name, e]) => [name, encodeAll(e, samples)]),
  ) as Record<keyof typeof encoders, number[][]>;
  // Feature sets: an encoding alone, or with the 12-epoch accuracy appended.
  const features: Record<string, (r: number) => number[]> = {};
  for (const name of Object.keys(encoders) as (keyof typeof encoders)[]) {
    features[name] = (r) => encoded[name][r]!;
    features[`${name}+12ep`] = (r) => [...encoded[name][r]!, short[r]!];
  }

  const cells = new Map<string, Cell>();
  const cell = (id: string): Cell => {
    let c = cells.get(id);
    if (c === undefined) cells.set(id, (c = { taus: [], fitSeconds: [] }));
    return c;
  };
  for (const seed of SEEDS) {
    const order = new Rng(seed).shuffle([...rows]);
    const heldOut = order.slice(0, HELD_OUT);
    const pool = order.slice(HELD_OUT, HELD_OUT + Math.max(...TRAIN_SIZES));
    const truth = heldOut.map((r) => target[r]!);
    const baseline = kendallTau(
      heldOut.map((r) => short[r]!),
      truth,
    );
    for (const n of TRAIN_SIZES) cell(`12ep-only|${n}|-`).taus.push(baseline);
    for (const n of TRAIN_SIZES) {
      const train = pool.slice(0, n);
      for (const [featureName, featureOf] of Object.entries(features)) {
        const X = train.map(featureOf);
        const y = train.map((r) => target[r]!);
        const queries = heldOut.map(featureOf);
        for (const [predictorName, make] of Object.entries(PREDICTORS)) {
          const start = performance.now();
          const model = make(seed);
          model.fit(X, y);
          const predicted = queries.map((x) => model.predict(x).mean);
          const c = cell(`${predictorName}|${n}|${featureName}`);
          c.fitSeconds.push((performance.now() - start) / 1000);
          c.taus.push(kendallTau(predicted, truth));
          process.stderr.write('.');
        }
      }
    }
  }
  process.stderr.write('\n');
  const results = [...cells].map(([id, c]) => {
    const [predictor, train, encoding] = id.split('|') as [string, string, string];
    return {
      predictor,
      encoding,
      train: Number(train),
      tau: mean(c.taus),
      tauSd: sd(c.taus),
      taus: c.taus,
      ...(c.fitSeconds.length > 0 ? { secondsPerFit: mean(c.fitSeconds) } : {}),
    };
  });
  return {
    benchmark: 'predictors',
    node: process.version,
    date: new Date().toISOString(),
    table: 'nb201_main.csv.gz (cifar10)',
    target: TARGET,
    shortSignal: SHORT,
    heldOut: HELD_OUT,
    seeds: SEEDS,
    predictors: {
      mlp: 'ensemble of 5 MLPs, 2x32 ReLU, Adam lr 0.01, 200 epochs, batch 32, weight decay 1e-4; log-error target',
      gp: 'Gaussian process, Matern-5/2, length scale and noise by marginal likelihood over a 5x6 grid; log-error target',
      'gp-raw': 'the same Gaussian process on the raw accuracy',
    },
    results,
  };
}

function formatTable(
  results: readonly { predictor: string; encoding: string; train: number; tau: number; tauSd: number }[],
): string {
  const lines = ['predictor  encoding      n=100          n=400'];
  const ids = [...new Set(results.map((r) => `${r.predictor}|${r.encoding}`))];
  for (const id of ids) {
    const [predictor, encoding] = id.split('|') as [string, string];
    const at = (n: number): string => {
      const r = results.find((x) => x.predictor === predictor && x.encoding === encoding && x.train === n);
      return r === undefined ? '-' : `${r.tau.toFixed(3)} ± ${r.tauSd.toFixed(3)}`;
    };
    lines.push(`${predictor.padEnd(10)} ${encoding.padEnd(12)}  ${at(100).padEnd(14)} ${at(400)}`);
  }
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('predictors.ts')) {
  const result = (await predictorsBench()) as { results: Parameters<typeof formatTable>[0] };
  const outDir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}predictors.json`, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${formatTable(result.results)}\n-> ${outDir}predictors.json\n`);
}
