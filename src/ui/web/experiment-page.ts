import { api, ApiError, subscribe } from './api.js';
import type { ExperimentDetail, GraphView, ReportRow, TrialRow } from './api-types.js';
import { drawArchitecture } from './arch-viewer.js';
import { bestByTimePlot, bestByTrialPlot, controllerPlots, curvePlots, paretoPlot } from './charts.js';
import { h, replace } from './dom.js';
import { formatDate, formatNumber } from './format.js';
import { coalesce } from './refresh.js';
import { showError } from './status.js';
import { TrialsTable } from './trials-table.js';

function panel(
  title: string,
  id: string,
  ...extra: HTMLElement[]
): { section: HTMLElement; body: HTMLElement } {
  const body = h('div', { id, 'data-testid': id, class: 'charts' });
  return { section: h('section', { class: 'panel' }, h('h2', {}, title), ...extra, body), body };
}

function header(detail: ExperimentDetail): HTMLElement {
  const e = detail.experiment;
  const fact = (label: string, value: string) =>
    h('div', { class: 'fact' }, h('span', {}, label), h('b', {}, value));
  return h(
    'div',
    { class: 'experiment-head' },
    h('h1', {}, e.name, ' ', h('span', { class: `badge state-${e.state}` }, e.state)),
    h(
      'div',
      { class: 'facts' },
      fact('id', e.id),
      fact('strategy', e.strategy),
      fact('space', e.space),
      fact('evaluator', e.evaluator),
      fact('trials', `${e.complete} complete / ${e.trials}`),
      fact(e.signal === null ? 'best' : `best ${e.signal} (${e.direction ?? '?'})`, formatNumber(e.best)),
      fact('started', formatDate(e.createdAt)),
    ),
  );
}

/**
 * One experiment: header, trials table, best-so-far, the selected trial's architecture and learning
 * curve, Pareto front, controller and config. A `trials` event refetches the experiment and redraws in
 * place, keeping the selection and the table's sort and filter.
 */
export function mountExperimentPage(root: HTMLElement, experimentId: string): () => void {
  let detail: ExperimentDetail | undefined;
  let selectedId: string | undefined;
  let disposed = false;
  const graphs = new Map<string, GraphView>();
  const reports = new Map<string, readonly ReportRow[]>();

  const head = h('header', { class: 'page-head' });
  const table = new TrialsTable({ onSelect: (trial) => select(trial.id) });
  const best = panel('Best so far', 'best-plot');
  const selectedTitle = h('h2', {}, 'Selected trial');
  const selectedKey = h('p', { class: 'key muted' });
  const arch = h('div', { id: 'arch-viewer', 'data-testid': 'arch-viewer', class: 'arch-viewer' });
  const curve = h('div', { id: 'curve-plot', 'data-testid': 'curve-plot', class: 'charts' });
  const trialPanel = h(
    'section',
    { class: 'panel' },
    selectedTitle,
    selectedKey,
    h('div', { class: 'trial-views' }, arch, curve),
  );
  const pareto = panel('Pareto front', 'pareto-plot');
  const controller = panel('Controller', 'controller-plot');
  const config = h('pre', { id: 'config', 'data-testid': 'config', class: 'config' });
  pareto.section.hidden = true;
  controller.section.hidden = true;
  replace(
    root,
    h('p', {}, h('a', { href: '#/' }, '← all experiments')),
    head,
    best.section,
    table.element,
    trialPanel,
    pareto.section,
    controller.section,
    h('section', { class: 'panel' }, h('h2', {}, 'Config'), config),
  );

  const selectedTrial = (): TrialRow | undefined => detail?.trials.find((t) => t.id === selectedId);

  function drawCharts(): void {
    if (detail === undefined) return;
    const e = detail.experiment;
    const trial = selectedTrial();
    replace(
      best.body,
      bestByTrialPlot(detail.bestSoFar, detail.trials, e.signal, trial),
      bestByTimePlot(detail.bestSoFar, e.createdAt),
    );
    const objectives = detail.objectives ?? [];
    pareto.section.hidden = objectives.length < 2;
    if (objectives.length >= 2)
      replace(pareto.body, paretoPlot(detail.trials, objectives, detail.front ?? [], trial));
  }

  async function drawTrial(): Promise<void> {
    const trial = selectedTrial();
    if (trial === undefined || detail === undefined) {
      selectedTitle.textContent = 'Selected trial';
      replace(arch, h('p', { class: 'muted' }, 'Click a trial in the table to see its architecture.'));
      return;
    }
    selectedTitle.textContent = `Trial #${trial.number} (${trial.state})`;
    selectedKey.textContent = trial.key;
    const signal = detail.experiment.signal;
    try {
      let graph = graphs.get(trial.id);
      if (graph === undefined) {
        graph = await api.graph(experimentId, trial.id);
        graphs.set(trial.id, graph);
      }
      // A report can still arrive while the trial runs: only a finished trial's curve is cached.
      let curveRows = reports.get(trial.id);
      if (curveRows === undefined) {
        curveRows = await api.reports(experimentId, trial.id);
        if (trial.finishedAt !== undefined && trial.finishedAt !== null) reports.set(trial.id, curveRows);
      }
      if (disposed || trial.id !== selectedId) return;
      replace(arch, drawArchitecture(graph));
      const charts = curvePlots(curveRows, signal);
      replace(
        curve,
        ...(charts.length > 0
          ? charts
          : [h('p', { class: 'muted' }, 'This trial reported no learning curve.')]),
      );
    } catch (e) {
      if (disposed || trial.id !== selectedId) return;
      const why = e instanceof ApiError && e.status === 404 ? 'no graph for this architecture' : String(e);
      replace(arch, h('p', { class: 'muted' }, why));
    }
  }

  function select(id: string): void {
    selectedId = id;
    table.select(id);
    drawCharts();
    void drawTrial();
  }

  async function drawController(): Promise<void> {
    try {
      const points = await api.controller(experimentId);
      const charts = controllerPlots(points);
      if (disposed) return;
      controller.section.hidden = charts.length === 0;
      replace(controller.body, ...charts);
    } catch {
      // Strategies without a controller have nothing to show; the section stays hidden.
      controller.section.hidden = true;
    }
  }

  const refresh = coalesce(async () => {
    try {
      const next = await api.experiment(experimentId);
      if (disposed) return;
      const first = detail === undefined;
      detail = next;
      replace(head, header(next));
      document.title = `${next.experiment.name} · naslab`;
      if (first) config.textContent = JSON.stringify(next.experiment.config, null, 2);
      selectedId ??= next.experiment.bestTrialId ?? next.trials[next.trials.length - 1]?.id;
      table.update(next.trials, next.experiment.bestTrialId);
      table.select(selectedId);
      drawCharts();
      showError(undefined);
      await Promise.all([drawTrial(), drawController()]);
    } catch (e) {
      showError(e);
    }
  });
  void refresh();
  const unsubscribe = subscribe(experimentId, (event) => {
    if (event === 'trials' || event === 'experiments') void refresh();
  });
  return () => {
    disposed = true;
    unsubscribe();
  };
}
