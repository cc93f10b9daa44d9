import type { TrialRow } from './api-types.js';

/** A trials-table column: its id (kept in the sort), header, and the value it sorts and shows. */
export interface Column {
  readonly id: string;
  readonly label: string;
  readonly value: (trial: TrialRow) => number | string | null;
  readonly kind: 'number' | 'text' | 'duration';
}

export interface SortSpec {
  readonly column: string;
  readonly descending: boolean;
}

/** Metric names in first-seen order, so columns stay put as trials arrive. */
export function metricNames(trials: readonly TrialRow[]): string[] {
  const names = new Set<string>();
  for (const trial of trials) for (const name of Object.keys(trial.metrics)) names.add(name);
  return [...names];
}

export function trialColumns(trials: readonly TrialRow[]): Column[] {
  return [
    { id: 'number', label: '#', kind: 'number', value: (t) => t.number },
    { id: 'state', label: 'state', kind: 'text', value: (t) => t.state },
    { id: 'score', label: 'score', kind: 'number', value: (t) => t.score ?? null },
    ...metricNames(trials).map((name): Column => ({
      id: `metric:${name}`,
      label: name,
      kind: 'number',
      value: (t) => t.metrics[name] ?? null,
    })),
    { id: 'seconds', label: 'duration', kind: 'duration', value: (t) => t.seconds ?? null },
    { id: 'key', label: 'architecture', kind: 'text', value: (t) => t.key },
  ];
}

function compare(a: number | string | null, b: number | string | null): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/**
 * Sorts by one column; missing values (a running trial's metrics) go last in either direction, and ties
 * keep trial order, so a live refresh does not shuffle equal rows.
 */
export function sortTrials(
  trials: readonly TrialRow[],
  columns: readonly Column[],
  sort: SortSpec,
): TrialRow[] {
  const column = columns.find((c) => c.id === sort.column) ?? columns[0];
  if (column === undefined) return [...trials];
  const sign = sort.descending ? -1 : 1;
  return [...trials].sort((a, b) => {
    const va = column.value(a);
    const vb = column.value(b);
    if (va === null || vb === null) {
      if (va === vb) return a.number - b.number;
      return va === null ? 1 : -1;
    }
    return sign * compare(va, vb) || a.number - b.number;
  });
}

/** The states present, for the filter's options (in a fixed, readable order). */
export function trialStates(trials: readonly TrialRow[]): string[] {
  const order = ['running', 'queued', 'complete', 'pruned', 'invalid', 'failed'];
  const present = new Set(trials.map((t) => t.state));
  return [...order.filter((s) => present.has(s)), ...[...present].filter((s) => !order.includes(s)).sort()];
}

export function filterTrials(trials: readonly TrialRow[], state: string): TrialRow[] {
  return state === '' ? [...trials] : trials.filter((t) => t.state === state);
}
