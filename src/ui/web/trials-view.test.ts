import { describe, expect, it } from 'vitest';
import type { TrialRow } from './api-types.js';
import { formatDuration, formatNumber, timeUnit } from './format.js';
import { route } from './router.js';
import { filterTrials, metricNames, sortTrials, trialColumns, trialStates } from './trials-view.js';

const trial = (number: number, state: string, acc: number | null, seconds: number | null = 1): TrialRow => ({
  id: String(number + 10),
  number,
  key: `k${number}`,
  state,
  metrics: acc === null ? {} : { acc, params: 10 - number },
  score: acc,
  createdAt: 0,
  seconds,
});

const trials = [
  trial(0, 'complete', 80),
  trial(1, 'failed', null),
  trial(2, 'complete', 90),
  trial(3, 'running', null, null),
  trial(4, 'complete', 80),
];
const columns = trialColumns(trials);
const numbers = (rows: readonly TrialRow[]) => rows.map((t) => t.number);

describe('trials table logic', () => {
  it('has a column per metric, in first-seen order, between the score and the duration', () => {
    expect(metricNames(trials)).toEqual(['acc', 'params']);
    expect(columns.map((c) => c.id)).toEqual([
      'number',
      'state',
      'score',
      'metric:acc',
      'metric:params',
      'seconds',
      'key',
    ]);
  });

  it('sorts either way with missing values last and ties in trial order', () => {
    expect(numbers(sortTrials(trials, columns, { column: 'metric:acc', descending: true }))).toEqual([
      2, 0, 4, 1, 3,
    ]);
    expect(numbers(sortTrials(trials, columns, { column: 'metric:acc', descending: false }))).toEqual([
      0, 4, 2, 1, 3,
    ]);
    expect(numbers(sortTrials(trials, columns, { column: 'state', descending: false }))).toEqual([
      0, 2, 4, 1, 3,
    ]);
    expect(numbers(sortTrials(trials, columns, { column: 'seconds', descending: true }))).toEqual([
      0, 1, 2, 4, 3,
    ]);
    // A column that no longer exists falls back to the first (trial number).
    expect(numbers(sortTrials(trials, columns, { column: 'metric:gone', descending: false }))).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });

  it('filters by state and lists the states present in a fixed order', () => {
    expect(trialStates(trials)).toEqual(['running', 'complete', 'failed']);
    expect(numbers(filterTrials(trials, 'complete'))).toEqual([0, 2, 4]);
    expect(numbers(filterTrials(trials, ''))).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('formatting and routes', () => {
  it('formats numbers to five significant digits and durations in a readable unit', () => {
    expect([formatNumber(89.30666665), formatNumber(0.344346), formatNumber(30), formatNumber(null)]).toEqual(
      ['89.307', '0.34435', '30', '—'],
    );
    expect(formatNumber(1234567.8)).toBe('1234568');
    expect([
      formatDuration(0.0042),
      formatDuration(12.34),
      formatDuration(125),
      formatDuration(7380),
    ]).toEqual(['4 ms', '12.3 s', '2 min 5 s', '2 h 3 min']);
    // Rounding never shows 60 of a unit: it carries into the next one.
    expect([0.9996, 59.96, 179.6, 3599.6, 7199].map(formatDuration)).toEqual([
      '1.0 s',
      '1 min 0 s',
      '3 min 0 s',
      '1 h 0 min',
      '2 h 0 min',
    ]);
    expect([timeUnit(10).label, timeUnit(600).label, timeUnit(20000).label]).toEqual([
      'seconds',
      'minutes',
      'hours',
    ]);
  });

  it('routes #/experiments/:id to the experiment and anything else to the list', () => {
    expect(route('#/experiments/12')).toEqual({ page: 'experiment', id: '12' });
    expect(route('#/experiments/a%20b/trials')).toEqual({ page: 'experiment', id: 'a b' });
    expect(route('#/')).toEqual({ page: 'list' });
    expect(route('')).toEqual({ page: 'list' });
  });
});
