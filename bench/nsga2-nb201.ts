/**
 * nsga2 on NAS-Bench-201 / CIFAR-10 with HW-NAS-Bench latency: maximise the 12-epoch validation accuracy
 * (the search signal), minimise a device's latency; after a budget of evaluations, the hypervolume of the
 * evaluated trials' front relative to the true front of the whole table. Also reported in the 200-epoch
 * accuracy (the reported metric) and for random search with the same budget.
 *
 *   npx tsx bench/nsga2-nb201.ts [--latency edgegpu_latency_c10] [--seeds 3] [--evaluations 300]
 *                                [--population 50]
 *
 * Reference points: the table's nadir (the lowest accuracy and the highest latency of any architecture)
 * and the true front's nadir. The 200-epoch figures are the front of the evaluated architectures in
 * 200-epoch accuracy against the table's 200-epoch front. Evaluations count distinct architectures: a repeat is answered from the first result
 * without counting, as the runner's `reuse` duplicate policy does.
 */
import { parseArgs } from 'node:util';
import type { Strategy, StrategyContext } from '../src/core/strategy.js';
import type { Metrics, TrialRecord } from '../src/core/types.js';
import { bundledTablePath } from '../src/evaluate/tabular/builtin.js';
import { loadTable } from '../src/evaluate/tabular/table.js';
import { hypervolume, paretoFront, type Objective } from '../src/objective/index.js';
import { Rng } from '../src/core/rng.js';
import { Nb201Space } from '../src/space/nb201.js';
import { nsga2Strategy } from '../src/strategy/evolution/nsga2.js';
import { randomStrategy } from '../src/strategy/random.js';

const { values: args } = parseArgs({
  options: {
    latency: { type: 'string', default: 'edgegpu_latency_c10' },
    seeds: { type: 'string', default: '3' },
    evaluations: { type: 'string', default: '300' },
    population: { type: 'string', default: '50' },
  },
});
const LATENCY = args.latency;
const SEEDS = Number(args.seeds);
const EVALUATIONS = Number(args.evaluations);
const SIGNAL = 'c10valid_xvalid_acc_12ep';
const REPORT = 'c10valid_xvalid_acc_200ep_mean';

const main = await loadTable(bundledTablePath('nb201_main.csv.gz'));
const hw = await loadTable(bundledTablePath('nb201_hw_nas_bench.csv.gz'));
const latencyByKey = new Map<string, number>();
const hwKeys = hw.text('arch_str');
const hwLatency = hw.numbers(LATENCY);
hwKeys.forEach((k, r) => latencyByKey.set(k, hwLatency[r] as number));

const keys = main.text('arch_str');
const signal = main.numbers(SIGNAL);
const report = main.numbers(REPORT);
const rows = new Map<string, Metrics>();
keys.forEach((k, r) => {
  const lat = latencyByKey.get(k);
  if (lat === undefined) return;
  rows.set(k, { acc12: signal[r] as number, acc200: report[r] as number, lat });
});

const objectives: Objective[] = [
  { metric: 'acc12', direction: 'maximize' },
  { metric: 'lat', direction: 'minimize' },
];

/** Points (negated accuracy, latency) of the rows with both values; and the table's nadir. */
function points(metrics: Iterable<Metrics>, acc: 'acc12' | 'acc200'): number[][] {
  const out: number[][] = [];
  for (const m of metrics) {
    const a = m[acc] as number;
    const l = m.lat as number;
    if (Number.isFinite(a) && Number.isFinite(l)) out.push([-a, l]);
  }
  return out;
}
function nadir(all: number[][]): number[] {
  return [Math.max(...all.map((p) => p[0] as number)), Math.max(...all.map((p) => p[1] as number))];
}
const frontHv = (all: number[][], ref: number[]): number =>
  hypervolume(
    paretoFront(all).map((i) => all[i] as number[]),
    ref,
  );

/**
 * Two reference points per accuracy: the table's nadir (every architecture counts; loose, since the
 * front dominates most of that box), and the true front's own nadir (only the front's region counts:
 * far more discriminating).
 */
interface Target {
  readonly name: string;
  readonly acc: 'acc12' | 'acc200';
  readonly reference: number[];
  readonly best: number;
}
const targets: Target[] = (['acc12', 'acc200'] as const).flatMap((acc) => {
  const all = points(rows.values(), acc);
  const front = paretoFront(all).map((i) => all[i] as number[]);
  return [
    { name: `${acc}/table-nadir`, acc, reference: nadir(all) },
    { name: `${acc}/front-nadir`, acc, reference: nadir(front) },
  ].map((t) => ({ ...t, best: hypervolume(front, t.reference) }));
});

const space = new Nb201Space();

async function search(strategy: Strategy): Promise<Metrics[]> {
  const history: TrialRecord[] = [];
  const seen = new Map<string, Metrics>();
  let duplicates = 0;
  while (seen.size < EVALUATIONS && duplicates < 1000) {
    const ctx: StrategyContext = {
      space,
      direction: 'maximize',
      progress: seen.size / EVALUATIONS,
      history,
      running: 0,
    };
    const p = await strategy.ask(ctx);
    if (p.kind !== 'trial') throw new Error(`${strategy.name} answered ${p.kind} with nothing running`);
    const key = space.key(p.sample);
    const known = seen.get(key);
    duplicates = known === undefined ? 0 : duplicates + 1;
    const metrics = known ?? rows.get(key) ?? {};
    seen.set(key, metrics);
    const ok = Number.isFinite(metrics.acc12) && Number.isFinite(metrics.lat);
    const trial: TrialRecord = {
      id: String(history.length),
      experimentId: 'bench',
      number: history.length,
      sample: p.sample,
      key,
      state: ok ? 'complete' : 'invalid',
      metrics,
      ...(ok ? { score: metrics.acc12 as number } : {}),
      cost: 0,
      createdAt: 0,
    };
    await strategy.tell(trial, ctx);
    history.push(trial);
  }
  return [...seen.values()];
}

async function runAll(make: (seed: number) => Strategy): Promise<number[][]> {
  const out: number[][] = []; // [seed][target]
  for (let seed = 0; seed < SEEDS; seed++) {
    const evaluated = await search(make(seed));
    out.push(targets.map((t) => frontHv(points(evaluated, t.acc), t.reference) / t.best));
  }
  return out;
}

const options = nsga2Strategy.options.parse({ objectives, population: Number(args.population) });
const nsga2 = await runAll((seed) =>
  nsga2Strategy.create({ space, options, rng: Rng.derive(seed, 'strategy') }),
);
const random = await runAll((seed) =>
  randomStrategy.create({ space, options: {}, rng: Rng.derive(seed, 'strategy') }),
);
const fmt = (x: number): string => x.toFixed(4);
process.stdout.write(
  `nb201/cifar10, ${SIGNAL} (acc12, max) vs ${LATENCY} (min); acc200 = ${REPORT}; ` +
    `${EVALUATIONS} evaluations, ${SEEDS} seeds, nsga2 population ${options.population}\n`,
);
for (const t of targets) {
  process.stdout.write(
    `${t.name}: reference [acc ${fmt(-(t.reference[0] as number))}, latency ${fmt(t.reference[1] as number)}]\n`,
  );
}
for (const [name, runs] of [
  ['nsga2', nsga2],
  ['random', random],
] as const) {
  targets.forEach((t, k) => {
    const ratios = runs.map((r) => r[k] as number);
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    process.stdout.write(`${name} ${t.name}: HV / true HV ${ratios.map(fmt).join(' ')} mean ${fmt(mean)}\n`);
  });
}
