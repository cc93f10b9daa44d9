/**
 * Micro-benchmark of a dense conv's forward pass and input gradient: ONNX's plain Conv / ConvTranspose
 * against ONNX Runtime's blocked (NCHWc) direct convolution as the training graph emits it
 * (src/graph/lower/nchwc.ts: the weight reordered in the graph, ReorderInput, blocked Conv,
 * ReorderOutput), each checked against the plain result.
 *
 *   npx tsx scripts/bench/nchwc-conv.ts [--x 64,16,14,14] [--m 32] [--k 3] [--runs 100] [--repeats 3]
 *
 * Prints CPU ms per run (one intra-op thread; CPU time: the machine is shared). The default shape is the
 * small CNN's conv2 (bench/train-models.ts).
 */
import { parseArgs } from 'node:util';
import { Rng } from '../../src/core/rng.js';
import { emitBlockedFilter, emitNchwcConv } from '../../src/graph/lower/nchwc.js';
import { ModelBuilder, attr, float32, int64, type TensorData } from '../../src/graph/onnx/index.js';
import { nchwcBlockSize } from '../../src/runtime/nchwc.js';
import { Session } from '../../src/runtime/session.js';
import { cpuMsPerRun } from './cpu-time.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    repeats: { type: 'string', default: '3' },
    x: { type: 'string', default: '64,16,14,14' },
    m: { type: 'string', default: '32' },
    k: { type: 'string', default: '3' },
  },
});
const [n, c, h, w] = values.x.split(',').map(Number) as [number, number, number, number];
const m = Number(values.m);
const k = Number(values.k);
const pad = (k - 1) / 2;
const block = await nchwcBlockSize();
if (block === undefined) {
  process.stderr.write(
    'no NCHWc kernels on this machine (not x86, or NASLAB_NCHWC=off): nothing to compare\n',
  );
  process.exit(2);
}
const window = {
  kernel: [k, k] as const,
  stride: [1, 1] as const,
  pads: [pad, pad, pad, pad],
  dilation: [1, 1] as const,
};
const convAttrs = { kernel_shape: attr.ints([k, k]), pads: attr.ints(window.pads) };

type Variant = (mb: ModelBuilder) => string;
const variants: Record<string, Variant> = {
  'forward Conv': (mb) => mb.op('Conv', ['x', 'w', 'b'], convAttrs),
  'forward blocked': (mb) =>
    emitNchwcConv(mb, {
      x: 'x',
      filter: emitBlockedFilter(mb, 'w', { outChannels: m, inChannels: c, kh: k, kw: k }, block, 'wBlocked'),
      bias: 'b',
      inChannels: c,
      outChannels: m,
      window,
      block,
      output: 'y',
    }),
  'dx ConvTranspose': (mb) => mb.op('ConvTranspose', ['dy', 'w'], convAttrs),
  'dx blocked': (mb) => {
    const flip = (v: number[]): string => mb.initializer(mb.uniqueName('flip'), int64([v.length], v));
    const flipped = mb.op('Slice', [
      'w',
      flip([-1, -1]),
      flip([-k - 1, -k - 1]),
      flip([2, 3]),
      flip([-1, -1]),
    ]);
    const filter = emitBlockedFilter(
      mb,
      flipped,
      { outChannels: c, inChannels: m, kh: k, kw: k },
      block,
      'wT',
      true,
    );
    return emitNchwcConv(mb, { x: 'dy', filter, inChannels: m, outChannels: c, window, block, output: 'dx' });
  },
};

const rng = new Rng(0);
const random = (dims: number[]): TensorData =>
  float32(
    dims,
    Float32Array.from({ length: dims.reduce((a, b) => a * b) }, () => rng.float() - 0.5),
  );
const feeds = { x: random([n, c, h, w]), dy: random([n, m, h, w]), w: random([m, c, k, k]), b: random([m]) };
const reference: Record<string, Float32Array> = {};
for (const [name, variant] of Object.entries(variants)) {
  const mb = new ModelBuilder();
  mb.input('x', 'float32', [n, c, h, w]);
  mb.input('dy', 'float32', [n, m, h, w]);
  mb.input('w', 'float32', [m, c, k, k]);
  mb.input('b', 'float32', [m]);
  const out = variant(mb);
  mb.output(out, 'float32');
  const session = await Session.create(mb.toBytes(), { intraOpNumThreads: 1 });
  const got = (await session.run(feeds))[out]?.data as Float32Array;
  const kind = name.split(' ')[0] as string;
  reference[kind] ??= got;
  let err = 0;
  got.forEach((v, i) => (err = Math.max(err, Math.abs(v - (reference[kind]?.[i] as number)))));
  const times = await cpuMsPerRun(session, feeds, Number(values.runs), Number(values.repeats));
  await session.dispose();
  process.stdout.write(
    `${name.padEnd(18)} ${times.map((t) => t.toFixed(3)).join(' ')} ms CPU/run  max abs diff from the plain op ${err.toExponential(1)}\n`,
  );
}
process.stdout.write(
  `(NCHWc block ${block}; x [${n}, ${c}, ${h}, ${w}], ${m} output channels, ${k}x${k}, pad ${pad})\n`,
);
