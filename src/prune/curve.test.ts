import { describe, expect, it } from 'vitest';
import { ConfigError, FatalError } from '../core/errors.js';
import { prunerConfigSchema } from './config.js';
import { CurvePruner, type CurvePruningOptions } from './curve.js';
import { runCurve, trial } from './prune.testkit.js';
import { createPruning } from './registry.js';

const TARGET = 20;

/** A saturating accuracy curve a - b * step^-0.7 (pow3), for `steps` steps. */
const saturating = (a: number, b: number, steps = TARGET): number[] =>
  Array.from({ length: steps }, (_, i) => a - b * (i + 1) ** -0.7);

function pruner(options: Partial<CurvePruningOptions> = {}): CurvePruner {
  return new CurvePruner({ threshold: 0.05, minPoints: 3, targetStep: TARGET, seed: 0, ...options });
}

/** A pruner that has seen one completed trial run `reference` to the end. */
function withBest(reference = saturating(0.8, 0.4), options: Partial<CurvePruningOptions> = {}) {
  const p = pruner(options);
  expect(runCurve(p, trial(0), reference)).toBeUndefined();
  p.finish(trial(0), 'complete');
  return p;
}

describe('CurvePruner', () => {
  it('stops a curve that will not reach the best final value, at minPoints', () => {
    const p = withBest();
    expect(p.bestFinal).toBeCloseTo(0.8 - 0.4 * 20 ** -0.7, 12);
    // Heading for 0.5 against a best of ~0.77: stopped as soon as it is judged.
    expect(runCurve(p, trial(1), saturating(0.5, 0.3))).toBe(3);
    const d = p.decision(trial(1));
    expect(d?.reason).toBe('unlikely-to-beat-best');
    expect(d?.probability).toBeLessThan(0.05);
    expect(d?.prediction?.mean).toBeGreaterThan(0.4);
    expect(d?.prediction?.mean).toBeLessThan(0.6);
  });

  it('lets a curve that will beat the best run to the end', () => {
    const p = withBest();
    expect(runCurve(p, trial(1), saturating(0.9, 0.4))).toBeUndefined();
    expect(p.decision(trial(1))?.reason).toBe('complete');
  });

  it('judges nothing before minPoints reports, nor before a trial completed', () => {
    const early = withBest(undefined, { minPoints: 5 });
    expect(runCurve(early, trial(1), saturating(0.5, 0.3, 4))).toBeUndefined();
    expect(early.decision(trial(1))?.reason).toBe('too-few-points');
    expect(early.fits).toBe(0);
    // The same bad curve with no completed trial: there is no best to beat.
    const fresh = pruner();
    expect(runCurve(fresh, trial(1), saturating(0.5, 0.3))).toBeUndefined();
    expect(fresh.decision(trial(1))?.reason).toBe('no-best');
    expect(fresh.fits).toBe(0);
  });

  it('takes only completed trials as the best, at their last value', () => {
    const p = pruner();
    runCurve(p, trial(0), saturating(0.95, 0.4));
    p.finish(trial(0), 'pruned');
    runCurve(p, trial(1), saturating(0.9, 0.4, 5));
    p.finish(trial(1), 'failed');
    expect(p.bestFinal).toBeUndefined();
    // A completed trial's final value is its last, not its best.
    runCurve(p, trial(2), [0.3, 0.6, 0.4]);
    p.finish(trial(2), 'complete');
    expect(p.bestFinal).toBe(0.4);
  });

  it('fits at most once per report, lazily, and keeps a verdict once given', () => {
    const p = withBest();
    for (let step = 1; step <= 4; step++) {
      p.report(trial(1), step, saturating(0.9, 0.4)[step - 1]!);
      for (let ask = 0; ask < 3; ask++) p.shouldStop(trial(1));
    }
    expect(p.fits).toBe(2); // steps 3 and 4
    // Reports without a question fit nothing (a resumed run replays finished trials this way).
    for (let step = 1; step <= 10; step++) p.report(trial(2), step, 0.1);
    expect(p.fits).toBe(2);
    expect(p.shouldStop(trial(2))).toBe(true);
    p.report(trial(2), 11, 0.99);
    expect(p.shouldStop(trial(2))).toBe(true);
    expect(p.fits).toBe(3);
  });

  it('gives the same verdicts for the same reports', () => {
    const run = () => {
      const p = withBest();
      const noisy = saturating(0.78, 0.4).map((v, i) => v + (i % 2 === 0 ? 0.01 : -0.01));
      const stoppedAt = runCurve(p, trial(1), noisy);
      return { stoppedAt, probability: p.decision(trial(1))?.probability };
    };
    expect(run()).toEqual(run());
  });

  it('extrapolates curves reported at uneven steps', () => {
    const p = withBest();
    const curve = saturating(0.5, 0.3);
    for (const step of [2, 4, 6]) p.report(trial(1), step, curve[step - 1]!);
    expect(p.shouldStop(trial(1))).toBe(true);
    expect(p.decision(trial(1))?.prediction?.targetEpoch).toBe(TARGET);
  });

  it('maps a scaled metric onto [0, 1], and refuses an unscaled value outside it', () => {
    // Percentages: 80 of [0, 100] is 0.8.
    const pct = pruner({ scale: { min: 0, max: 100, direction: 'maximize' } });
    runCurve(pct, trial(0), [50, 70, 80]);
    pct.finish(trial(0), 'complete');
    expect(pct.bestFinal).toBeCloseTo(0.8, 12);
    // An error rate, minimized: the runner reports -0.25, which is accuracy-like 0.75.
    const err = pruner({ scale: { min: 0, max: 1, direction: 'minimize' } });
    runCurve(err, trial(0), [-0.5, -0.3, -0.25]);
    err.finish(trial(0), 'complete');
    expect(err.bestFinal).toBeCloseTo(0.75, 12);
    const plain = pruner({ metric: 'valid_pct' });
    expect(() => plain.report(trial(0), 1, 93.1)).toThrow(FatalError);
    expect(() => plain.report(trial(0), 1, 93.1)).toThrow(/pruner\.scale: .*"valid_pct" reported 93\.1/);
  });
});

describe('curve pruner config', () => {
  const train = { signal: 'valid_acc', direction: 'maximize' as const, steps: 6 };
  const build = (raw: object, evaluator: object = train) =>
    createPruning(
      prunerConfigSchema.parse({ type: 'curve', ...raw }),
      { ...train, ...evaluator },
      { seed: 1 },
    );

  it('defaults to threshold 0.05, minPoints 3 and the evaluator steps as the target', () => {
    const pruning = build({});
    expect(pruning?.pruner).toBeInstanceOf(CurvePruner);
    expect(pruning).toMatchObject({ metric: 'valid_acc', direction: 'maximize' });
    const options = (pruning?.pruner as CurvePruner).options;
    expect(options).toMatchObject({
      threshold: 0.05,
      minPoints: 3,
      targetStep: 6,
      seed: 1,
      weighting: 'bic',
    });
    expect(build({ targetStep: 12 })?.pruner).toMatchObject({ options: { targetStep: 12 } });
  });

  it('needs a target when the evaluator does not say its steps', () => {
    const run = () => build({}, { steps: undefined });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/pruner\.targetStep: .*set targetStep/);
    expect(build({ targetStep: 9 }, { steps: undefined })?.pruner).toBeInstanceOf(CurvePruner);
  });

  it('refuses a minimized metric without a scale', () => {
    const run = () => build({ metric: 'train_loss', direction: 'minimize' });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/pruner\.scale: .*"train_loss" is minimized/);
    const scaled = build({ metric: 'train_loss', direction: 'minimize', scale: { min: 0, max: 3 } });
    expect(scaled?.pruner).toMatchObject({ options: { scale: { min: 0, max: 3, direction: 'minimize' } } });
  });

  it('validates its fields', () => {
    const parse = (raw: object) => () => prunerConfigSchema.parse({ type: 'curve', ...raw });
    expect(parse({ threshold: 0 })).toThrow();
    expect(parse({ minPoints: 2 })).toThrow();
    expect(parse({ scale: { min: 1, max: 1 } })).toThrow(/scale\.max must be greater/);
    expect(parse({ families: ['nope'] })).toThrow();
    expect(parse({ extra: 1 })).toThrow();
    expect(parse({ families: ['pow3', 'weibull'], weighting: 'uniform' })).not.toThrow();
  });
});
