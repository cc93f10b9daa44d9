import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { buildTrainingGradients } from '../graph/autodiff/index.js';
import { GraphBuilder, type Conv2dOptions } from '../graph/builder.js';
import type { Graph } from '../graph/graph.js';
import { initParameters } from '../graph/init.js';
import { smallCnn } from '../graph/networks.testkit.js';
import { decodeModel, float32, int64, type TensorData } from '../graph/onnx/index.js';
import { BATCH } from '../graph/types.js';
import { CellSpace } from '../space/cell.js';
import { MacroSpace } from '../space/macro.js';
import { Nb201NetSpace } from '../space/nb201-net.js';
import { walk } from '../space/walk.js';
import { NCHWC_ENV, nchwcBlockSize, trainingNchwcBlock } from './nchwc.js';
import { Session } from './session.js';

const block = await nchwcBlockSize();
const BLOCK = block ?? 16;

/** Every output of the training graph (loss, gradients) with and without blocked convs. */
async function bothWays(
  graph: Graph,
  inShape: readonly number[],
): Promise<{ plain: Outputs; blocked: Outputs; ops: string[] }> {
  const params = initParameters(graph, new Rng(3));
  const rng = new Rng(4);
  const n = inShape[0] as number;
  const feeds: Record<string, TensorData> = {
    x: float32(
      [...inShape],
      Float32Array.from({ length: inShape.reduce((a, b) => a * b) }, () => rng.float() - 0.5),
    ),
    labels: int64(
      [n],
      Array.from({ length: n }, (_, i) => i % 3),
    ),
  };
  for (const p of graph.params) feeds[p.name] = float32(p.shape, params.get(p.name) as Float32Array);
  const run = async (nchwcBlock?: number): Promise<{ out: Outputs; ops: string[] }> => {
    const model = buildTrainingGradients(graph, {
      loss: 'loss',
      ...(nchwcBlock === undefined ? {} : { nchwcBlock }),
    }).model;
    const bytes = model.toBytes();
    const ops =
      decodeModel(bytes).graph?.node?.map(
        (x) => `${x.domain ?? ''}:${x.opType ?? ''}:${x.name ?? ''}:${(x.input ?? []).join(',')}`,
      ) ?? [];
    const session = await Session.create(bytes, { intraOpNumThreads: 1 });
    try {
      // Only what this model reads: parameters off the loss's path are not its inputs.
      const got = await session.run(
        Object.fromEntries(session.inputNames.map((n) => [n, feeds[n] as TensorData])),
      );
      return {
        out: Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.data as Float32Array])),
        ops,
      };
    } finally {
      await session.dispose();
    }
  };
  const plain = await run();
  const blocked = await run(BLOCK);
  return { plain: plain.out, blocked: blocked.out, ops: blocked.ops };
}
type Outputs = Record<string, Float32Array>;

/**
 * max |a - b| / max |a| over every output, the scale at least 1e-3: some gradients are zero up to
 * rounding (a batch norm's beta ahead of another normalisation: 1e-8 in both graphs), and their
 * relative difference means nothing.
 */
function worstRelative(a: Outputs, b: Outputs): number {
  let worst = 0;
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const [name, want] of Object.entries(a)) {
    const got = b[name] as Float32Array;
    let err = 0;
    let scale = 0;
    want.forEach((w, i) => {
      err = Math.max(err, Math.abs((got[i] as number) - w));
      scale = Math.max(scale, Math.abs(w));
    });
    worst = Math.max(worst, err / Math.max(scale, 1e-3));
  }
  return worst;
}

/** x [N, cin, size, size] -> conv0 (cin -> c, 3x3) -> relu -> conv1 (`layer`) -> relu -> GAP -> dense 3 -> loss. */
function twoConvs(cin: number, c: number, layer: Conv2dOptions, size = 10): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, cin, size, size]);
  const h = b.relu(b.conv2d(x, { name: 'conv0', outChannels: c, kernel: 3, padding: 1 }));
  const y = b.relu(b.conv2d(h, { ...layer, name: 'conv1' }));
  const logits = b.dense(b.flatten(b.globalAvgPool(y)), { name: 'fc', outFeatures: 3 });
  return b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
}

const blockedNodes = (ops: string[], prefix: string): string[] =>
  ops.filter((o) => o.startsWith('com.microsoft.nchwc:') && o.split(':')[2]?.startsWith(prefix));

describe.skipIf(block === undefined)("blocked (NCHWc) convs give the plain graph's gradients", () => {
  it('finds a block of 8 or 16 channels on an x86 machine', () => {
    expect([8, 16]).toContain(block);
  });

  it.each([
    ['1 -> B -> 2B, 3x3 pad 1', 1, BLOCK, { outChannels: 2 * BLOCK, kernel: 3, padding: 1 }],
    ['3 -> B -> B, 5x5 pad 2, no bias', 3, BLOCK, { outChannels: BLOCK, kernel: 5, padding: 2, bias: false }],
    ['1 -> 2B -> B, 1x1', 1, 2 * BLOCK, { outChannels: BLOCK, kernel: 1 }],
    ['5 -> B -> B, 3x3 pad 1', 5, BLOCK, { outChannels: BLOCK, kernel: 3, padding: 1 }],
    ['B-4 -> B -> B, 3x3 pad 1', BLOCK - 4, BLOCK, { outChannels: BLOCK, kernel: 3, padding: 1 }],
    [
      '1 -> B -> B, 3x3 dilation 2 pad 2',
      1,
      BLOCK,
      { outChannels: BLOCK, kernel: 3, padding: 2, dilation: 2 },
    ],
    [
      '1 -> B -> B, 3x3 asymmetric "same" stride 2',
      1,
      BLOCK,
      { outChannels: BLOCK, kernel: 3, stride: 2, padding: 'same' },
    ],
    [
      '1 -> B -> B, depthwise 3x3 pad 1, no bias',
      1,
      BLOCK,
      { outChannels: BLOCK, kernel: 3, padding: 1, groups: BLOCK, bias: false },
    ],
    [
      '1 -> 2B -> 2B, depthwise 5x5 pad 2 stride 2',
      1,
      2 * BLOCK,
      { outChannels: 2 * BLOCK, kernel: 5, padding: 2, stride: 2, groups: 2 * BLOCK },
    ],
  ] as const)('%s', async (_, cin, c, layer) => {
    const graph = twoConvs(cin, c, layer);
    const { plain, blocked, ops } = await bothWays(graph, [5, cin, 10, 10]);
    expect(worstRelative(plain, blocked)).toBeLessThan(1e-5);
    // Both convs run blocked forward; conv1's input gradient too where its stride is 1.
    expect(blockedNodes(ops, 'conv0.nchwc').length).toBeGreaterThan(0);
    expect(blockedNodes(ops, 'conv1.nchwc').length).toBeGreaterThan(0);
    const stride1 = !('stride' in layer);
    expect(blockedNodes(ops, 'conv1.d.dx').length > 0).toBe(stride1);
    expect(ops.some((o) => o.includes(':ConvTranspose:conv1.d'))).toBe(!stride1);
    // A dense conv over whole blocks takes the blocked weight gradient (a depthwise one its own rule).
    expect(ops.some((o) => o.includes(':MatMul:conv1.d.tap0Product'))).toBe(!('groups' in layer));
    // One blocked copy of conv1's input, shared by its forward pass and its weight gradient.
    const conv1Input = graph.node('conv1')?.inputs[0] as string;
    const reorders = ops.filter((o) => o.startsWith('com.microsoft.nchwc:ReorderInput:'));
    expect(reorders.filter((o) => o.endsWith(`:${conv1Input}`))).toHaveLength(1);
  });

  it('leaves convs that do not fit whole blocks (and grouped ones) plain', async () => {
    const odd = twoConvs(1, BLOCK + 4, { outChannels: BLOCK, kernel: 3, padding: 1 });
    const grouped = twoConvs(1, BLOCK, { outChannels: BLOCK, kernel: 3, padding: 1, groups: 2 });
    for (const [graph, c] of [
      [odd, BLOCK + 4],
      [grouped, BLOCK],
    ] as const) {
      const { plain, blocked, ops } = await bothWays(graph, [4, 1, 10, 10]);
      expect(worstRelative(plain, blocked)).toBeLessThan(1e-5);
      expect(blockedNodes(ops, 'conv1')).toEqual([]);
      // conv0 (1 -> c) still fits when c is whole blocks.
      expect(blockedNodes(ops, 'conv0.nchwc').length > 0).toBe(c % BLOCK === 0);
    }
  });

  it('maps smaller than the kernel: 1x1 and 2x2 inputs under 3x3 and 5x5 windows', async () => {
    for (const [size, kernel] of [
      [1, 3],
      [2, 5],
    ] as const) {
      const graph = twoConvs(1, BLOCK, { outChannels: BLOCK, kernel, padding: (kernel - 1) / 2 }, size);
      const { plain, blocked, ops } = await bothWays(graph, [3, 1, size, size]);
      expect(worstRelative(plain, blocked)).toBeLessThan(1e-5);
      expect(blockedNodes(ops, 'conv1.nchwc').length).toBeGreaterThan(0);
    }
  });

  it.each([
    [
      'macro',
      new MacroSpace({ input: [1, 12, 12], classes: 3, channels: BLOCK, layers: 4, reductions: [1] }),
    ],
    ['cell', new CellSpace({ input: [1, 12, 12], classes: 3, channels: BLOCK, blocks: 2 })],
    ['nb201-net', new Nb201NetSpace({ input: [1, 12, 12], classes: 3, channels: BLOCK, cells: 1 })],
  ] as const)('random %s networks: every gradient and batch-norm statistic', async (_, space) => {
    const rng = new Rng(5);
    for (let i = 0; i < 2; i++) {
      const graph = space.decode(walk(space, (d) => rng.pick(d.choices)));
      const { plain, blocked, ops } = await bothWays(graph, [4, 1, 12, 12]);
      expect(worstRelative(plain, blocked)).toBeLessThan(1e-4);
      expect(ops.some((o) => o.startsWith('com.microsoft.nchwc:Conv:'))).toBe(true);
    }
  });

  it('the small CNN of the speed benchmark: every gradient within 1e-5, a batch not a multiple of the block', async () => {
    const { plain, blocked, ops } = await bothWays(smallCnn(), [7, 1, 28, 28]);
    expect(worstRelative(plain, blocked)).toBeLessThan(1e-5);
    expect(blockedNodes(ops, 'conv2.d.dx').length).toBeGreaterThan(0);
  });
});

describe('nchwcBlockSize', () => {
  const saved = process.env[NCHWC_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[NCHWC_ENV];
    else process.env[NCHWC_ENV] = saved;
  });

  it(`is undefined with ${NCHWC_ENV}=off, so training uses plain ONNX ops`, async () => {
    process.env[NCHWC_ENV] = 'off';
    expect(await nchwcBlockSize()).toBeUndefined();
  });

  it('is not used for sessions that prefer another execution provider (CUDA has no NCHWc kernels)', async () => {
    expect(await trainingNchwcBlock({ executionProviders: ['cuda', 'cpu'] })).toBeUndefined();
    expect(await trainingNchwcBlock({ executionProviders: ['cpu'] })).toBe(block);
    expect(await trainingNchwcBlock()).toBe(block);
  });
});
