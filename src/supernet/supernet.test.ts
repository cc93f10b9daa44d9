import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import type { SearchSpace } from '../core/space.js';
import { float32 } from '../graph/onnx/index.js';
import {
  LEARNING_RATE_INPUT,
  STEP_INPUT,
  buildTrainingStep,
  initialStepState,
} from '../graph/optim/index.js';
import { FeedbackRunner } from '../runtime/feedback.js';
import { Session } from '../runtime/session.js';
import { trainingIo } from '../runtime/train/io.js';
import { randomSample } from '../space/walk.js';
import { cellKeys, macroKeys, sharedKeysFor } from './keys.js';
import { Supernet } from './supernet.js';
import { batchOf, tinyCell, tinyData, tinyMacro } from './supernet.testkit.js';
import { SharedWeights } from './weights.js';

const data = tinyData(64, 1);
const open: Supernet[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function supernet(space: SearchSpace<unknown> = tinyMacro(), cacheSize = 8): Supernet {
  const s = new Supernet(space, new SharedWeights(7), data, { optimizer: { kind: 'adam' }, cacheSize });
  open.push(s);
  return s;
}

const maxDiff = (a: Float32Array, b: Float32Array): number =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);

describe('supernet path', () => {
  it('a child on the shared weights steps exactly as the standalone child given copies of them', async () => {
    const space = tinyMacro();
    const net = supernet(space);
    const a = space.sampleFromKey('conv3x3 sepconv5x5[0] maxpool3x3[0,1]');
    const b = space.sampleFromKey('conv3x3 conv5x5[0] avgpool3x3[1]');
    // A trains first, so B starts from weights (and Adam moments, step count) A moved.
    await net.train(a, batchOf(data, 16).x, batchOf(data, 16).labels, 0.01);
    await net.train(a, batchOf(data, 16, 16).x, batchOf(data, 16, 16).labels, 0.01);
    await net.train(b, batchOf(data, 16, 32).x, batchOf(data, 16, 32).labels, 0.01);

    const child = await net.child(b);
    const keys = child.sharedKeys();
    const copies = await net.childParams(b);
    const graph = space.decode(b);
    const io = trainingIo(graph, { train: data, valid: data });
    const step = buildTrainingStep(graph, { loss: io.loss, optimizer: { kind: 'adam' } });
    const initial = initialStepState(step, copies);
    for (const s of step.state) {
      const saved = net.weights.snapshot(`${keys.get(s.param) as string}#${s.kind}`);
      initial[s.input] = float32(s.shape, saved as Float32Array);
    }
    initial[STEP_INPUT] = float32([], [net.weights.step]);
    const session = await Session.create(step.model.toBytes());
    try {
      const runner = new FeedbackRunner(session, step.loop, initial);
      const batch = batchOf(data, 16, 48);
      const out = await runner.step(
        { [io.input]: batch.x, [io.labels]: batch.labels, [LEARNING_RATE_INPUT]: float32([], [0.01]) },
        step.fetches,
      );
      const loss = await net.train(b, batch.x, batch.labels, 0.01);
      expect(loss).toBeCloseTo(out[step.loss]?.data[0] as number, 6);
      const state = runner.state();
      for (const p of [...step.params, ...step.buffers.map((x) => x.spec)]) {
        const shared = net.weights.snapshot(keys.get(p.name) as string) as Float32Array;
        expect(maxDiff(shared, state[p.name]?.data as Float32Array), p.name).toBeLessThan(1e-6);
      }
    } finally {
      await session.dispose();
    }
  });

  it('shares a layer between children and leaves the weights of ops a child lacks alone', async () => {
    const space = tinyMacro();
    const net = supernet(space);
    const a = space.sampleFromKey('conv3x3 sepconv5x5 maxpool3x3');
    const b = space.sampleFromKey('conv3x3 conv5x5 avgpool3x3');
    await net.train(a, batchOf(data, 8).x, batchOf(data, 8).labels, 0.05);
    const sep = net.weights.snapshot('l1/sepconv5x5/pw/conv.weight@4x4x1x1');
    const stem = net.weights.snapshot('stem/conv.weight@4x1x3x3');
    await net.train(b, batchOf(data, 8).x, batchOf(data, 8).labels, 0.05);
    expect(net.weights.snapshot('l1/sepconv5x5/pw/conv.weight@4x4x1x1')).toEqual(sep);
    expect(
      maxDiff(net.weights.snapshot('stem/conv.weight@4x1x3x3') as Float32Array, stem as Float32Array),
    ).toBeGreaterThan(0);
    const params = await net.childParams(b);
    expect(params.get('stem/conv.weight')).toEqual(net.weights.snapshot('stem/conv.weight@4x1x3x3'));
  });

  it('scores a child by the arg-max of its logits, writing nothing back', async () => {
    const space = tinyMacro('add');
    const net = supernet(space);
    const s = space.sampleFromKey('conv3x3 conv3x3[0] conv3x3[1]');
    for (let k = 0; k < 20; k++)
      await net.train(s, batchOf(data, 32, (k % 2) * 32).x, batchOf(data, 32, (k % 2) * 32).labels, 0.02);
    const before = net.weights.snapshot('stem/conv.weight@4x1x3x3');
    const step = net.weights.step;
    const acc = await net.accuracy(s, data, { batchSize: 32 });
    const logits = await (
      await net.child(s)
    ).logits(net.weights, batchOf(data, 64).x, batchOf(data, 64).labels);
    let correct = 0;
    for (let i = 0; i < 64; i++) {
      const row = Array.from(logits.subarray(i * 3, i * 3 + 3));
      if (row.indexOf(Math.max(...row)) === data.y[i]) correct++;
    }
    // Two batches of 32 with batch statistics vs one of 64: close, not equal; both well above chance.
    expect(Math.abs(acc - correct / 64)).toBeLessThan(0.1);
    expect(acc).toBeGreaterThan(0.6);
    expect(net.weights.snapshot('stem/conv.weight@4x1x3x3')).toEqual(before);
    expect(net.weights.step).toBe(step);
  });

  it('caches sessions by architecture, least recently used out', async () => {
    const space = tinyMacro();
    const net = supernet(space, 2);
    const [a, b, c] = [
      'conv3x3 conv3x3 conv3x3',
      'conv5x5 conv3x3 conv3x3',
      'avgpool3x3 conv3x3 conv3x3',
    ].map((k) => space.sampleFromKey(k));
    for (const s of [a, b, a, c, a, b]) await net.child(s as never);
    expect(net.stats).toMatchObject({ builds: 4, hits: 2, evictions: 2 });
  });

  it('trains a cell child on the shared store', async () => {
    const space = tinyCell();
    const net = supernet(space);
    const s = randomSample(space, new Rng(3));
    const loss = await net.train(s, batchOf(data, 8).x, batchOf(data, 8).labels, 0.01);
    expect(Number.isFinite(loss)).toBe(true);
    expect(net.weights.size).toBeGreaterThan(10);
  });
});

describe('shared keys', () => {
  it('macro: a pool layer owns its 1x1 fitting conv; the concat projection has one weight per shape', () => {
    const space = tinyMacro();
    const s = space.sampleFromKey('conv3x3 maxpool3x3[0] avgpool3x3[0,1]');
    const key = macroKeys(s);
    expect(key('l1/in/conv.weight', [4, 4, 1, 1])).toBe('l1/maxpool3x3/in/conv.weight@4x4x1x1');
    expect(key('l2/proj/conv.weight', [8, 24, 1, 1])).toBe('l2/proj/conv.weight@8x24x1x1');
    expect(key('l0/conv3x3/conv.weight', [4, 4, 3, 3])).toBe('l0/conv3x3/conv.weight@4x4x3x3');
  });

  it('cell: keyed by (cell, block, input, op), not by the term position; twins apart', () => {
    const space = tinyCell();
    const keys = cellKeys(space);
    const one = space.sampleFromKey(
      'normal(sepconv3x3~0+sepconv3x3~0|identity~1+maxpool3x3~2) reduce(sepconv3x3~1+avgpool3x3~0|identity~0+identity~2)',
    );
    const two = space.sampleFromKey(
      'normal(identity~0+sepconv3x3~1|avgpool3x3~0+sepconv3x3~1) reduce(sepconv3x3~1+avgpool3x3~0|identity~0+identity~2)',
    );
    const k1 = keys(one);
    expect(k1('c0/n2/t1/a/dw.weight', [4, 1, 3, 3])).toBe('c0/n2/in0/sepconv3x3/a/dw.weight@4x1x3x3');
    expect(k1('c0/n2/t2/a/dw.weight', [4, 1, 3, 3])).toBe('c0/n2/in0/sepconv3x3.2/a/dw.weight@4x1x3x3');
    // sepconv3x3 on input 1 of block 3 is the second term in `two`, the first would be the same key.
    expect(keys(two)('c0/n3/t2/b/pw.weight', [4, 4, 1, 1])).toBe('c0/n3/in1/sepconv3x3/b/pw.weight@4x4x1x1');
  });

  it('never maps two tensors of one child to one key (random children of both spaces)', () => {
    const rng = new Rng(5);
    for (const space of [tinyMacro(), tinyMacro('add'), tinyCell()]) {
      const keysOf = sharedKeysFor(space);
      for (let i = 0; i < 30; i++) {
        const s = randomSample(space, rng);
        const key = keysOf(s);
        const all = space.decode(s).params.map((p) => key(p.name, p.shape));
        expect(new Set(all).size).toBe(all.length);
      }
    }
  });
});

describe('SharedWeights', () => {
  it('initialises a tensor from its key alone and round-trips through JSON exactly', () => {
    const spec = { shape: [3, 5], init: { kind: 'he-normal', fanIn: 5 } } as const;
    const one = new SharedWeights(3);
    const two = new SharedWeights(3);
    one.get('a', spec);
    const b1 = one.get('b', spec).slice();
    expect(two.get('b', spec)).toEqual(b1);
    one.get('odd', { shape: [3], init: { kind: 'ones' } });
    one.step = 12;
    const back = new SharedWeights(3);
    back.load(JSON.parse(JSON.stringify(one.toJSON())));
    expect(back.step).toBe(12);
    expect(back.snapshot('b')).toEqual(b1);
    expect(back.snapshot('odd')).toEqual(new Float32Array([1, 1, 1]));
    expect(() => new SharedWeights(4).load(one.toJSON())).toThrow(/seed 3/);
    expect(() => one.get('b', { shape: [2], init: { kind: 'zeros' } })).toThrow(/holds 15 values/);
  });
});
