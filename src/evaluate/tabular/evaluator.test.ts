import { describe, expect, it } from 'vitest';
import { InvalidArchitectureError } from '../../core/errors.js';
import type { TrialHandle } from '../../core/evaluator.js';
import { TabularEvaluator } from './evaluator.js';

const handle = (key: string): TrialHandle => ({
  id: 't',
  key,
  sample: {},
  report: async () => {},
  shouldStop: () => false,
});
const signal = new AbortController().signal;

describe('TabularEvaluator', () => {
  const evaluator = new TabularEvaluator({
    benchmark: 'toy',
    keys: ['a', 'b', 'c'],
    signal: { name: 'acc', values: [0.5, NaN, 0.9] },
    direction: 'maximize',
    metrics: [
      { name: 'acc', values: [0.5, NaN, 0.9] },
      { name: 'test', values: [0.4, 0.3, NaN] },
    ],
    cost: [10, 20, 30],
  });

  it('returns the row metrics (signal included once) and its cost', async () => {
    const result = await evaluator.evaluate(null, handle('c'), signal);
    expect(result.metrics).toEqual({ acc: 0.9, test: NaN });
    expect(Object.keys(result.metrics)).toEqual(['acc', 'test']);
    expect(result.cost).toBe(30);
    expect(evaluator.signal).toBe('acc');
    expect(evaluator.direction).toBe('maximize');
  });

  it('hands out the same frozen object on every call', async () => {
    const first = await evaluator.evaluate(null, handle('a'), signal);
    expect(await evaluator.evaluate(null, handle('a'), signal)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.metrics)).toBe(true);
  });

  it('treats a missing row as an invalid architecture', async () => {
    await expect(evaluator.evaluate(null, handle('zz'), signal)).rejects.toThrow(InvalidArchitectureError);
    await expect(evaluator.evaluate(null, handle('zz'), signal)).rejects.toThrow(
      'toy: no row for architecture zz in the table',
    );
  });

  it('treats a NaN signal as an invalid architecture', async () => {
    await expect(evaluator.evaluate(null, handle('b'), signal)).rejects.toThrow(InvalidArchitectureError);
    await expect(evaluator.evaluate(null, handle('b'), signal)).rejects.toThrow(
      'toy: the table has no acc for b (empty or nan)',
    );
    expect(evaluator.lookup('b')).toBeUndefined();
  });

  it('applies one constant cost to every row', async () => {
    const constant = new TabularEvaluator({
      benchmark: 'k',
      keys: ['x'],
      signal: { name: 's', values: [1] },
      direction: 'minimize',
      metrics: [],
      cost: 1,
    });
    expect(await constant.evaluate(null, handle('x'), signal)).toEqual({ metrics: { s: 1 }, cost: 1 });
    expect(constant.direction).toBe('minimize');
  });
});
