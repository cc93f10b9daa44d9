/**
 * Multi-objective and hardware-aware search on NAS-Bench-201 / CIFAR-10 with HW-NAS-Bench latency,
 * through the real runner, the tabular evaluator and the in-memory store (as `naslab bench` runs).
 *
 *   npx tsx bench/mo-nb201.ts [--runs 20] [--evaluations 300] [--mnas-seeds 10] [--mnas-trials 500]
 *     -> bench/results/mo-nb201.json
 *
 * (a) nsga2 (and, for context, evolution-pareto and random search) maximising the 12-epoch validation
 *     accuracy (the search signal, c10valid_xvalid_acc_12ep) and minimising latency_edgegpu_ms, then
 *     latency_pixel3_ms: after `evaluations` distinct architectures, the hypervolume of the evaluated
 *     trials' front divided by that of the true front of the whole table, mean over `runs` seeds. The
 *     same ratio in the 200-epoch accuracy (valid_acc_200ep), the front of the evaluated architectures
 *     against the table's 200-epoch front. Reference points (accuracy, latency):
 *       nadir      the table's worst accuracy and worst latency (loose: most of that box is dominated
 *                  by any decent architecture);
 *       p10/p90    the table's 10th percentile of accuracy and 90th percentile of latency (tight);
 *       front      the true front's own worst accuracy and worst latency (strictest: only the front's
 *                  region counts).
 * (b) REINFORCE with MnasNet's reward on (12-epoch accuracy, latency_pixel3_ms), T = the median Pixel 3
 *     latency over the table: the returned architecture is the best trial by the reward (what `naslab
 *     show` and `export` pick); it passes when its latency <= T and its 200-epoch accuracy is within
 *     0.5 points of the best 200-epoch accuracy among all architectures with latency <= T.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TrialHandle } from '../src/core/evaluator.js';
import type { Metrics, TrialRecord } from '../src/core/types.js';
import { loadBenchmark } from '../src/evaluate/tabular/index.js';
import { hypervolume, paretoFront, toMinimization, type Objective } from '../src/objective/index.js';
import { bestTrial } from '../src/runner/best.js';
import { stat, type Stat } from '../src/runner/bench.js';
import { Runner } from '../src/runner/runner.js';
import { enumerate } from '../src/space/walk.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { createStrategy } from '../src/strategy/registry.js';
import { withReward, type RewardObjective } from '../src/strategy/reward-objective.js';
import { quantile } from '../src/latency/stats.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    evaluations: { type: 'string', default: '300' },
    'mnas-seeds': { type: 'string', default: '10' },
    'mnas-trials': { type: 'string', default: '500' },
    /** REINFORCE's options for (b), as JSON (default: its defaults). */
    'mnas-options': { type: 'string', default: '{}' },
    /** Skip (a), the hypervolume runs. */
    'mnas-only': { type: 'boolean', default: false },
    /** (b)'s first seed: tune on some seeds, confirm on others. */
    'mnas-first-seed': { type: 'string', default: '0' },
  },
});
const RUNS = Number(args.runs);
const EVALUATIONS = Number(args.evaluations);
const MNAS_SEEDS = Number(args['mnas-seeds']);
const MNAS_TRIALS = Number(args['mnas-trials']);
const MNAS_FIRST = Number(args['mnas-first-seed']);
const MNAS_OPTIONS = JSON.parse(args['mnas-options']) as Record<string, unknown>;
const DEVICES = ['latency_edgegpu_ms', 'latency_pixel3_ms'];
const ACC200 = 'valid_acc_200ep';

const bench = await loadBenchmark('nb201', { dataset: 'cifar10' });
const SIGNAL = bench.signal;

/** Every scored architecture's metrics, through the evaluator itself (what trials carry). */
async function wholeTable(): Promise<Metrics[]> {
  const out: Metrics[] = [];
  const never = new AbortController().signal;
  for (const sample of enumerate(bench.space, 20_000)) {
    const handle: TrialHandle = {
      id: 'table',
      sample,
      key: bench.space.key(sample),
      report: () => Promise.resolve(),
      shouldStop: () => false,
    };
    try {
      out.push((await bench.evaluator.evaluate(bench.space.decode(sample), handle, never)).metrics);
    } catch {
      // unscored rows (no 12-epoch accuracy) are invalid trials, not architectures a search can score
    }
  }
  return out;
}
const table = await wholeTable();

function points(rows: readonly Metrics[], objectives: readonly Objective[]): number[][] {
  return rows.flatMap((m) => {
    const p = toMinimization(m, objectives);
    return p === undefined ? [] : [p];
  });
}
const frontOf = (all: number[][]): number[][] => paretoFront(all).map((i) => all[i] as number[]);

interface Reference {
  readonly name: string;
  readonly accuracy: string;
  readonly latency: string;
  /** (accuracy, latency) in natural units. */
  readonly point: readonly [number, number];
  readonly trueHv: number;
}

function references(accuracy: string, latency: string): Reference[] {
  const objectives: Objective[] = [
    { metric: accuracy, direction: 'maximize' },
    { metric: latency, direction: 'minimize' },
  ];
  const all = points(table, objectives);
  const front = frontOf(all);
  const acc = all.map((p) => -(p[0] as number));
  const lat = all.map((p) => p[1] as number);
  const defs: [string, [number, number]][] = [
    ['nadir', [Math.min(...acc), Math.max(...lat)]],
    ['p10/p90', [quantile(acc, 0.1), quantile(lat, 0.9)]],
    [
      'front',
      [Math.min(...front.map((p) => -(p[0] as number))), Math.max(...front.map((p) => p[1] as number))],
    ],
  ];
  return defs.map(([name, point]) => ({
    name,
    accuracy,
    latency,
    point,
    trueHv: hypervolume(front, [-point[0], point[1]]),
  }));
}

function hvRatio(trials: readonly TrialRecord[], r: Reference): number {
  const objectives: Objective[] = [
    { metric: r.accuracy, direction: 'maximize' },
    { metric: r.latency, direction: 'minimize' },
  ];
  const evaluated = points(
    trials.filter((t) => t.state === 'complete').map((t) => t.metrics),
    objectives,
  );
  return hypervolume(frontOf(evaluated), [-r.point[0], r.point[1]]) / r.trueHv;
}

async function search(
  strategy: string,
  options: Record<string, unknown>,
  seed: number,
  trials: number,
  objective: RewardObjective = {},
): Promise<TrialRecord[]> {
  const storage = new MemoryStorage();
  const experiment = await storage.createExperiment(`mo-${strategy}-${seed}`, {});
  const inner = createStrategy(strategy, options, bench.space, seed);
  await new Runner({
    experimentId: experiment.id,
    storage,
    space: bench.space,
    strategy: withReward(inner, objective),
    evaluator: bench.evaluator,
    budget: { trials },
  }).run();
  return [...(await storage.trials(experiment.id))];
}

const fmt = (x: number, d = 4): string => x.toFixed(d);
const out = (line: string): boolean => process.stdout.write(`${line}\n`);

// (a) hypervolume after EVALUATIONS evaluations
interface HvRow {
  readonly strategy: string;
  readonly latency: string;
  readonly accuracy: string;
  readonly reference: string;
  readonly referencePoint: readonly [number, number];
  readonly ratio: Stat;
  readonly min: number;
  readonly runsAtLeast95: number;
}
const hvRows: HvRow[] = [];
const started = performance.now();
for (const latency of args['mnas-only'] ? [] : DEVICES) {
  const objectives = [
    { metric: SIGNAL, direction: 'maximize' },
    { metric: latency, direction: 'minimize' },
  ];
  const refs = [...references(SIGNAL, latency), ...references(ACC200, latency)];
  const strategies: [string, Record<string, unknown>][] = [
    ['nsga2', { objectives, population: 50 }],
    ['evolution-pareto', { objectives, population: 50, sample: 10 }],
    ['random', {}],
  ];
  for (const [name, options] of strategies) {
    const ratios = refs.map(() => [] as number[]);
    for (let seed = 0; seed < RUNS; seed++) {
      const trials = await search(name, options, seed, EVALUATIONS);
      refs.forEach((r, k) => ratios[k]?.push(hvRatio(trials, r)));
    }
    refs.forEach((r, k) => {
      const list = ratios[k] as number[];
      hvRows.push({
        strategy: name,
        latency,
        accuracy: r.accuracy,
        reference: r.name,
        referencePoint: r.point,
        ratio: stat(list),
        min: Math.min(...list),
        runsAtLeast95: list.filter((x) => x >= 0.95).length,
      });
    });
  }
}
const hvSeconds = (performance.now() - started) / 1000;

out(`nb201/cifar10: ${EVALUATIONS} evaluations, ${RUNS} runs (seeds 0..${RUNS - 1}); HV / true-front HV`);
out(
  'strategy          latency              accuracy                  reference             mean    std     min     >=0.95',
);
for (const r of hvRows) {
  const ref = `${r.reference} (${fmt(r.referencePoint[0], 2)}, ${fmt(r.referencePoint[1], 2)})`;
  out(
    `${r.strategy.padEnd(17)} ${r.latency.padEnd(20)} ${r.accuracy.padEnd(25)} ${ref.padEnd(21)} ` +
      `${fmt(r.ratio.mean)}  ${fmt(r.ratio.std)}  ${fmt(r.min)}  ${r.runsAtLeast95}/${RUNS}`,
  );
}

// (b) MnasNet-reward REINFORCE with T = the median Pixel 3 latency
const LAT = 'latency_pixel3_ms';
const T = quantile(
  table.map((m) => m[LAT] as number),
  0.5,
);
const feasible = table.filter((m) => (m[LAT] as number) <= T);
const best200 = Math.max(...feasible.map((m) => m[ACC200] as number));
// What a search on the 12-epoch signal can at best find: the feasible architecture with the best signal.
const bySignal = feasible.reduce((a, b) => ((b[SIGNAL] as number) > (a[SIGNAL] as number) ? b : a));
interface MnasRow {
  readonly variant: string;
  readonly passed: number;
  readonly withinT: number;
  readonly gap200: Stat;
  readonly latency: Stat;
  readonly runs: readonly { seed: number; key: string; latency: number; acc200: number; pass: boolean }[];
}
const variants: [string, RewardObjective][] = [
  ['mnas soft', { reward: { type: 'mnas', accuracy: SIGNAL, latency: LAT, target: T, variant: 'soft' } }],
  ['mnas hard', { reward: { type: 'mnas', accuracy: SIGNAL, latency: LAT, target: T, variant: 'hard' } }],
  [
    'mnas hard + reject lat > T',
    {
      reward: { type: 'mnas', accuracy: SIGNAL, latency: LAT, target: T, variant: 'hard' },
      constraints: { limits: [{ metric: LAT, max: T }], policy: 'reject', penalty: 1 },
    },
  ],
];
const mnasRows: MnasRow[] = [];
for (const [variant, objective] of variants) {
  const runs = [];
  for (let seed = MNAS_FIRST; seed < MNAS_FIRST + MNAS_SEEDS; seed++) {
    const trials = await search('reinforce', MNAS_OPTIONS, seed, MNAS_TRIALS, objective);
    const chosen = bestTrial(trials, objective);
    if (chosen === undefined) throw new Error(`${variant} seed ${seed}: no trial`);
    const latency = chosen.metrics[LAT] as number;
    const acc200 = chosen.metrics[ACC200] as number;
    runs.push({ seed, key: chosen.key, latency, acc200, pass: latency <= T && acc200 >= best200 - 0.5 });
  }
  mnasRows.push({
    variant,
    passed: runs.filter((r) => r.pass).length,
    withinT: runs.filter((r) => r.latency <= T).length,
    gap200: stat(runs.map((r) => best200 - r.acc200)),
    latency: stat(runs.map((r) => r.latency)),
    runs,
  });
}

out(
  `\nREINFORCE + MnasNet reward on (${SIGNAL}, ${LAT}), T = median ${LAT} = ${fmt(T)} ms; ` +
    `${MNAS_TRIALS} evaluations, seeds ${MNAS_FIRST}..${MNAS_FIRST + MNAS_SEEDS - 1}, options ${JSON.stringify(MNAS_OPTIONS)}`,
);
out(
  `best ${ACC200} with latency <= T: ${fmt(best200, 2)}; the feasible architecture with the best 12-epoch ` +
    `signal has ${fmt(bySignal[ACC200] as number, 2)} (gap ${fmt(best200 - (bySignal[ACC200] as number), 2)})`,
);
out(
  'variant                        pass (<=T and gap<=0.5)  latency<=T  gap to best (200ep) mean+-std  latency mean',
);
for (const r of mnasRows) {
  out(
    `${r.variant.padEnd(30)} ${`${r.passed}/${MNAS_SEEDS}`.padEnd(24)} ${`${r.withinT}/${MNAS_SEEDS}`.padEnd(11)} ` +
      `${fmt(r.gap200.mean, 2)} +- ${fmt(r.gap200.std, 2)}                ${fmt(r.latency.mean, 3)}`,
  );
}

const outDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(outDir, { recursive: true });
writeFileSync(
  `${outDir}mo-nb201.json`,
  `${JSON.stringify(
    {
      benchmark: 'mo-nb201',
      node: process.version,
      date: new Date().toISOString(),
      command: `npx tsx bench/mo-nb201.ts --runs ${RUNS} --evaluations ${EVALUATIONS} --mnas-seeds ${MNAS_SEEDS} --mnas-first-seed ${MNAS_FIRST} --mnas-trials ${MNAS_TRIALS} --mnas-options ${JSON.stringify(JSON.stringify(MNAS_OPTIONS))}`,
      table: `nb201/cifar10 (${table.length} scored architectures), HW-NAS-Bench latency`,
      signal: SIGNAL,
      reported: ACC200,
      hypervolume: {
        evaluations: EVALUATIONS,
        runs: RUNS,
        references: {
          nadir: "the table's worst accuracy and worst latency",
          'p10/p90': "the table's 10th percentile of accuracy and 90th percentile of latency",
          front: "the true front's worst accuracy and worst latency",
        },
        options: { nsga2: { population: 50 }, 'evolution-pareto': { population: 50, sample: 10 } },
        wallSeconds: hvSeconds,
        rows: hvRows,
      },
      mnas: {
        strategy: 'reinforce (defaults: factorized policy, Adam lr 0.01, EMA baseline 0.9)',
        latency: LAT,
        target: T,
        evaluations: MNAS_TRIALS,
        bestFeasible200: best200,
        bestSignalFeasible200: bySignal[ACC200],
        returned: 'the best trial by the reward (runner/best.ts bestTrial with the objective)',
        rows: mnasRows,
      },
    },
    null,
    2,
  )}\n`,
);
out(`\nwrote bench/results/mo-nb201.json (hypervolume part ${fmt(hvSeconds, 1)} s)`);
