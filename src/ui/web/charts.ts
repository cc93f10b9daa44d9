import * as Plot from '@observablehq/plot';
import type { BestPoint, ControllerPoint, Objective, ReportRow, TrialRow } from './api-types.js';
import { timeUnit } from './format.js';

const WIDTH = 560;
const HEIGHT = 260;
const ACCENT = '#2563eb';
const MUTED = '#c2c8d0';
const SELECTED = '#dc2626';

type Chart = SVGSVGElement | HTMLElement;

interface Point {
  readonly x: number;
  readonly y: number;
}

/** The signal of every finished trial (faint) under the best-so-far step line, against trial number. */
export function bestByTrialPlot(
  best: readonly BestPoint[],
  trials: readonly TrialRow[],
  signal: string | null,
  selected: TrialRow | undefined,
): Chart {
  const dots = signal === null ? [] : signalPoints(trials, signal, (t) => t.number);
  const mine =
    selected === undefined || signal === null ? [] : signalPoints([selected], signal, (t) => t.number);
  return Plot.plot({
    width: WIDTH,
    height: HEIGHT,
    x: { label: 'trial', grid: true },
    y: { label: signal ?? 'best so far', grid: true, nice: true },
    marks: [
      Plot.dot(dots, { x: 'x', y: 'y', r: 2, fill: MUTED }),
      Plot.lineY(best, { x: 'number', y: 'best', curve: 'step-after', stroke: ACCENT, strokeWidth: 2 }),
      Plot.dot(mine, { x: 'x', y: 'y', r: 5, stroke: SELECTED, strokeWidth: 2 }),
    ],
  });
}

/** Best so far against wall time since the experiment started, in the unit the span reads best in. */
export function bestByTimePlot(best: readonly BestPoint[], startedAt: number): Chart {
  const span = best.length === 0 ? 0 : (best[best.length - 1]!.finishedAt - startedAt) / 1000;
  const unit = timeUnit(span);
  const points = best.map((p) => ({ x: (p.finishedAt - startedAt) / 1000 / unit.seconds, y: p.best }));
  return Plot.plot({
    width: WIDTH,
    height: HEIGHT,
    x: { label: `${unit.label} since start`, grid: true },
    y: { label: 'best so far', grid: true, nice: true },
    marks: [
      Plot.lineY(points, { x: 'x', y: 'y', curve: 'step-after', stroke: ACCENT, strokeWidth: 2 }),
      Plot.dot(points, { x: 'x', y: 'y', r: 2.5, fill: ACCENT }),
    ],
  });
}

function signalPoints(trials: readonly TrialRow[], metric: string, x: (t: TrialRow) => number): Point[] {
  const points: Point[] = [];
  for (const trial of trials) {
    const y = trial.metrics[metric];
    if (typeof y === 'number' && Number.isFinite(y)) points.push({ x: x(trial), y });
  }
  return points;
}

/**
 * One small plot per reported metric: losses and accuracies live on different scales, so they do not
 * share an axis. The signal comes first when the trial reports it.
 */
export function curvePlots(reports: readonly ReportRow[], signal: string | null): Chart[] {
  const names = [...new Set(reports.flatMap((r) => Object.keys(r.metrics)))];
  names.sort((a, b) => Number(b === signal) - Number(a === signal));
  return names.slice(0, 4).map((name) => {
    const points = reports.flatMap((r) => {
      const y = r.metrics[name];
      return typeof y === 'number' && Number.isFinite(y) ? [{ x: r.step, y }] : [];
    });
    return Plot.plot({
      width: WIDTH / 2,
      height: 200,
      x: { label: 'step', grid: true },
      y: { label: name, grid: true, nice: true },
      marks: [
        Plot.lineY(points, { x: 'x', y: 'y', stroke: ACCENT, strokeWidth: 1.5 }),
        Plot.dot(points, { x: 'x', y: 'y', r: 2, fill: ACCENT }),
      ],
    });
  });
}

/**
 * The RL controller over trials: reward against its baseline, the policy's entropy beside them, and for
 * a model-based strategy the surrogate's error on each trial and the trust placed in it.
 */
export function controllerPlots(points: readonly ControllerPoint[]): Chart[] {
  const series = (name: 'reward' | 'baseline') =>
    points.flatMap((p) => (typeof p[name] === 'number' ? [{ x: p.number, y: p[name], series: name }] : []));
  const rewards = [...series('reward'), ...series('baseline')];
  const entropy = points.flatMap((p) =>
    typeof p.entropy === 'number' ? [{ x: p.number, y: p.entropy }] : [],
  );
  const charts: Chart[] = [];
  if (rewards.length > 0) {
    charts.push(
      Plot.plot({
        width: WIDTH,
        height: HEIGHT,
        x: { label: 'trial', grid: true },
        y: { label: 'reward', grid: true, nice: true },
        color: { domain: ['reward', 'baseline'], range: [MUTED, ACCENT], legend: true },
        marks: [
          Plot.dot(
            rewards.filter((p) => p.series === 'reward'),
            { x: 'x', y: 'y', r: 2, fill: 'series' },
          ),
          Plot.lineY(
            rewards.filter((p) => p.series === 'baseline'),
            { x: 'x', y: 'y', stroke: 'series', strokeWidth: 2 },
          ),
        ],
      }),
    );
  }
  if (entropy.length > 0) {
    charts.push(
      Plot.plot({
        width: WIDTH / 2,
        height: HEIGHT,
        x: { label: 'trial', grid: true },
        y: { label: 'entropy', grid: true, nice: true },
        marks: [Plot.lineY(entropy, { x: 'x', y: 'y', stroke: '#7c3aed', strokeWidth: 1.5 })],
      }),
    );
  }
  const model = (name: 'surrogateError' | 'trust'): Point[] =>
    points.flatMap((p) => (typeof p[name] === 'number' ? [{ x: p.number, y: p[name] }] : []));
  const error = model('surrogateError');
  if (error.length > 0) {
    charts.push(
      Plot.plot({
        width: WIDTH / 2,
        height: HEIGHT,
        x: { label: 'trial', grid: true },
        y: { label: 'surrogate |error|', grid: true, nice: true },
        marks: [
          Plot.dot(error, { x: 'x', y: 'y', r: 2, fill: MUTED }),
          // The trend: a moving mean over 10 trials, so a model that learns shows a falling line.
          Plot.lineY(error, Plot.windowY({ k: 10, anchor: 'end' }, { x: 'x', y: 'y', stroke: '#059669' })),
        ],
      }),
    );
  }
  const trust = model('trust');
  if (trust.length > 0) {
    charts.push(
      Plot.plot({
        width: WIDTH / 2,
        height: HEIGHT,
        x: { label: 'trial', grid: true },
        y: { label: 'trust in the model', grid: true, domain: [0, 1] },
        marks: [Plot.lineY(trust, { x: 'x', y: 'y', stroke: '#d97706', strokeWidth: 1.5 })],
      }),
    );
  }
  return charts;
}

/**
 * The first two objectives of a multi-objective run: every finished trial, the Pareto front highlighted
 * and joined in order along the first objective.
 */
export function paretoPlot(
  trials: readonly TrialRow[],
  objectives: readonly Objective[],
  front: readonly string[],
  selected: TrialRow | undefined,
): Chart {
  const [a, b] = objectives as [Objective, Objective];
  const onFront = new Set(front);
  const points = trials.flatMap((t) => {
    const x = t.metrics[b.metric];
    const y = t.metrics[a.metric];
    return typeof x === 'number' && typeof y === 'number'
      ? [{ x, y, front: onFront.has(t.id), id: t.id }]
      : [];
  });
  const frontPoints = points.filter((p) => p.front).sort((p, q) => p.x - q.x);
  const mine = points.filter((p) => p.id === selected?.id);
  const arrow = (o: Objective) => (o.direction === 'maximize' ? '↑ higher is better' : '↓ lower is better');
  return Plot.plot({
    width: WIDTH,
    height: HEIGHT + 40,
    x: { label: `${b.metric} (${arrow(b).slice(2)})`, grid: true, nice: true },
    y: { label: `${a.metric} (${arrow(a).slice(2)})`, grid: true, nice: true },
    marks: [
      Plot.dot(
        points.filter((p) => !p.front),
        { x: 'x', y: 'y', r: 3, fill: MUTED },
      ),
      Plot.line(frontPoints, { x: 'x', y: 'y', stroke: ACCENT, strokeOpacity: 0.5 }),
      Plot.dot(frontPoints, { x: 'x', y: 'y', r: 4.5, fill: ACCENT, stroke: 'white' }),
      Plot.dot(mine, { x: 'x', y: 'y', r: 7, stroke: SELECTED, strokeWidth: 2 }),
    ],
  });
}
