/**
 * Micro-benchmark of non-overlapping max-pool gradient formulations (forward MaxPool + backward), each
 * checked against PyTorch's first-max-in-row-major-order routing on data full of ties.
 *
 *   npx tsx scripts/bench/maxpool-grad.ts [--runs 200] [--repeats 3] [--shape 64,16,28,28] [--k 2]
 *
 * Prints CPU ms per run (forward + backward) for each variant; one intra-op thread, as the benchmark.
 * CPU time, not wall time: the machine is shared.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../../src/core/rng.js';
import { ModelBuilder, attr, float32, int64 } from '../../src/graph/onnx/index.js';
import { Session } from '../../src/runtime/session.js';
import { cpuMsPerRun } from './cpu-time.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    repeats: { type: 'string', default: '3' },
    shape: { type: 'string', default: '64,16,28,28' },
    k: { type: 'string', default: '2' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const [n, c, h, w] = values.shape.split(',').map(Number) as [number, number, number, number];
const k = Number(values.k);
const ho = Math.floor(h / k);
const wo = Math.floor(w / k);
const hc = ho * k;
const wc = wo * k;
const cropped = hc < h || wc < w;

type Variant = (mb: ModelBuilder, x: string, dy: string) => { y: string; dx: string };

const ints = (mb: ModelBuilder, name: string, v: readonly number[]): string =>
  mb.initializer(mb.uniqueName(name), int64([v.length], v));
const scalar = (mb: ModelBuilder, name: string, v: number): string =>
  mb.initializer(mb.uniqueName(name), float32([], [v]));
const pool = (mb: ModelBuilder, x: string): string =>
  mb.op('MaxPool', [x], { kernel_shape: attr.ints([k, k]), strides: attr.ints([k, k]) });
const crop = (mb: ModelBuilder, x: string): string =>
  cropped ? mb.op('Slice', [x, ints(mb, 's', [0, 0]), ints(mb, 'e', [hc, wc]), ints(mb, 'a', [2, 3])]) : x;
const uncrop = (mb: ModelBuilder, dxc: string): string =>
  cropped ? mb.op('Pad', [dxc, ints(mb, 'p', [0, 0, 0, 0, 0, 0, h - hc, w - wc])]) : dxc;
const toFloat = (mb: ModelBuilder, v: string): string => mb.op('Cast', [v], { to: attr.int(1) });
const up = (mb: ModelBuilder, v: string): string =>
  mb.op('Resize', [v, '', mb.initializer(mb.uniqueName('scales'), float32([4], [1, 1, k, k]))], {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  });
/** The window offset of each cell of the cropped input, (i % k) * k + j % k, as float [hc, wc]. */
const pattern = (mb: ModelBuilder): string => {
  const p = new Float32Array(hc * wc);
  for (let i = 0; i < hc; i++) for (let j = 0; j < wc; j++) p[i * wc + j] = (i % k) * k + (j % k);
  return mb.initializer(mb.uniqueName('pattern'), float32([hc, wc], p));
};
/** Routes dy to the cell whose window offset equals code (float [n, c, ho, wo]). */
const routeByCode = (mb: ModelBuilder, code: string, dy: string): string => {
  const hit = toFloat(mb, mb.op('Equal', [up(mb, code), pattern(mb)]));
  return uncrop(mb, mb.op('Mul', [hit, up(mb, dy)]));
};

const variants: Record<string, Variant> = {
  /** Not a gradient: the forward pool and one upsample, the floor of the run's fixed costs. */
  floor(mb, x, dy) {
    return { y: pool(mb, x), dx: uncrop(mb, up(mb, dy)) };
  },
  /** The old, wrong-on-ties formulation: every tied cell gets the gradient. */
  resizeWrong(mb, x, dy) {
    const y = pool(mb, x);
    const isMax = toFloat(mb, mb.op('Equal', [crop(mb, x), up(mb, y)]));
    return { y, dx: uncrop(mb, mb.op('Mul', [isMax, up(mb, dy)])) };
  },
  /** The current formulation: SpaceToDepth, Equal, CumSum, DepthToSpace. */
  cumsum(mb, x, dy) {
    const y = pool(mb, x);
    const block = { blocksize: attr.int(k) };
    const xw = mb.op('Reshape', [
      mb.op('SpaceToDepth', [crop(mb, x)], block),
      ints(mb, 'w', [0, k * k, c, ho, wo]),
    ]);
    const axis1 = ints(mb, 'ax', [1]);
    const isMax = toFloat(mb, mb.op('Equal', [xw, mb.op('Unsqueeze', [y, axis1])]));
    const seen = mb.op('CumSum', [isMax, ints(mb, 'ca', [1])]);
    const first = mb.op('Mul', [isMax, toFloat(mb, mb.op('Equal', [seen, scalar(mb, 'one', 1)]))]);
    const routed = mb.op('Mul', [first, mb.op('Unsqueeze', [dy, axis1])]);
    const flat = mb.op('Reshape', [routed, ints(mb, 'b', [0, k * k * c, ho, wo])]);
    return { y, dx: uncrop(mb, mb.op('DepthToSpace', [flat], { ...block, mode: attr.string('DCR') })) };
  },
  /** priorityPool with Cast + Mul for both Wheres (Where broadcasting a scalar measured slower). */
  priorityPoolMul(mb, x, dy) {
    const y = pool(mb, x);
    const pr = new Float32Array(hc * wc);
    for (let i = 0; i < hc; i++)
      for (let j = 0; j < wc; j++) pr[i * wc + j] = k * k - ((i % k) * k + (j % k));
    const priority = mb.initializer(mb.uniqueName('priority'), float32([hc, wc], pr));
    const isMax = toFloat(mb, mb.op('Equal', [crop(mb, x), up(mb, y)]));
    const best = pool(mb, mb.op('Mul', [isMax, priority]));
    const first = toFloat(mb, mb.op('Equal', [up(mb, best), priority]));
    return { y, dx: uncrop(mb, mb.op('Mul', [first, up(mb, dy)])) };
  },
  /**
   * Transpose to window-offset-major [N, k, k, C, ho, wo]; priorities rank the maxima, ReduceMax over
   * the offset axes finds the first's; Transpose back.
   */
  transposePriority(mb, x, dy) {
    const y = pool(mb, x);
    const xr = mb.op('Reshape', [crop(mb, x), ints(mb, 'r', [n, c, ho, k, wo, k])]);
    const xt = mb.op('Transpose', [xr], { perm: attr.ints([0, 3, 5, 1, 2, 4]) });
    const xw = mb.op('Reshape', [xt, ints(mb, 'w', [n, k * k, c, ho, wo])]);
    const pr = Array.from({ length: k * k }, (_, p) => k * k - p);
    const priority = mb.initializer(mb.uniqueName('priority'), float32([1, k * k, 1, 1, 1], pr));
    const axis1 = ints(mb, 'ax', [1]);
    const isMax = toFloat(mb, mb.op('Equal', [xw, mb.op('Unsqueeze', [y, axis1])]));
    const ranked = mb.op('Mul', [isMax, priority]);
    const best = mb.op('ReduceMax', [ranked], { axes: attr.ints([1]), keepdims: attr.int(1) });
    const first = toFloat(mb, mb.op('Equal', [ranked, best]));
    const routed = mb.op('Mul', [first, mb.op('Unsqueeze', [dy, axis1])]);
    const back = mb.op('Transpose', [mb.op('Reshape', [routed, ints(mb, 'b', [n, k, k, c, ho, wo])])], {
      perm: attr.ints([0, 3, 4, 1, 5, 2]),
    });
    return { y, dx: uncrop(mb, mb.op('Reshape', [back, ints(mb, 'f', [n, c, hc, wc])])) };
  },
  /** priorityPoolMul with inner-axis broadcasting over [N*C*ho, k, wo, k] instead of Resize. */
  priorityBroadcast(mb, x, dy) {
    const y = pool(mb, x);
    const win = ints(mb, 'win', [-1, k, wo, k]);
    const perWin = ints(mb, 'perWin', [-1, 1, wo, 1]);
    const pr = Array.from({ length: k * k }, (_, p) => k * k - p);
    const priority = mb.initializer(mb.uniqueName('priority'), float32([1, k, 1, k], pr));
    const xr = mb.op('Reshape', [crop(mb, x), win]);
    const isMax = toFloat(mb, mb.op('Equal', [xr, mb.op('Reshape', [y, perWin])]));
    const ranked = mb.op('Mul', [isMax, priority]);
    const best = pool(mb, mb.op('Reshape', [ranked, ints(mb, 'img', [n, c, hc, wc])]));
    const first = toFloat(mb, mb.op('Equal', [ranked, mb.op('Reshape', [best, perWin])]));
    const dxw = mb.op('Mul', [first, mb.op('Reshape', [dy, perWin])]);
    return { y, dx: uncrop(mb, mb.op('Reshape', [dxw, ints(mb, 'img2', [n, c, hc, wc])])) };
  },
  /**
   * Rank = H W - (the cell's flat index in its image plane): decreasing in row-major order, so a
   * MaxPool over (marked * rank) gives the first maximum's rank, hence its index; MaxUnpool scatters
   * dy there (zeros elsewhere, uncovered rows and columns included).
   */
  rankUnpool(mb, x, dy) {
    const y = pool(mb, x);
    const rk = new Float32Array(hc * wc);
    for (let i = 0; i < hc; i++) for (let j = 0; j < wc; j++) rk[i * wc + j] = h * w - (i * w + j);
    const rank = mb.initializer(mb.uniqueName('rank'), float32([hc, wc], rk));
    const isMax = toFloat(mb, mb.op('Equal', [crop(mb, x), up(mb, y)]));
    const best = pool(mb, mb.op('Mul', [isMax, rank]));
    // As rules-spatial.ts: index = (plane id + 1) H W - rank; rank >= 1 keeps a NaN window in range.
    const valid = mb.op('Max', [best, scalar(mb, 'minRank', 1)]);
    const best64 = mb.op('Cast', [valid], { to: attr.int(7) });
    const shape = mb.op('Shape', [x]);
    const planes = mb.op('ReduceProd', [mb.op('Slice', [shape, ints(mb, 's0', [0]), ints(mb, 's1', [2])])], {
      keepdims: attr.int(0),
    });
    const one = mb.initializer(mb.uniqueName('one'), int64([], [1]));
    const ids = mb.op('Range', [one, mb.op('Add', [planes, one]), one]);
    const ends = mb.op('Mul', [ids, mb.initializer(mb.uniqueName('hw64'), int64([], [h * w]))]);
    const idx = mb.op('Sub', [mb.op('Reshape', [ends, ints(mb, 'pe', [-1, c, 1, 1])]), best64]);
    const dx = mb.op('MaxUnpool', [dy, idx, shape], {
      kernel_shape: attr.ints([k, k]),
      strides: attr.ints([k, k]),
    });
    return { y, dx };
  },
  /** ArgMax over the SpaceToDepth axis gives a code; routed at full size with Resize + Equal(pattern). */
  argmaxS2DResize(mb, x, dy) {
    const y = pool(mb, x);
    const block = { blocksize: attr.int(k) };
    const xw = mb.op('Reshape', [
      mb.op('SpaceToDepth', [crop(mb, x)], block),
      ints(mb, 'w', [0, k * k, c, ho, wo]),
    ]);
    const am = mb.op('ArgMax', [xw], { axis: attr.int(1), keepdims: attr.int(0) });
    return { y, dx: routeByCode(mb, toFloat(mb, am), dy) };
  },
  /** Strided slices give each window offset's quarter-size plane; a Where chain picks the first max. */
  slicesResize(mb, x, dy) {
    const y = pool(mb, x);
    let code = scalar(mb, 'last', k * k - 1);
    for (let p = k * k - 2; p >= 0; p--) {
      const [a, b] = [Math.floor(p / k), p % k];
      const plane = mb.op('Slice', [
        x,
        ints(mb, 's', [a, b]),
        ints(mb, 'e', [hc, wc]),
        ints(mb, 'a', [2, 3]),
        ints(mb, 'st', [k, k]),
      ]);
      code = mb.op('Where', [mb.op('Equal', [plane, y]), scalar(mb, 'p', p), code]);
    }
    return { y, dx: routeByCode(mb, code, dy) };
  },
  /** MaxPool Indices + ScatterElements (the general path). */
  indicesScatter(mb, x, dy) {
    const y = mb.uniqueName('y');
    const idx = mb.uniqueName('idx');
    mb.node('MaxPool', [x], [y, idx], { kernel_shape: attr.ints([k, k]), strides: attr.ints([k, k]) });
    const flat = ints(mb, 'f', [-1]);
    const zeros = mb.op('ConstantOfShape', [ints(mb, 'shape', [n * c * h * w])], {
      value: attr.tensor(float32([1], [0])),
    });
    const dxf = mb.op(
      'ScatterElements',
      [zeros, mb.op('Reshape', [idx, flat]), mb.op('Reshape', [dy, flat])],
      { axis: attr.int(0), reduction: attr.string('add') },
    );
    return { y, dx: mb.op('Reshape', [dxf, ints(mb, 'xs', [n, c, h, w])]) };
  },
};

/** PyTorch's routing: each window's dy to its first max in row-major order; uncovered cells get 0. */
function reference(x: Float32Array, dy: Float32Array): Float32Array {
  const dx = new Float32Array(x.length);
  for (let m = 0; m < n * c; m++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++) {
        let best = -Infinity;
        let at = -1;
        for (let a = 0; a < k; a++)
          for (let b = 0; b < k; b++) {
            const idx = (m * h + i * k + a) * w + j * k + b;
            if ((x[idx] as number) > best) [best, at] = [x[idx] as number, idx];
          }
        dx[at] = dy[(m * ho + i) * wo + j] as number;
      }
  return dx;
}

/** Per-node kernel time (ms per run) from ONNX Runtime's profile in dir. */
function printProfile(dir: string): void {
  const file = readdirSync(dir).find((f) => f.endsWith('.json')) as string;
  type Event = { cat?: string; name?: string; dur?: number; args?: { op_name?: string } };
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Event[];
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').length;
  const byNode = new Map<string, number>();
  for (const e of events)
    if (e.cat === 'Node' && e.name?.endsWith('_kernel_time') === true) {
      const key = `${e.args?.op_name ?? '?'} ${e.name.replace(/_kernel_time$/, '')}`;
      byNode.set(key, (byNode.get(key) ?? 0) + (e.dur ?? 0));
    }
  for (const [node, us] of [...byNode].sort((a, b) => b[1] - a[1]))
    process.stdout.write(`    ${(us / runs / 1000).toFixed(3)}  ${node}\n`);
}

const rng = new Rng(0);
// Three levels: most windows hold ties, as after a ReLU.
const x = new Float32Array(n * c * h * w).map(() => Math.floor(rng.float() * 3));
const dy = new Float32Array(n * c * ho * wo).map(() => rng.float() - 0.5);
const expected = reference(x, dy);
const feeds = { x: float32([n, c, h, w], x), dy: float32([n, c, ho, wo], dy) };

for (const [name, variant] of Object.entries(variants)) {
  if (values.only !== undefined && !values.only.split(',').includes(name)) continue;
  // One model returns dx for the check; the timed one returns only sums, so copying the outputs out
  // (a fixed cost that hides the differences) stays small.
  const build = (timed: boolean): { bytes: Uint8Array; dx: string } => {
    const mb = new ModelBuilder();
    mb.input('x', 'float32', [n, c, h, w]);
    mb.input('dy', 'float32', [n, c, ho, wo]);
    const out = variant(mb, 'x', 'dy');
    const sum = (v: string): string => mb.op('ReduceSum', [v], { keepdims: attr.int(0) });
    const [y, dx] = timed ? [sum(out.y), sum(out.dx)] : [out.y, out.dx];
    mb.output(y, 'float32');
    mb.output(dx, 'float32');
    return { bytes: mb.toBytes(), dx };
  };
  const check = build(false);
  const checker = await Session.create(check.bytes, { intraOpNumThreads: 1 });
  const got = (await checker.run(feeds))[check.dx]?.data as Float32Array;
  await checker.dispose();
  const wrong = got.reduce((s, v, i) => s + (v === expected[i] ? 0 : 1), 0);
  const dir = mkdtempSync(join(tmpdir(), 'naslab-maxpool-'));
  const session = await Session.create(build(true).bytes, {
    intraOpNumThreads: 1,
    ...(values.profile ? { profileFilePrefix: join(dir, 'p') } : {}),
  });
  await session.run(feeds);
  const times = await cpuMsPerRun(session, feeds, Number(values.runs), Number(values.repeats));
  await session.dispose();
  if (values.profile) printProfile(dir);
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${name.padEnd(18)} ${times.map((t) => t.toFixed(3)).join(' ')} ms CPU/run  ${wrong === 0 ? 'exact' : `${wrong} cells differ`}\n`,
  );
}
