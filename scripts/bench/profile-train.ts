/**
 * Where a training step spends its time: runs one model's training step (forward, backward, Adam) under
 * ONNX Runtime's profiler and prints each op type's share of the kernel time, then the costliest nodes.
 *
 *   npx tsx scripts/bench/profile-train.ts [cnn|sepconv_bn] [--steps 60] [--batch 64] [--top 15] [--level extended] [--optimizer adam|sgd]
 *
 * Random data (the speed of these kernels does not depend on the values); one intra-op thread, as the
 * benchmark. The first 10 steps are warm-up and are left out. The node names tell which rule emitted a
 * node: `<ir node>.d.<what>` is the backward pass of that IR node, optimiser nodes start with `optim.`
 * or the parameter's name.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TRAIN_MODELS } from '../../bench/train-models.js';
import { Rng } from '../../src/core/rng.js';
import { initParameters } from '../../src/graph/init.js';
import { float32 } from '../../src/graph/onnx/index.js';
import { LEARNING_RATE_INPUT, buildTrainingStep, initialStepState } from '../../src/graph/optim/index.js';
import { FeedbackRunner } from '../../src/runtime/feedback.js';
import { nchwcBlockSize } from '../../src/runtime/nchwc.js';
import { Session, type SessionOptions } from '../../src/runtime/session.js';

const WARMUP = 10;

type TraceEvent = {
  readonly cat?: string;
  readonly name?: string;
  readonly dur?: number;
  readonly args?: { readonly op_name?: string };
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    steps: { type: 'string', default: '60' },
    batch: { type: 'string', default: '64' },
    top: { type: 'string', default: '15' },
    level: { type: 'string', default: 'extended' },
    optimizer: { type: 'string', default: 'adam' },
  },
});
const modelName = positionals[0] ?? 'cnn';
const build = TRAIN_MODELS[modelName as keyof typeof TRAIN_MODELS];
if (build === undefined) {
  process.stderr.write(`unknown model '${modelName}'; known: ${Object.keys(TRAIN_MODELS).join(', ')}\n`);
  process.exit(2);
}
const steps = Number(values.steps);
const batch = Number(values.batch);

const graph = build();
const optimizer = values.optimizer === 'sgd' ? ({ kind: 'sgd' } as const) : ({ kind: 'adam' } as const);
const nchwcBlock = await nchwcBlockSize();
const step = buildTrainingStep(graph, {
  loss: 'loss',
  optimizer,
  ...(nchwcBlock === undefined ? {} : { nchwcBlock }),
});
const dir = mkdtempSync(join(tmpdir(), 'naslab-profile-'));
const session = await Session.create(step.model.toBytes(), {
  intraOpNumThreads: 1,
  graphOptimizationLevel: values.level as SessionOptions['graphOptimizationLevel'],
  profileFilePrefix: join(dir, 'train'),
});
const rng = new Rng(0);
const x = new Float32Array(batch * 28 * 28).map(() => rng.float());
const labels = new BigInt64Array(batch).map(() => BigInt(Math.floor(rng.float() * 10)));
const feeds = {
  x: { type: 'float32' as const, dims: [batch, 1, 28, 28], data: x },
  labels: { type: 'int64' as const, dims: [batch], data: labels },
  [LEARNING_RATE_INPUT]: float32([], [1e-3]),
};
const runner = new FeedbackRunner(session, step.loop, initialStepState(step, initParameters(graph, rng)));
let measured = 0;
let cpu = 0;
for (let s = 0; s < steps + WARMUP; s++) {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  await runner.step(feeds, step.fetches);
  if (s >= WARMUP) {
    measured += performance.now() - start;
    const used = process.cpuUsage(startCpu);
    cpu += (used.user + used.system) / 1000;
  }
}
await session.dispose();

const file = readdirSync(dir).find((f) => f.endsWith('.json'));
if (file === undefined) throw new Error(`ONNX Runtime wrote no profile into ${dir}`);
const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TraceEvent[];
rmSync(dir, { recursive: true, force: true });

// Kernel events of every run, in order; the first WARMUP runs' share is dropped by counting runs.
const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').length;
const kernels = events.filter((e) => e.cat === 'Node' && e.name?.endsWith('_kernel_time') === true);
const perRun = kernels.length / Math.max(runs, 1);
const kept = kernels.slice(Math.round(perRun * WARMUP));
const byType = new Map<string, number>();
const byNode = new Map<string, { op: string; us: number }>();
let total = 0;
for (const e of kept) {
  const op = e.args?.op_name ?? '?';
  const node = (e.name ?? '').replace(/_kernel_time$/, '');
  const us = e.dur ?? 0;
  total += us;
  byType.set(op, (byType.get(op) ?? 0) + us);
  const entry = byNode.get(node) ?? { op, us: 0 };
  entry.us += us;
  byNode.set(node, entry);
}

const measuredSteps = runs - WARMUP;
const perStep = (us: number): string => (us / measuredSteps / 1000).toFixed(3).padStart(8);
const pct = (us: number): string => ((100 * us) / total).toFixed(1).padStart(5);
const lines = [
  // CPU time is the steadier figure on a shared machine (other processes stretch the wall clock).
  `${modelName}: batch ${batch}, ${measuredSteps} steps, ${(measured / (steps || 1)).toFixed(2)} ms/step wall, ` +
    `${(cpu / (steps || 1)).toFixed(2)} ms/step CPU ` +
    `(${((batch * 1000 * steps) / measured).toFixed(0)} samples/s), kernels ${perStep(total)} ms/step, ` +
    `${Math.round(perRun)} nodes/step after optimisation (level ${values.level})`,
  '',
  'op type                     ms/step      %',
  ...[...byType.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([op, us]) => `${op.padEnd(26)} ${perStep(us)}  ${pct(us)}`),
  '',
  `top ${values.top} nodes`,
  ...[...byNode.entries()]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, Number(values.top))
    .map(([node, { op, us }]) => `${perStep(us)}  ${pct(us)}  ${op.padEnd(20)} ${node}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
