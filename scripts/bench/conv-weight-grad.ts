/**
 * Micro-benchmark of conv weight-gradient formulations (dW of a 3x3, padding 1, stride 1 conv), each
 * checked against a float64 loop.
 *
 *   npx tsx scripts/bench/conv-weight-grad.ts [--runs 100] [--repeats 3] [--x 64,16,14,14] [--m 32]
 *
 * Prints CPU ms per run for each variant (one intra-op thread; CPU time: the machine is shared).
 */
import { parseArgs } from 'node:util';
import { Rng } from '../../src/core/rng.js';
import { ModelBuilder, attr, float32, int64 } from '../../src/graph/onnx/index.js';
import { Session } from '../../src/runtime/session.js';
import { cpuMsPerRun } from './cpu-time.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    repeats: { type: 'string', default: '3' },
    x: { type: 'string', default: '64,16,14,14' },
    m: { type: 'string', default: '32' },
    only: { type: 'string' },
  },
});
const [n, c, h, w] = values.x.split(',').map(Number) as [number, number, number, number];
const m = Number(values.m);
const kk = 3;
const K = kk * kk;
const P = h * w;

type Variant = (mb: ModelBuilder, x: string, dy: string) => string;
const ints = (mb: ModelBuilder, name: string, v: readonly number[]): string =>
  mb.initializer(mb.uniqueName(name), int64([v.length], v));

/** cols [N, C*K, P] by a grouped Conv with a one-hot kernel (the current im2col). */
function colsConv(mb: ModelBuilder, x: string): string {
  const onehot = new Float32Array(c * K * K);
  for (let ch = 0; ch < c; ch++) for (let t = 0; t < K; t++) onehot[(ch * K + t) * K + t] = 1;
  const kernel = mb.initializer(mb.uniqueName('k'), float32([c * K, 1, kk, kk], onehot));
  const cols = mb.op('Conv', [x, kernel], {
    kernel_shape: attr.ints([kk, kk]),
    pads: attr.ints([1, 1, 1, 1]),
    group: attr.int(c),
  });
  return mb.op('Reshape', [cols, ints(mb, 'cs', [n, c * K, P])]);
}

/** cols [N, C*K, P] by one single-channel Conv over x as [N*C, 1, H, W] (no groups). */
function colsSingle(mb: ModelBuilder, x: string): string {
  const onehot = new Float32Array(K * K);
  for (let t = 0; t < K; t++) onehot[t * K + t] = 1;
  const kernel = mb.initializer(mb.uniqueName('k1'), float32([K, 1, kk, kk], onehot));
  const flat = mb.op('Reshape', [x, ints(mb, 'xs', [n * c, 1, h, w])]);
  const cols = mb.op('Conv', [flat, kernel], {
    kernel_shape: attr.ints([kk, kk]),
    pads: attr.ints([1, 1, 1, 1]),
  });
  return mb.op('Reshape', [cols, ints(mb, 'cs', [n, c * K, P])]);
}

/** cols [N, C*K, P] by Pad + 9 Slices + Concat. */
function colsSlices(mb: ModelBuilder, x: string): string {
  const xp = mb.op('Pad', [x, ints(mb, 'p', [0, 0, 1, 1, 0, 0, 1, 1])]);
  const pieces: string[] = [];
  for (let i = 0; i < kk; i++)
    for (let j = 0; j < kk; j++) {
      const s = mb.op('Slice', [
        xp,
        ints(mb, 's', [i, j]),
        ints(mb, 'e', [i + h, j + w]),
        ints(mb, 'a', [2, 3]),
      ]);
      pieces.push(mb.op('Reshape', [s, ints(mb, 'r', [n, c, 1, P])]));
    }
  const cat = mb.op('Concat', pieces, { axis: attr.int(2) });
  return mb.op('Reshape', [cat, ints(mb, 'cs', [n, c * K, P])]);
}

/**
 * cols [N, K*C, P] in (tap, channel) order by Pad + 9 Slices + one Concat along the channel axis (whole
 * [N, C, H, W] blocks per tap: one big copy each).
 */
function colsSlicesTapMajor(mb: ModelBuilder, x: string): string {
  const xp = mb.op('Pad', [x, ints(mb, 'p', [0, 0, 1, 1, 0, 0, 1, 1])]);
  const pieces: string[] = [];
  for (let i = 0; i < kk; i++)
    for (let j = 0; j < kk; j++)
      pieces.push(
        mb.op('Slice', [xp, ints(mb, 's', [i, j]), ints(mb, 'e', [i + h, j + w]), ints(mb, 'a', [2, 3])]),
      );
  return mb.op('Reshape', [mb.op('Concat', pieces, { axis: attr.int(1) }), ints(mb, 'cs', [n, K * c, P])]);
}

/**
 * Padded-width columns: each plane padded to (H+2) x (W+2) and flattened, so tap (i, j) is ONE contiguous
 * run of H (W+2) values at offset i (W+2) + j (the 2 extra columns per row are garbage that dy, padded
 * with 2 zero columns, multiplies by 0). Tap-major [N, K*C, H (W+2)].
 */
function colsFlatTapMajor(mb: ModelBuilder, x: string): string {
  const wp = w + 2;
  const len = h * wp;
  const xp = mb.op('Pad', [x, ints(mb, 'p', [0, 0, 1, 1, 0, 0, 2, 1])]);
  const flat = mb.op('Reshape', [xp, ints(mb, 'fl', [n, c, (h + 3) * wp])]);
  const pieces: string[] = [];
  for (let i = 0; i < kk; i++)
    for (let j = 0; j < kk; j++) {
      const off = i * wp + j;
      pieces.push(
        mb.op('Slice', [flat, ints(mb, 's', [off]), ints(mb, 'e', [off + len]), ints(mb, 'a', [2])]),
      );
    }
  return mb.op('Concat', pieces, { axis: attr.int(1) });
}

/** dW from tap-major columns: the batched product gives [M, K, C]; one small transpose to [M, C, K]. */
function tapMajorMatMul(mb: ModelBuilder, cols: string, dy: string, padded: boolean): string {
  const colsT = mb.op('Transpose', [cols], { perm: attr.ints([0, 2, 1]) });
  const dyP = padded ? mb.op('Pad', [dy, ints(mb, 'dp', [0, 0, 0, 0, 0, 0, 0, 2])]) : dy;
  const dyR = mb.op('Reshape', [dyP, ints(mb, 'd', [n, m, -1])]);
  const per = mb.op('MatMul', [dyR, colsT]);
  const sum = mb.op('ReduceSum', [per, ints(mb, 'ax', [0])], { keepdims: attr.int(0) });
  const mkc = mb.op('Reshape', [sum, ints(mb, 'mkc', [m, K, c])]);
  return mb.op('Reshape', [
    mb.op('Transpose', [mkc], { perm: attr.ints([0, 2, 1]) }),
    ints(mb, 'ws', [m, c, kk, kk]),
  ]);
}

function batchedMatMul(mb: ModelBuilder, cols: string, dy: string): string {
  const colsT = mb.op('Transpose', [cols], { perm: attr.ints([0, 2, 1]) });
  const dyR = mb.op('Reshape', [dy, ints(mb, 'd', [n, m, P])]);
  const per = mb.op('MatMul', [dyR, colsT]);
  const sum = mb.op('ReduceSum', [per, ints(mb, 'ax', [0])], { keepdims: attr.int(0) });
  return mb.op('Reshape', [sum, ints(mb, 'ws', [m, c, kk, kk])]);
}

/** One Gemm over the batch: dy [M, N*P] x cols [C*K, N*P]^T; both moved by block transposes. */
function oneGemm(mb: ModelBuilder, cols: string, dy: string): string {
  const dyT = mb.op('Reshape', [
    mb.op('Transpose', [mb.op('Reshape', [dy, ints(mb, 'd', [n, m, P])])], { perm: attr.ints([1, 0, 2]) }),
    ints(mb, 'd2', [m, n * P]),
  ]);
  const colsT = mb.op('Reshape', [
    mb.op('Transpose', [cols], { perm: attr.ints([1, 0, 2]) }),
    ints(mb, 'c2', [c * K, n * P]),
  ]);
  const dw = mb.op('Gemm', [dyT, colsT], { transB: attr.int(1) });
  return mb.op('Reshape', [dw, ints(mb, 'ws', [m, c, kk, kk])]);
}

const variants: Record<string, Variant> = {
  convBatched: (mb, x, dy) => batchedMatMul(mb, colsConv(mb, x), dy),
  slicesBatched: (mb, x, dy) => batchedMatMul(mb, colsSlices(mb, x), dy),
  singleBatched: (mb, x, dy) => batchedMatMul(mb, colsSingle(mb, x), dy),
  slicesTapMajor: (mb, x, dy) => tapMajorMatMul(mb, colsSlicesTapMajor(mb, x), dy, false),
  flatTapMajor: (mb, x, dy) => tapMajorMatMul(mb, colsFlatTapMajor(mb, x), dy, true),
  convGemm: (mb, x, dy) => oneGemm(mb, colsConv(mb, x), dy),
  slicesGemm: (mb, x, dy) => oneGemm(mb, colsSlices(mb, x), dy),
  /** Conv over batch-transposed tensors: x^T [C, N, H, W] * dy^T [M, N, H, W] -> [C, M, 3, 3]. */
  transposedConv(mb, x, dy) {
    const perm = { perm: attr.ints([1, 0, 2, 3]) };
    const out = mb.op('Conv', [mb.op('Transpose', [x], perm), mb.op('Transpose', [dy], perm)], {
      kernel_shape: attr.ints([h, w]),
      pads: attr.ints([1, 1, 1, 1]),
    });
    return mb.op('Transpose', [out], perm);
  },
};

const rng = new Rng(0);
const x = new Float32Array(n * c * h * w).map(() => rng.float() - 0.5);
const dy = new Float32Array(n * m * h * w).map(() => rng.float() - 0.5);
const expected = new Float64Array(m * c * K);
for (let b = 0; b < n; b++)
  for (let o = 0; o < m; o++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < kk; i++)
        for (let j = 0; j < kk; j++) {
          let s = 0;
          for (let r = 0; r < h; r++)
            for (let q = 0; q < w; q++) {
              const [rr, qq] = [r + i - 1, q + j - 1];
              if (rr < 0 || qq < 0 || rr >= h || qq >= w) continue;
              s +=
                (dy[((b * m + o) * h + r) * w + q] as number) *
                (x[((b * c + ch) * h + rr) * w + qq] as number);
            }
          expected[(o * c + ch) * K + i * kk + j] = (expected[(o * c + ch) * K + i * kk + j] as number) + s;
        }
const feeds = { x: float32([n, c, h, w], x), dy: float32([n, m, h, w], dy) };

for (const [name, variant] of Object.entries(variants)) {
  if (values.only !== undefined && !values.only.split(',').includes(name)) continue;
  const mb = new ModelBuilder();
  mb.input('x', 'float32', [n, c, h, w]);
  mb.input('dy', 'float32', [n, m, h, w]);
  const dw = variant(mb, 'x', 'dy');
  mb.output(dw, 'float32');
  const session = await Session.create(mb.toBytes(), { intraOpNumThreads: 1 });
  const got = (await session.run(feeds))[dw]?.data as Float32Array;
  let err = 0;
  got.forEach((v, i) => (err = Math.max(err, Math.abs(v - (expected[i] as number)))));
  const times = await cpuMsPerRun(session, feeds, Number(values.runs), Number(values.repeats));
  await session.dispose();
  process.stdout.write(
    `${name.padEnd(16)} ${times.map((t) => t.toFixed(3)).join(' ')} ms CPU/run  max abs error ${err.toExponential(1)}\n`,
  );
}
