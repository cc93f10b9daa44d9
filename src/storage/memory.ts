import { NotFoundError, StorageError } from '../core/errors.js';
import type {
  ExperimentRecord,
  ExperimentState,
  NewTrial,
  Storage,
  TrialFilter,
  TrialResult,
} from '../core/storage.js';
import type { IntermediateReport, Json, Metrics, StrategyState, TrialRecord } from '../core/types.js';
import { alreadyFinished, frozenJsonCopy, isOpenTrialState } from './records.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface ExperimentEntry {
  readonly id: string;
  readonly name: string;
  readonly config: Json;
  readonly createdAt: number;
  state: ExperimentState;
  updatedAt: number;
  strategyState: StrategyState | undefined;
  readonly trials: TrialEntry[];
}

interface TrialEntry {
  /** Frozen: handed out as is, replaced (never mutated) on each change. */
  record: TrialRecord;
  readonly experiment: ExperimentEntry;
  reports: Map<number, IntermediateReport> | undefined;
}

function frozenMetrics(metrics: Metrics): Metrics {
  return Object.freeze({ ...metrics });
}

/**
 * The in-memory store for `naslab bench` and tests. It sits on the hot path (tens of thousands of trials
 * per second), so records are frozen once when written and handed out without copying; only inputs are
 * copied, so a caller mutating what it passed in cannot reach into the store.
 */
export class MemoryStorage implements Storage {
  readonly durable = false;
  private readonly experimentsById = new Map<string, ExperimentEntry>();
  private readonly trialsById = new Map<string, TrialEntry>();
  private lastExperimentId = 0;
  private lastTrialId = 0;
  private closed = false;

  async createExperiment(name: string, config: Json): Promise<ExperimentRecord> {
    this.assertOpen();
    const now = Date.now();
    const entry: ExperimentEntry = {
      id: String(++this.lastExperimentId),
      name,
      config: frozenJsonCopy(config, `the config of experiment "${name}"`),
      createdAt: now,
      state: 'running',
      updatedAt: now,
      strategyState: undefined,
      trials: [],
    };
    this.experimentsById.set(entry.id, entry);
    return experimentRecord(entry);
  }

  async experiment(id: string): Promise<ExperimentRecord> {
    return experimentRecord(this.experimentEntry(id));
  }

  async experiments(): Promise<readonly ExperimentRecord[]> {
    this.assertOpen();
    return Array.from(this.experimentsById.values(), experimentRecord);
  }

  async setExperimentState(id: string, state: ExperimentState): Promise<void> {
    const entry = this.experimentEntry(id);
    entry.state = state;
    entry.updatedAt = Date.now();
  }

  async createTrial(
    experimentId: string,
    trial: NewTrial,
    strategyState?: StrategyState,
  ): Promise<TrialRecord> {
    const experiment = this.experimentEntry(experimentId);
    // Copy the state first: if it is not JSON, nothing must have changed (as in SQLite's transaction).
    const savedState =
      strategyState && frozenJsonCopy(strategyState, `the strategy state of experiment ${experimentId}`);
    const now = Date.now();
    const record: TrialRecord = Object.freeze({
      id: String(++this.lastTrialId),
      experimentId,
      number: experiment.trials.length,
      sample: Object.freeze({ ...trial.sample }),
      key: trial.key,
      state: 'running',
      metrics: Object.freeze({}),
      cost: 0,
      createdAt: now,
    });
    const entry: TrialEntry = { record, experiment, reports: undefined };
    experiment.trials.push(entry);
    this.trialsById.set(record.id, entry);
    if (savedState) experiment.strategyState = savedState;
    experiment.updatedAt = now;
    return record;
  }

  async report(trialId: string, step: number, metrics: Metrics): Promise<void> {
    const entry = this.trialEntry(trialId);
    entry.reports ??= new Map();
    entry.reports.set(step, Object.freeze({ step, metrics: frozenMetrics(metrics) }));
  }

  async reports(trialId: string): Promise<readonly IntermediateReport[]> {
    const entry = this.trialEntry(trialId);
    if (entry.reports === undefined) return [];
    return [...entry.reports.values()].sort((a, b) => a.step - b.step);
  }

  async finish(trialId: string, result: TrialResult, strategyState?: StrategyState): Promise<TrialRecord> {
    const entry = this.trialEntry(trialId);
    const previous = entry.record;
    if (!isOpenTrialState(previous.state)) throw alreadyFinished(trialId, previous.state, 'finish');
    const experiment = entry.experiment;
    const savedState =
      strategyState && frozenJsonCopy(strategyState, `the strategy state of experiment ${experiment.id}`);
    const now = Date.now();
    const record: Mutable<TrialRecord> = {
      id: previous.id,
      experimentId: previous.experimentId,
      number: previous.number,
      sample: previous.sample,
      key: previous.key,
      state: result.state,
      metrics: frozenMetrics(result.metrics),
      cost: result.cost,
      createdAt: previous.createdAt,
      finishedAt: now,
    };
    // NaN is no score; SQLite cannot tell it from NULL either.
    if (result.score !== undefined && !Number.isNaN(result.score)) record.score = result.score;
    if (result.error)
      record.error = Object.freeze({ code: result.error.code, message: result.error.message });
    entry.record = Object.freeze(record);
    if (savedState) experiment.strategyState = savedState;
    experiment.updatedAt = now;
    return entry.record;
  }

  async requeue(trialId: string): Promise<void> {
    const entry = this.trialEntry(trialId);
    const state = entry.record.state;
    if (state === 'queued') return;
    if (state !== 'running') throw alreadyFinished(trialId, state, 'requeue');
    entry.record = Object.freeze({ ...entry.record, state: 'queued' });
  }

  async trials(experimentId: string, filter?: TrialFilter): Promise<readonly TrialRecord[]> {
    const experiment = this.experimentEntry(experimentId);
    const states = filter?.states;
    const out: TrialRecord[] = [];
    for (const entry of experiment.trials) {
      if (states === undefined || states.includes(entry.record.state)) out.push(entry.record);
    }
    return out;
  }

  async saveStrategyState(experimentId: string, state: StrategyState): Promise<void> {
    const experiment = this.experimentEntry(experimentId);
    experiment.strategyState = frozenJsonCopy(state, `the strategy state of experiment ${experimentId}`);
    experiment.updatedAt = Date.now();
  }

  async loadStrategyState(experimentId: string): Promise<StrategyState | undefined> {
    return this.experimentEntry(experimentId).strategyState;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.experimentsById.clear();
    this.trialsById.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('the in-memory storage is closed');
  }

  private experimentEntry(id: string): ExperimentEntry {
    this.assertOpen();
    const entry = this.experimentsById.get(id);
    if (entry === undefined) throw new NotFoundError(`no experiment with id ${JSON.stringify(id)} in memory`);
    return entry;
  }

  private trialEntry(id: string): TrialEntry {
    this.assertOpen();
    const entry = this.trialsById.get(id);
    if (entry === undefined) throw new NotFoundError(`no trial with id ${JSON.stringify(id)} in memory`);
    return entry;
  }
}

function experimentRecord(entry: ExperimentEntry): ExperimentRecord {
  return Object.freeze({
    id: entry.id,
    name: entry.name,
    config: entry.config,
    state: entry.state,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
  });
}
