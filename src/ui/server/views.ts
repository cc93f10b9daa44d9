import type { SearchSpace } from '../../core/space.js';
import type { ExperimentRecord } from '../../core/storage.js';
import type { Metrics, TrialRecord } from '../../core/types.js';
import { bestTrial } from '../../runner/best.js';
import { paretoTrials } from '../../objective/index.js';
import type {
  BestPoint,
  ControllerPoint,
  ExperimentDetail,
  ExperimentSummary,
  GraphView,
  ReportRow,
  TrialRow,
} from '../web/api-types.js';
import { archView } from './arch-view.js';
import { experimentInfo, experimentSpace, type ExperimentInfo } from './experiment-info.js';
import type { ReadStore } from './read-store.js';

type ControllerMetric = Exclude<keyof ControllerPoint, 'number'>;

/**
 * The statistics a ControllerPoint carries: a record, so the compiler flags a statistic the API
 * declares and this list lacks.
 */
const CONTROLLER_METRICS = Object.keys({
  reward: true,
  baseline: true,
  entropy: true,
  surrogateError: true,
  trust: true,
} satisfies Record<ControllerMetric, true>) as ControllerMetric[];

/** The value shown for a trial: its signal metric, or its score when the signal is not known. */
function shownValue(trial: TrialRecord, info: ExperimentInfo): number {
  const value = info.signal === null ? undefined : trial.metrics[info.signal];
  return value !== undefined && Number.isFinite(value) ? value : (trial.score as number);
}

function trialRow(t: TrialRecord): TrialRow {
  return {
    id: t.id,
    number: t.number,
    key: t.key,
    state: t.state,
    metrics: t.metrics,
    score: t.score ?? null,
    createdAt: t.createdAt,
    finishedAt: t.finishedAt ?? null,
    seconds: t.finishedAt === undefined ? null : (t.finishedAt - t.createdAt) / 1000,
    cost: t.cost,
    error: t.error ?? null,
  };
}

/** After each complete trial (by number), the best value so far, as runner/best.ts ranks trials. */
export function bestSoFar(trials: readonly TrialRecord[], info: ExperimentInfo): BestPoint[] {
  const points: BestPoint[] = [];
  let best: TrialRecord | undefined;
  for (const t of trials) {
    // A complete trial always has its finish time: the store records it with the result.
    if (t.state !== 'complete' || t.score === undefined || t.finishedAt === undefined) continue;
    if (best === undefined || t.score > (best.score as number)) best = t;
    points.push({ number: t.number, finishedAt: t.finishedAt, best: shownValue(best, info) });
  }
  return points;
}

/**
 * The data behind the dashboard's API, read from the store in short read transactions. Configs never
 * change once stored, so what is worked out from one (labels, signal, space) is cached per experiment.
 */
export class DashboardData {
  private readonly infos = new Map<string, Promise<ExperimentInfo>>();
  private readonly spaces = new Map<string, Promise<SearchSpace<unknown>>>();

  constructor(readonly store: ReadStore) {}

  private info(record: ExperimentRecord, best: TrialRecord | undefined): Promise<ExperimentInfo> {
    // The creation time guards against a database replaced under the same path (ids start over).
    const cacheKey = `${record.id}@${record.createdAt}`;
    let info = this.infos.get(cacheKey);
    if (info === undefined) {
      info = experimentInfo(record, best);
      this.infos.set(cacheKey, info);
      info.catch(() => this.infos.delete(cacheKey));
    }
    return info;
  }

  private summary(
    record: ExperimentRecord,
    info: ExperimentInfo,
    counts: { trials: number; complete: number },
    best: TrialRecord | undefined,
  ): ExperimentSummary {
    return {
      id: record.id,
      name: record.name,
      state: record.state,
      strategy: info.strategy,
      space: info.space,
      evaluator: info.evaluator,
      signal: info.signal,
      direction: info.direction,
      trials: counts.trials,
      complete: counts.complete,
      best: best === undefined ? null : shownValue(best, info),
      bestTrialId: best?.id ?? null,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  async experiments(): Promise<ExperimentSummary[]> {
    const rows = await this.store.read('list experiments', () =>
      this.store.experimentsSync().map((record) => ({
        record,
        counts: this.store.countsSync(record.id),
        best: this.store.bestTrialSync(record.id),
      })),
    );
    return Promise.all(
      rows.map(async (r) => this.summary(r.record, await this.info(r.record, r.best), r.counts, r.best)),
    );
  }

  async experiment(id: string): Promise<ExperimentDetail> {
    const { record, trials } = await this.store.read(`read experiment ${id}`, () => ({
      record: this.store.experimentSync(id),
      trials: this.store.trialsSync(id),
    }));
    const best = bestTrial(trials);
    const info = await this.info(record, best);
    const counts = { trials: trials.length, complete: trials.filter((t) => t.state === 'complete').length };
    const detail: ExperimentDetail = {
      experiment: { ...this.summary(record, info, counts, best), config: record.config },
      trials: trials.map(trialRow),
      bestSoFar: bestSoFar(trials, info),
    };
    if (info.objectives === undefined) return detail;
    return {
      ...detail,
      objectives: info.objectives,
      front: paretoTrials(trials, info.objectives).map((t) => t.id),
    };
  }

  async reports(experimentId: string, trialId: string): Promise<ReportRow[]> {
    return this.store.read(`read the reports of trial ${trialId}`, () => {
      this.store.trialSync(experimentId, trialId);
      return this.store.reportsSync(trialId).map((r) => ({ step: r.step, metrics: r.metrics }));
    });
  }

  /**
   * The RL controller's statistics, one point per trial that carries any: from the strategy's
   * diagnostics, then the evaluator's latest report (enas reports its controller's `reward` and
   * `entropy` per epoch), then the trial's final metrics; a later source wins.
   */
  async controller(experimentId: string): Promise<ControllerPoint[]> {
    const { trials, reports } = await this.store.read(
      `read the controller of experiment ${experimentId}`,
      () => {
        this.store.experimentSync(experimentId);
        return {
          trials: this.store.trialsSync(experimentId),
          reports: this.store.controllerReportsSync(experimentId),
        };
      },
    );
    const points = new Map<number, Partial<Record<ControllerMetric, number>>>();
    const take = (number: number, metrics: Metrics): void => {
      for (const name of CONTROLLER_METRICS) {
        const value = metrics[name];
        if (value === undefined || !Number.isFinite(value)) continue;
        const point = points.get(number) ?? {};
        point[name] = value;
        points.set(number, point);
      }
    };
    for (const r of reports) take(r.number, r.report.metrics);
    for (const t of trials) take(t.number, t.metrics);
    return [...points.entries()].sort((a, b) => a[0] - b[0]).map(([number, point]) => ({ number, ...point }));
  }

  /** A trial's architecture as a DAG, decoded from its stored sample by the experiment's space. */
  async graph(experimentId: string, trialId: string): Promise<GraphView> {
    const { record, trial } = await this.store.read(`read trial ${trialId}`, () => ({
      record: this.store.experimentSync(experimentId),
      trial: this.store.trialSync(experimentId, trialId),
    }));
    const cacheKey = `${record.id}@${record.createdAt}`;
    let space = this.spaces.get(cacheKey);
    if (space === undefined) {
      space = this.info(record, undefined).then((info) => experimentSpace(info.config));
      this.spaces.set(cacheKey, space);
      space.catch(() => this.spaces.delete(cacheKey));
    }
    return archView((await space).decode(trial.sample));
  }
}
