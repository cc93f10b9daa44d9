import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Session } from '../../runtime/session.js';
import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { smallCnn } from '../networks.testkit.js';
import { BATCH, type ParamRole, type Value } from '../types.js';
import { lowerInference } from './inference.js';

/**
 * Agreement with PyTorch: fixtures/*.json hold PyTorch 1.13's float64 forward pass of small networks
 * (written by scripts/fixtures/forward.py), with the weights in PyTorch's layout and names. Here the
 * weights are mapped to the IR's conventions, lowered, run in float32 by ONNX Runtime and compared.
 */

type Stored = { readonly shape: number[]; readonly f32?: string; readonly f64?: string };
type Fixture = {
  readonly format: 'naslab-forward-fixture';
  readonly input: Stored;
  readonly labels?: number[];
  readonly params: Record<string, Stored>;
  readonly outputs: Record<string, Stored>;
};

function load(name: string): Fixture {
  const text = readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');
  const f = JSON.parse(text) as Fixture;
  expect(f.format).toBe('naslab-forward-fixture');
  return f;
}

/** Copies the bytes out: a pooled Buffer's offset need not be aligned for a typed-array view. */
function f32(t: Stored): Float32Array {
  const bytes = Uint8Array.from(Buffer.from(t.f32 ?? '', 'base64'));
  return new Float32Array(bytes.buffer);
}
function f64(t: Stored): Float64Array {
  const bytes = Uint8Array.from(Buffer.from(t.f64 ?? '', 'base64'));
  return new Float64Array(bytes.buffer);
}

const TORCH_ROLE: Record<ParamRole, string> = {
  weight: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  runningMean: 'running_mean',
  runningVar: 'running_var',
  alpha: 'alpha',
};

/** PyTorch's Linear weight is [out, in]; the IR's dense weight is [in, out]. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] ?? NaN;
  return out;
}

/** The IR parameters from the fixture; `module` maps an IR node name to its PyTorch module path. */
function irParams(
  graph: Graph,
  f: Fixture,
  module: (node: string) => string = (n) => n,
  transposeDense = true,
): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const node of graph.nodes) {
    for (const p of node.params) {
      const key = `${module(node.name)}.${TORCH_ROLE[p.role]}`;
      const stored = f.params[key];
      if (stored === undefined) throw new Error(`fixture has no '${key}' for '${p.name}'`);
      let data = f32(stored);
      if (node.op === 'dense' && p.role === 'weight' && transposeDense) {
        const [outF, inF] = stored.shape as [number, number];
        data = transpose(data, outF, inF);
      }
      out.set(p.name, data);
    }
  }
  return out;
}

/** The largest |ort - torch| over the tensor, relative to the tensor's largest |torch|. */
function relError(actual: Float32Array, expected: Float64Array): number {
  expect(actual.length).toBe(expected.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)));
    scale = Math.max(scale, Math.abs(expected[i] ?? NaN));
  }
  expect(scale).toBeGreaterThan(0.1); // a dead (all-zero) output would agree with anything
  return err / scale;
}

async function runFixture(
  graph: Graph,
  f: Fixture,
  params: Map<string, Float32Array>,
  outputs: readonly string[],
): Promise<Record<string, number>> {
  const session = await Session.create(lowerInference(graph, params, { outputs }));
  try {
    const feeds: Parameters<Session['run']>[0] = {
      x: { type: 'float32', dims: f.input.shape, data: f32(f.input) },
      ...(f.labels === undefined || !session.inputNames.includes('labels')
        ? {}
        : { labels: { type: 'int64', dims: [f.labels.length], data: BigInt64Array.from(f.labels, BigInt) } }),
    };
    const got = await session.run(feeds);
    const errors: Record<string, number> = {};
    for (const name of outputs) {
      const want = f.outputs[name] as Stored;
      expect(got[name]?.dims).toEqual(want.shape);
      errors[name] = relError(got[name]?.data as Float32Array, f64(want));
    }
    return errors;
  } finally {
    await session.dispose();
  }
}

/** separableBlock()'s structure on [N, 8, 8, 8] (the fixture keeps the file small). */
function separable(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 8, 8, 8]);
  const dw = b.conv2d(x, { name: 'dw', outChannels: 8, kernel: 3, padding: 1, groups: 8, bias: false });
  const pw = b.conv2d(b.batchNorm(dw, { name: 'bn1' }), {
    name: 'pw',
    outChannels: 16,
    kernel: 1,
    bias: false,
  });
  return b.build([b.relu(b.batchNorm(pw, { name: 'bn2' }), { name: 'out' })]);
}

/** forward.py's TinyCell: an NAS-Bench-201-like cell with none, skip, avg-pool and ReLU-conv-BN edges. */
function tinyCell(): Graph {
  const b = new GraphBuilder();
  const reluConvBn = (v: Value, edge: string, k: number): Value =>
    b.batchNorm(
      b.conv2d(b.relu(v, { name: `${edge}_relu` }), {
        name: `${edge}_conv`,
        outChannels: 8,
        kernel: k,
        padding: (k - 1) / 2,
        bias: false,
      }),
      { name: `${edge}_bn` },
    );
  const x = b.input('x', [BATCH, 3, 6, 6]);
  const n0 = b.batchNorm(
    b.conv2d(x, { name: 'stem_conv', outChannels: 8, kernel: 3, padding: 1, bias: false }),
    {
      name: 'stem_bn',
    },
  );
  const n1 = reluConvBn(n0, 'e01', 3);
  const n2 = b.add([b.avgPool(n0, { kernel: 3, stride: 1, padding: 1 }), reluConvBn(n1, 'e12', 1)]);
  const n3 = b.add([b.identity(n0), b.zero(n1), reluConvBn(n2, 'e23', 3)], { name: 'n3' });
  const pooled = b.flatten(b.globalAvgPool(b.relu(n3)));
  return b.build([n3, b.dense(pooled, { name: 'head', outFeatures: 5 })]);
}

const TOL = 1e-4;

describe('lowerInference agrees with PyTorch (float64 reference, ORT float32)', () => {
  it('small CNN: logits and the mean cross-entropy loss', async () => {
    const f = load('small-cnn');
    const g = smallCnn();
    const errors = await runFixture(g, f, irParams(g, f), ['fc', 'loss']);
    expect(errors.fc).toBeLessThan(TOL);
    expect(errors.loss).toBeLessThan(TOL);
  });

  it('small CNN: an untransposed dense weight is caught', async () => {
    const f = load('small-cnn');
    const g = smallCnn();
    const errors = await runFixture(g, f, irParams(g, f, undefined, false), ['fc']);
    expect(errors.fc).toBeGreaterThan(100 * TOL);
  });

  it('separable block: depthwise conv, pointwise conv, batch norm with running statistics', async () => {
    const f = load('separable');
    const g = separable();
    const errors = await runFixture(g, f, irParams(g, f), ['out']);
    expect(errors.out).toBeLessThan(TOL);
  });

  it('separable block: swapped running mean and variance are caught', async () => {
    const f = load('separable');
    const g = separable();
    const params = irParams(g, f);
    const mean = params.get('bn1.runningMean') as Float32Array;
    params.set('bn1.runningMean', params.get('bn1.runningVar') as Float32Array);
    params.set('bn1.runningVar', mean.map(Math.abs));
    const errors = await runFixture(g, f, params, ['out']);
    expect(errors.out).toBeGreaterThan(100 * TOL);
  });

  it('NAS-Bench-201-like cell: cell output and logits', async () => {
    const f = load('tiny-cell');
    const g = tinyCell();
    const errors = await runFixture(
      g,
      f,
      irParams(g, f, (n) => n.replace(/^(e\d\d)_/, '$1.')),
      ['n3', 'head'],
    );
    expect(errors.n3).toBeLessThan(TOL);
    expect(errors.head).toBeLessThan(TOL);
  });
});
