import type { TrialRow } from './api-types.js';
import { h, replace } from './dom.js';
import { formatDuration, formatNumber } from './format.js';
import {
  filterTrials,
  sortTrials,
  trialColumns,
  trialStates,
  type Column,
  type SortSpec,
} from './trials-view.js';

export interface TrialsTableOptions {
  readonly onSelect: (trial: TrialRow) => void;
}

/**
 * The trials table with its state filter. It keeps its sort, filter and selection across `update`
 * calls, so a live refresh changes rows, never what the reader chose.
 */
export class TrialsTable {
  readonly element: HTMLElement;
  private readonly table = h('table', { id: 'trials-table', 'data-testid': 'trials-table', class: 'data' });
  private readonly filter = h('select', { id: 'state-filter', 'data-testid': 'state-filter' });
  private readonly count = h('span', { class: 'muted' });
  private sort: SortSpec = { column: 'number', descending: false };
  private state = '';
  private selectedId: string | undefined;
  private trials: readonly TrialRow[] = [];
  private bestId: string | null = null;

  constructor(private readonly options: TrialsTableOptions) {
    this.filter.addEventListener('change', () => {
      this.state = this.filter.value;
      this.render();
    });
    this.element = h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', {}, 'Trials'),
        h('label', {}, 'state ', this.filter),
        this.count,
      ),
      h('div', { class: 'scroll' }, this.table),
    );
  }

  update(trials: readonly TrialRow[], bestId: string | null): void {
    this.trials = trials;
    this.bestId = bestId;
    this.render();
  }

  select(id: string | undefined): void {
    this.selectedId = id;
    for (const row of this.table.querySelectorAll('tbody tr')) {
      row.classList.toggle('selected', row.getAttribute('data-trial-id') === id);
    }
  }

  private render(): void {
    const states = trialStates(this.trials);
    // A state chosen earlier stays in the list even if no trial has it now, so the choice is visible.
    if (this.state !== '' && !states.includes(this.state)) states.push(this.state);
    replace(
      this.filter,
      h('option', { value: '' }, 'all'),
      ...states.map((s) => h('option', { value: s, selected: s === this.state }, s)),
    );
    this.filter.value = this.state;

    const columns = trialColumns(this.trials);
    const rows = sortTrials(filterTrials(this.trials, this.state), columns, this.sort);
    this.count.textContent = `${rows.length} of ${this.trials.length}`;
    replace(
      this.table,
      h('thead', {}, h('tr', {}, ...columns.map((c) => this.header(c)))),
      h('tbody', {}, ...rows.map((t) => this.row(t, columns))),
    );
  }

  private header(column: Column): HTMLElement {
    const active = this.sort.column === column.id;
    const th = h(
      'th',
      {
        'data-column': column.id,
        class: column.kind === 'text' ? 'sortable' : 'sortable num',
        'aria-sort': active ? (this.sort.descending ? 'descending' : 'ascending') : 'none',
        title: 'sort by this column',
      },
      column.label,
      active ? (this.sort.descending ? ' ▼' : ' ▲') : '',
    );
    th.addEventListener('click', () => {
      // Numbers are usually wanted best-first: the first click on a metric sorts descending.
      this.sort = active
        ? { column: column.id, descending: !this.sort.descending }
        : { column: column.id, descending: column.kind === 'number' && column.id !== 'number' };
      this.render();
    });
    return th;
  }

  private row(trial: TrialRow, columns: readonly Column[]): HTMLElement {
    const classes = [`state-${trial.state}`];
    if (trial.id === this.selectedId) classes.push('selected');
    if (trial.id === this.bestId) classes.push('best');
    const tr = h(
      'tr',
      { 'data-trial-id': trial.id, class: classes.join(' ') },
      ...columns.map((c) => {
        const value = c.value(trial);
        if (c.kind === 'text') {
          return h(
            'td',
            { class: c.id === 'key' ? 'key' : '', title: String(value ?? '') },
            String(value ?? ''),
          );
        }
        const text =
          c.kind === 'duration'
            ? formatDuration(value as number | null)
            : formatNumber(value as number | null);
        return h('td', { class: 'num' }, text);
      }),
    );
    tr.addEventListener('click', () => this.options.onSelect(trial));
    return tr;
  }
}
