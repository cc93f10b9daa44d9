import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { FeedbackRunner } from '../../runtime/feedback.js';
import { Session } from '../../runtime/session.js';
import { GraphBuilder } from '../builder.js';
import { float32, int64 } from '../onnx/index.js';
import { BATCH } from '../types.js';
import { resolveOptimizer, type DecayScope, type OptimizerSpec } from './options.js';
import { ReferenceOptimizer, denseCe, type Params } from './reference.testkit.js';
import { LEARNING_RATE_INPUT, STEP_INPUT, buildTrainingStep, initialStepState } from './step.js';

const IN = 4;
const OUT = 3;
const N = 5;

function denseGraph() {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, IN]);
  const logits = b.dense(x, { name: 'fc', outFeatures: OUT });
  return b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
}

const wave = (n: number, seed: number, scale: number): number[] =>
  Array.from({ length: n }, (_, i) => Math.sin(i * 1.37 + seed * 2.9) * scale);

function batch(step: number): { x: number[]; labels: number[] } {
  return { x: wave(N * IN, step + 10, 1.5), labels: Array.from({ length: N }, (_, i) => (i + step) % OUT) };
}

const sessions: Session[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.dispose()));
});

/**
 * Runs `lrs.length` steps in ONNX Runtime (one session.run each, state fed back) and in the float64
 * reference, and returns the largest absolute differences of the losses, parameters and state.
 */
async function compare(spec: OptimizerSpec, lrs: readonly number[], decay: DecayScope = 'all') {
  const graph = denseGraph();
  const step = buildTrainingStep(graph, { loss: 'loss', optimizer: spec, decay });
  const session = await Session.create(step.model.toBytes());
  sessions.push(session);
  const init = new Map([
    ['fc.weight', Float32Array.from(wave(IN * OUT, 1, 0.6))],
    ['fc.bias', Float32Array.from(wave(OUT, 2, 0.2))],
  ]);
  const runner = new FeedbackRunner(session, step.loop, initialStepState(step, init));
  const ref: Params = {};
  for (const [k, v] of init) ref[k] = Float64Array.from(v);
  const refOpt = new ReferenceOptimizer(
    resolveOptimizer(spec),
    (n) => decay === 'all' || n.endsWith('.weight'),
  );
  let lossDiff = 0;
  for (let k = 0; k < lrs.length; k++) {
    const { x, labels } = batch(k);
    const out = await runner.step(
      {
        x: float32([N, IN], x),
        labels: int64([N], labels),
        [LEARNING_RATE_INPUT]: float32([], [lrs[k] as number]),
      },
      step.fetches,
    );
    const want = denseCe(x, labels, ref, IN, OUT);
    lossDiff = Math.max(lossDiff, Math.abs((out.loss?.data[0] as number) - want.loss));
    refOpt.step(ref, want.grads, lrs[k] as number);
  }
  const state = runner.state();
  let paramDiff = 0;
  for (const [name, want] of Object.entries(ref)) {
    const got = state[name]?.data as Float32Array;
    want.forEach((w, i) => (paramDiff = Math.max(paramDiff, Math.abs((got[i] as number) - w))));
  }
  let stateDiff = 0;
  for (const s of step.state) {
    const want = refOpt.state[s.param]?.[s.kind] as Float64Array;
    const got = state[s.input]?.data as Float32Array;
    want.forEach((w, i) => (stateDiff = Math.max(stateDiff, Math.abs((got[i] as number) - w))));
  }
  // The parameters really moved (a no-op update would pass a loose comparison).
  const moved = Math.max(
    ...ref['fc.weight']!.map((w, i) => Math.abs(w - (init.get('fc.weight')![i] as number))),
  );
  return {
    lossDiff,
    paramDiff,
    stateDiff,
    moved,
    steps: state[STEP_INPUT]?.data[0],
    stateCount: step.state.length,
  };
}

const schedule = [0.1, 0.08, 0.05, 0.03, 0.02, 0.01];

describe('buildTrainingStep against torch.optim semantics (float64 reference)', () => {
  it.each<[string, OptimizerSpec, readonly number[], DecayScope, number]>([
    ['plain SGD, one step', { kind: 'sgd' }, [0.1], 'all', 0],
    [
      'SGD momentum + weight decay, six steps',
      { kind: 'sgd', momentum: 0.9, weightDecay: 0.05 },
      schedule,
      'all',
      2,
    ],
    [
      'SGD nesterov, decay on weights only',
      { kind: 'sgd', momentum: 0.8, nesterov: true, weightDecay: 0.1 },
      schedule,
      'weights',
      2,
    ],
    ['Adam, one step', { kind: 'adam' }, [0.01], 'all', 4],
    [
      'Adam + L2 weight decay, six steps, scheduled lr',
      { kind: 'adam', weightDecay: 0.1 },
      schedule,
      'all',
      4,
    ],
    [
      'AdamW, six steps, decay on weights only',
      { kind: 'adamw', beta1: 0.8, beta2: 0.99, weightDecay: 0.2 },
      schedule,
      'weights',
      4,
    ],
  ])('%s', async (_name, spec, lrs, decay, stateCount) => {
    const r = await compare(spec, lrs, decay);
    expect(r.stateCount).toBe(stateCount);
    expect(r.moved).toBeGreaterThan(1e-3);
    expect(r.lossDiff).toBeLessThan(1e-5);
    expect(r.paramDiff).toBeLessThan(1e-5);
    expect(r.stateDiff).toBeLessThan(1e-5);
    expect(r.steps).toBe(lrs.length);
  });
});

describe('buildTrainingStep: the model', () => {
  it('adds lr, step and state inputs, and updated outputs looped back onto them', () => {
    const step = buildTrainingStep(denseGraph(), { loss: 'loss', optimizer: { kind: 'adam' } });
    const spec = step.model.spec();
    expect(spec.inputs.map((i) => i.name)).toEqual([
      'x',
      'labels',
      'fc.weight',
      'fc.bias',
      LEARNING_RATE_INPUT,
      STEP_INPUT,
      'fc.weight.adam_m',
      'fc.weight.adam_v',
      'fc.bias.adam_m',
      'fc.bias.adam_v',
    ]);
    expect(step.loop).toEqual({
      'fc.weight.next': 'fc.weight',
      'fc.bias.next': 'fc.bias',
      'fc.weight.adam_m.next': 'fc.weight.adam_m',
      'fc.weight.adam_v.next': 'fc.weight.adam_v',
      'fc.bias.adam_m.next': 'fc.bias.adam_m',
      'fc.bias.adam_v.next': 'fc.bias.adam_v',
      'optim.step.next': STEP_INPUT,
    });
    const outputs = spec.outputs.map((o) => o.name);
    for (const name of [...Object.keys(step.loop), 'loss']) expect(outputs).toContain(name);
    const init = initialStepState(
      step,
      new Map([
        ['fc.weight', new Float32Array(12)],
        ['fc.bias', new Float32Array(3)],
      ]),
    );
    expect(Object.keys(init).sort()).toEqual(Object.values(step.loop).sort());
    expect(init['fc.weight.adam_v']?.dims).toEqual([IN, OUT]);
  });

  it('plain SGD keeps no state', () => {
    const step = buildTrainingStep(denseGraph(), { loss: 'loss', optimizer: { kind: 'sgd' } });
    expect(step.state).toEqual([]);
  });

  it('names a bad optimiser field, and a parameter missing from the initial state', () => {
    const g = denseGraph();
    expect(() => buildTrainingStep(g, { loss: 'loss', optimizer: { kind: 'adam', beta1: 1 } })).toThrow(
      new ConfigError('optimizer.beta1 must be a finite number in [0, 1), found 1'),
    );
    expect(() => buildTrainingStep(g, { loss: 'loss', optimizer: { kind: 'sgd', momentum: -1 } })).toThrow(
      /optimizer.momentum/,
    );
    expect(() => buildTrainingStep(g, { loss: 'loss', optimizer: { kind: 'sgd', nesterov: true } })).toThrow(
      /nesterov needs/,
    );
    expect(() =>
      buildTrainingStep(g, { loss: 'loss', optimizer: { kind: 'rmsprop' } as unknown as OptimizerSpec }),
    ).toThrow(/optimizer.kind must be/);
    const step = buildTrainingStep(g, { loss: 'loss', optimizer: { kind: 'sgd' } });
    expect(() => initialStepState(step, new Map([['fc.weight', new Float32Array(12)]]))).toThrow(
      /parameter 'fc.bias' needs 3 values .* but it is missing/,
    );
  });

  it("loops batch norm's running statistics: each step folds the batch's statistics in (PyTorch momentum)", async () => {
    const b = new GraphBuilder();
    const h = b.batchNorm(b.input('x', [BATCH, IN]), { name: 'bn', momentum: 0.25 });
    const logits = b.dense(h, { name: 'fc', outFeatures: OUT });
    const graph = b.build([
      b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' }),
    ]);
    const step = buildTrainingStep(graph, { loss: 'loss', optimizer: { kind: 'sgd' } });
    expect(step.buffers.map((s) => s.spec.name)).toEqual(['bn.runningMean', 'bn.runningVar']);
    expect(step.loop['bn.runningMean.next']).toBe('bn.runningMean');
    expect(step.loop['bn.runningVar.next']).toBe('bn.runningVar');
    const session = await Session.create(step.model.toBytes());
    sessions.push(session);
    const init = new Map([
      ['bn.gamma', new Float32Array(IN).fill(1)],
      ['bn.beta', new Float32Array(IN)],
      ['bn.runningMean', Float32Array.from(wave(IN, 3, 1))],
      ['bn.runningVar', new Float32Array(IN).fill(2)],
      ['fc.weight', Float32Array.from(wave(IN * OUT, 1, 0.6))],
      ['fc.bias', new Float32Array(OUT)],
    ]);
    const runner = new FeedbackRunner(session, step.loop, initialStepState(step, init));
    let mean = Array.from(init.get('bn.runningMean') as Float32Array);
    let variance = Array.from(init.get('bn.runningVar') as Float32Array);
    for (let k = 0; k < 2; k++) {
      const { x, labels } = batch(k);
      await runner.step(
        {
          x: float32([N, IN], x),
          labels: int64([N], labels),
          [LEARNING_RATE_INPUT]: float32([], [0.1]),
        },
        step.fetches,
      );
      // The reference: per feature, the batch mean and the unbiased (n - 1) variance.
      const cols = Array.from({ length: IN }, (_, c) => x.filter((_, i) => i % IN === c));
      const mu = cols.map((v) => v.reduce((a, q) => a + q, 0) / N);
      const unbiased = cols.map((v, c) => v.reduce((a, q) => a + (q - (mu[c] as number)) ** 2, 0) / (N - 1));
      mean = mean.map((r, c) => 0.75 * r + 0.25 * (mu[c] as number));
      variance = variance.map((r, c) => 0.75 * r + 0.25 * (unbiased[c] as number));
      const state = runner.state();
      Array.from(state['bn.runningMean']?.data as Float32Array).forEach((v, c) =>
        expect(v).toBeCloseTo(mean[c] as number, 5),
      );
      Array.from(state['bn.runningVar']?.data as Float32Array).forEach((v, c) =>
        expect(v).toBeCloseTo(variance[c] as number, 5),
      );
    }
  });
});
