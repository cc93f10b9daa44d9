import { api, subscribe } from './api.js';
import type { ExperimentSummary } from './api-types.js';
import { h, replace } from './dom.js';
import { formatDate, formatNumber } from './format.js';
import { coalesce } from './refresh.js';
import { showError } from './status.js';

function row(e: ExperimentSummary): HTMLElement {
  const link = h('a', { href: `#/experiments/${encodeURIComponent(e.id)}` }, e.name);
  const tr = h(
    'tr',
    { 'data-experiment-id': e.id, class: 'link-row' },
    h('td', { class: 'num' }, e.id),
    h('td', {}, link),
    h('td', {}, e.strategy),
    h('td', {}, e.space),
    h('td', {}, h('span', { class: `badge state-${e.state}` }, e.state)),
    h('td', { class: 'num' }, e.complete === e.trials ? String(e.trials) : `${e.complete} / ${e.trials}`),
    h(
      'td',
      { class: 'num', title: e.signal === null ? undefined : `${e.signal} (${e.direction ?? '?'})` },
      formatNumber(e.best),
    ),
    h('td', {}, formatDate(e.createdAt)),
  );
  // The whole row is the link's target; the anchor stays for keyboard users and middle-clicks.
  tr.addEventListener('click', (event) => {
    if (event.target !== link) window.location.hash = link.getAttribute('href') ?? '#/';
  });
  return tr;
}

/** The experiments list, refetched whenever the server says experiments or trials changed. */
export function mountListPage(root: HTMLElement): () => void {
  const body = h('tbody');
  const table = h(
    'table',
    { id: 'experiments-table', 'data-testid': 'experiments-table', class: 'data' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { class: 'num' }, 'id'),
        h('th', {}, 'name'),
        h('th', {}, 'strategy'),
        h('th', {}, 'space'),
        h('th', {}, 'state'),
        h('th', { class: 'num' }, 'trials'),
        h('th', { class: 'num' }, 'best'),
        h('th', {}, 'started'),
      ),
    ),
    body,
  );
  const empty = h(
    'p',
    { class: 'muted', hidden: true },
    'No experiments in this database yet: start one with naslab search.',
  );
  replace(
    root,
    h('section', { class: 'panel' }, h('h2', {}, 'Experiments'), h('div', { class: 'scroll' }, table), empty),
  );

  const refresh = coalesce(async () => {
    try {
      const experiments = await api.experiments();
      // Newest first: the run being watched is usually the latest.
      const sorted = [...experiments].sort(
        (a, b) => b.createdAt - a.createdAt || Number(b.id) - Number(a.id),
      );
      replace(body, ...sorted.map(row));
      empty.hidden = experiments.length > 0;
      showError(undefined);
    } catch (e) {
      showError(e);
    }
  });
  void refresh();
  return subscribe(undefined, () => void refresh());
}
