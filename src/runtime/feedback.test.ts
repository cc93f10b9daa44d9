import { describe, expect, it } from 'vitest';
import { ModelBuilder, float32, int64 } from '../graph/onnx/index.js';
import { SessionError } from './errors.js';
import { FeedbackRunner } from './feedback.js';
import { Session } from './session.js';

/** One gradient step on 0.5 * |w - target|^2 per run: w' = w - lr * (w - target); step' = step + 1 (int64). */
function buildStepModel(lr: number): Uint8Array {
  const b = new ModelBuilder({ name: 'sgd_step' });
  const w = b.input('w', 'float32', [3]);
  const target = b.input('target', 'float32', [3]);
  const step = b.input('step', 'int64', []);
  const grad = b.op('Sub', [w, target]);
  const scaled = b.op('Mul', [grad, b.initializer('lr', float32([], [lr]))]);
  b.node('Sub', [w, scaled], ['w_next']);
  b.node('Add', [step, b.initializer('one', int64([], [1]))], ['step_next']);
  b.node('ReduceSumSquare', [grad], ['loss'], {});
  b.output('w_next', 'float32', [3]);
  b.output('step_next', 'int64', []);
  b.output('loss', 'float32', []);
  return b.toBytes();
}

describe('FeedbackRunner', () => {
  it('feeds updated weights and the int64 step back, matching the closed form', async () => {
    const lr = 0.25;
    const session = await Session.create(buildStepModel(lr));
    try {
      const w0 = [1, -2, 3];
      const t = [0.5, 0.5, -1];
      const runner = new FeedbackRunner(
        session,
        { w_next: 'w', step_next: 'step' },
        { w: float32([3], w0), step: int64([], [0]) },
      );
      let loss = Infinity;
      for (let k = 0; k < 10; k++) {
        const out = await runner.step({ target: float32([3], t) });
        const l = (out.loss?.data as Float32Array)[0] ?? NaN;
        expect(l).toBeLessThan(loss); // strictly decreasing: the state really advances
        loss = l;
      }
      const state = runner.state();
      const w = Array.from(state.w?.data as Float32Array);
      w.forEach((v, i) =>
        expect(v).toBeCloseTo((t[i] ?? 0) + ((w0[i] ?? 0) - (t[i] ?? 0)) * (1 - lr) ** 10, 6),
      );
      expect(state.step?.data).toEqual(BigInt64Array.from([10n]));
    } finally {
      await session.dispose();
    }
  });

  it('always fetches the looped outputs, even when step() asks for others only', async () => {
    const session = await Session.create(buildStepModel(0.5));
    try {
      const runner = new FeedbackRunner(
        session,
        { w_next: 'w', step_next: 'step' },
        {
          w: float32([3], [2, 2, 2]),
          step: int64([], [5]),
        },
      );
      await runner.step({ target: float32([3]) }, ['loss']);
      expect(Array.from(runner.state().w?.data as Float32Array)).toEqual([1, 1, 1]);
      expect(runner.state().step?.data).toEqual(BigInt64Array.from([6n]));
    } finally {
      await session.dispose();
    }
  });

  it('rejects bad loops with errors naming the tensor', async () => {
    const session = await Session.create(buildStepModel(0.5));
    try {
      const init = { w: float32([3]), step: int64([], [0]) };
      expect(() => new FeedbackRunner(session, { nope: 'w' }, init)).toThrow(/'nope' is not a model output/);
      expect(() => new FeedbackRunner(session, { w_next: 'x' }, init)).toThrow(
        /'x' \(fed by 'w_next'\) is not a model input/,
      );
      expect(() => new FeedbackRunner(session, { w_next: 'w', step_next: 'step' }, { w: init.w })).toThrow(
        /no initial value for looped input 'step'/,
      );
      const runner = new FeedbackRunner(session, { w_next: 'w', step_next: 'step' }, init);
      await expect(runner.step({ target: float32([3]), w: float32([3]) })).rejects.toThrow(SessionError);
      await expect(runner.step({ target: float32([3]), w: float32([3]) })).rejects.toThrow(
        /'w' is looped state/,
      );
    } finally {
      await session.dispose();
    }
  });

  it('rejects bad step feeds and fetches, naming them', async () => {
    const session = await Session.create(buildStepModel(0.5));
    try {
      const runner = new FeedbackRunner(
        session,
        { w_next: 'w', step_next: 'step' },
        { w: float32([3]), step: int64([], [0]) },
      );
      await expect(runner.step({})).rejects.toThrow(/missing feed\(s\) 'target'/);
      await expect(runner.step({ target: float32([3]), extra: float32([1]) })).rejects.toThrow(
        /feed 'extra' is not a model input/,
      );
      await expect(runner.step({ target: float32([2]) })).rejects.toThrow(SessionError);
      await expect(runner.step({ target: float32([3]) }, ['nope'])).rejects.toThrow(
        /fetch 'nope' is not a model output/,
      );
      // The failed steps left the state alone.
      expect(runner.state().step?.data).toEqual(BigInt64Array.from([0n]));
    } finally {
      await session.dispose();
    }
  });

  it('returns just the fetched outputs, and state() snapshots that later steps do not overwrite', async () => {
    const session = await Session.create(buildStepModel(0.5));
    try {
      const runner = new FeedbackRunner(
        session,
        { w_next: 'w', step_next: 'step' },
        { w: float32([3], [4, 4, 4]), step: int64([], [0]) },
      );
      const fetches = ['loss'];
      const out = await runner.step({ target: float32([3]) }, fetches);
      expect(Object.keys(out)).toEqual(['loss']);
      expect(out.loss?.data).toEqual(Float32Array.from([48]));
      const after1 = runner.state();
      expect(Array.from(after1.w?.data as Float32Array)).toEqual([2, 2, 2]);
      // The same list again (its looped outputs are cached by identity), then every output.
      await runner.step({ target: float32([3]) }, fetches);
      const all = await runner.step({ target: float32([3]) });
      expect(Object.keys(all).sort()).toEqual(['loss', 'step_next', 'w_next']);
      expect(Array.from(all.w_next?.data as Float32Array)).toEqual([0.5, 0.5, 0.5]);
      expect(Array.from(after1.w?.data as Float32Array)).toEqual([2, 2, 2]);
      expect(runner.state().step?.data).toEqual(BigInt64Array.from([3n]));
    } finally {
      await session.dispose();
    }
  });
});
