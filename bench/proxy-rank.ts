/**
 * How well training proxies (fewer epochs, less data, narrower layers) rank architectures, that is how
 * far a cheap search signal can be trusted: `npx tsx bench/proxy-rank.ts [-- --json]`.
 *
 * Draws `--archs` random architectures (seeded, distinct, within the config's maxFlops) from
 * examples/fashion-mnist.yaml's chain space and trains each with that config's train evaluator, in the
 * main thread, under a strong setting (`--strong`, default 6 epochs on 40% of the training split) and
 * under each proxy of `--proxies` (default: the example's 2 epochs on 15%; the same at half width;
 * 1 epoch on 15%); settings are epochs:dataFraction:widthMultiplier. For each proxy it reports Kendall's
 * tau between its ranking by validation accuracy and the strong setting's (by validation and by test
 * accuracy). The width proxy is applied here with narrowGraph (src/evaluate/train/proxy-width.ts).
 *
 * Data: Debian's full Fashion-MNIST (/usr/share/datasets/fashion-mnist) by default, `--data bundled` for
 * the 3,000-image subset in the repository (a quick check, not a measurement).
 * Output: a line per trained architecture on stderr, the taus, and one JSON object (with --json, and
 * always in bench/results/proxy-rank.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TrialHandle } from '../src/core/evaluator.js';
import { Rng } from '../src/core/rng.js';
import type { SearchSpace } from '../src/core/space.js';
import type { Metrics, Sample } from '../src/core/types.js';
import { bundledFashionMnistDir } from '../src/data/fashion-mnist.js';
import { countFlops } from '../src/graph/count.js';
import type { Graph } from '../src/graph/graph.js';
import { createTrainEvaluator, type TrainEvaluatorConfig } from '../src/evaluate/train/index.js';
import { narrowGraph } from '../src/evaluate/train/proxy-width.js';
import { kendallTau } from '../src/predict/surrogate/index.js';
import { loadConfigFile } from '../src/runner/config-file.js';
import { createSpace } from '../src/space/registry.js';
import { randomSample } from '../src/space/walk.js';

const EXAMPLE = fileURLToPath(new URL('../examples/fashion-mnist.yaml', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

const { values } = parseArgs({
  options: {
    archs: { type: 'string', default: '12' },
    seed: { type: 'string', default: '0' },
    /** Proxy settings compared with the strong one, each epochs:dataFraction:widthMultiplier. */
    proxies: { type: 'string', default: '2:0.15:1,2:0.15:0.5,1:0.15:1' },
    strong: { type: 'string', default: '6:0.4:1' },
    data: { type: 'string', default: 'full' },
    json: { type: 'boolean', default: false },
  },
});
const archs = Number(values.archs);
const seed = Number(values.seed);

interface Setting {
  readonly epochs: number;
  readonly dataFraction: number;
  readonly width: number;
}
function parseSetting(text: string): Setting {
  const [epochs, dataFraction, width] = text.split(':').map(Number);
  if (![epochs, dataFraction, width].every((v) => v !== undefined && Number.isFinite(v))) {
    throw new Error(`setting "${text}": expected epochs:dataFraction:widthMultiplier, e.g. 2:0.15:1`);
  }
  return { epochs: epochs!, dataFraction: dataFraction!, width: width! };
}
const proxies = values.proxies.split(',').map(parseSetting);
const strongSetting = parseSetting(values.strong);
if (values.data !== 'full' && values.data !== 'bundled') throw new Error('--data is full or bundled');

const config = loadConfigFile(EXAMPLE);
if (config.evaluator.type !== 'train' || config.space === undefined || typeof config.space === 'string') {
  throw new Error(`${EXAMPLE}: expected a train evaluator over a network space`);
}
const base: TrainEvaluatorConfig = {
  ...config.evaluator,
  workers: 0,
  // Bundled: the repository's subset, read directly (no fallback to another copy).
  data:
    values.data === 'bundled'
      ? { ...config.evaluator.data, type: 'idx', path: bundledFashionMnistDir() }
      : config.evaluator.data,
};
const space = createSpace(config.space as Parameters<typeof createSpace>[0]) as SearchSpace<Graph>;

/** Distinct random architectures within the config's FLOP limit (an over-limit one would not train). */
interface Net {
  readonly sample: Sample;
  readonly key: string;
  readonly graph: Graph;
}

function drawArchitectures(): Net[] {
  const rng = Rng.derive(seed, 'proxy-rank');
  const seen = new Set<string>();
  const out: Net[] = [];
  for (let tries = 0; out.length < archs && tries < archs * 100; tries++) {
    const sample = randomSample(space, rng);
    const key = space.key(sample);
    const graph = space.decode(sample);
    if (seen.has(key) || (base.maxFlops !== undefined && countFlops(graph) > base.maxFlops)) continue;
    seen.add(key);
    out.push({ sample, key, graph });
  }
  return out;
}

function handle(sample: Sample, key: string): TrialHandle {
  return { id: key, sample, key, report: async () => {}, shouldStop: () => false };
}

async function trainAll(setting: Setting, nets: readonly Net[]): Promise<Metrics[]> {
  const { epochs, dataFraction, width } = setting;
  const evaluator = await createTrainEvaluator({ ...base, epochs, dataFraction }, process.cwd());
  const results: Metrics[] = [];
  for (const [i, net] of nets.entries()) {
    const graph = narrowGraph(net.graph, width);
    const { metrics } = await evaluator.evaluate(
      graph,
      handle(net.sample, net.key),
      new AbortController().signal,
    );
    results.push(metrics);
    const acc = (m: number | undefined) => (m === undefined ? '-' : m.toFixed(4));
    console.error(
      `  [${epochs} ep, ${dataFraction} data, width ${width}] ${i + 1}/${nets.length} ` +
        `valid ${acc(metrics['valid_acc'])} test ${acc(metrics['test_acc'])} ` +
        `${(metrics['train_seconds'] ?? 0).toFixed(1)} s  ${net.key}`,
    );
  }
  await evaluator.close();
  return results;
}

const nets = drawArchitectures();
const started = process.cpuUsage();
const wallStart = performance.now();
const strong = await trainAll(strongSetting, nets);
const proxyRuns: Metrics[][] = [];
for (const p of proxies) proxyRuns.push(await trainAll(p, nets));
const cpu = process.cpuUsage(started);
const col = (rows: Metrics[], name: string) => rows.map((m) => m[name] ?? NaN);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const round = (v: number, d = 4) => Number(v.toFixed(d));

const result = {
  command: `npx tsx bench/proxy-rank.ts ${process.argv.slice(2).join(' ')}`.trim(),
  data:
    values.data === 'full' ? 'fashion-mnist (full; the example config data)' : 'bundled 3,000-image subset',
  space: 'examples/fashion-mnist.yaml (chain), random architectures within its maxFlops',
  architectures: nets.length,
  seed,
  strong: { ...strongSetting, train_seconds: round(sum(col(strong, 'train_seconds')), 1) },
  proxies: proxies.map((p, i) => ({
    ...p,
    kendall_tau_valid: round(kendallTau(col(proxyRuns[i]!, 'valid_acc'), col(strong, 'valid_acc'))),
    kendall_tau_vs_strong_test: round(kendallTau(col(proxyRuns[i]!, 'valid_acc'), col(strong, 'test_acc'))),
    train_seconds: round(sum(col(proxyRuns[i]!, 'train_seconds')), 1),
  })),
  cpu_seconds: round((cpu.user + cpu.system) / 1e6, 1),
  wall_seconds: round((performance.now() - wallStart) / 1000, 1),
  rows: nets.map((n, i) => ({
    key: n.key,
    strong_valid: round(strong[i]!['valid_acc'] ?? NaN),
    strong_test: round(strong[i]!['test_acc'] ?? NaN),
    proxy_valid: proxyRuns.map((r) => round(r[i]!['valid_acc'] ?? NaN)),
  })),
};
mkdirSync(RESULTS, { recursive: true });
writeFileSync(`${RESULTS}proxy-rank.json`, `${JSON.stringify(result, null, 2)}\n`);
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(
    `strong ${values.strong} (epochs:data:width), ${nets.length} architectures; train s ${result.strong.train_seconds}`,
  );
  for (const p of result.proxies) {
    console.log(
      `  proxy ${p.epochs}:${p.dataFraction}:${p.width}: Kendall tau ${p.kendall_tau_valid} ` +
        `(vs strong test ${p.kendall_tau_vs_strong_test}); train s ${p.train_seconds}`,
    );
  }
  console.log(`CPU s ${result.cpu_seconds}, wall s ${result.wall_seconds}`);
}
