import type {
  ErrorInfo,
  IntermediateReport,
  Json,
  Metrics,
  Sample,
  StrategyState,
  TrialRecord,
  TrialState,
} from './types.js';

export type ExperimentState = 'running' | 'complete' | 'failed' | 'interrupted';

export interface ExperimentRecord {
  readonly id: string;
  readonly name: string;
  /** The validated experiment config, as JSON: enough to rebuild space, strategy and evaluator. */
  readonly config: Json;
  readonly state: ExperimentState;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface TrialFilter {
  readonly states?: readonly TrialState[];
}

export interface NewTrial {
  readonly sample: Sample;
  readonly key: string;
}

export interface TrialResult {
  readonly state: Exclude<TrialState, 'queued' | 'running'>;
  readonly metrics: Metrics;
  readonly score?: number;
  readonly cost: number;
  readonly error?: ErrorInfo;
}

/**
 * The single source of truth: a restarted runner rebuilds everything from it. Methods that take a
 * strategy state write it in the same transaction as the trial change, so a kill at any moment leaves
 * the trials and the strategy consistent with each other.
 */
export interface Storage {
  /** False for the in-memory store: the runner then skips serialising strategy state per trial. */
  readonly durable: boolean;
  createExperiment(name: string, config: Json): Promise<ExperimentRecord>;
  experiment(id: string): Promise<ExperimentRecord>;
  experiments(): Promise<readonly ExperimentRecord[]>;
  setExperimentState(id: string, state: ExperimentState): Promise<void>;
  /** Creates a trial in state 'running' with the next number. */
  createTrial(experimentId: string, trial: NewTrial, strategyState?: StrategyState): Promise<TrialRecord>;
  report(trialId: string, step: number, metrics: Metrics): Promise<void>;
  reports(trialId: string): Promise<readonly IntermediateReport[]>;
  finish(trialId: string, result: TrialResult, strategyState?: StrategyState): Promise<TrialRecord>;
  /** Puts a trial that was running when the process died back to 'queued' (resume). */
  requeue(trialId: string): Promise<void>;
  trials(experimentId: string, filter?: TrialFilter): Promise<readonly TrialRecord[]>;
  saveStrategyState(experimentId: string, state: StrategyState): Promise<void>;
  loadStrategyState(experimentId: string): Promise<StrategyState | undefined>;
  close(): Promise<void>;
}
