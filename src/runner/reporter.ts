import type { ExperimentRecord } from '../core/storage.js';
import type { Direction, Metrics, TrialRecord } from '../core/types.js';

export interface Budget {
  /** Number of evaluations (created trials). */
  readonly trials?: number;
  /** Simulated seconds (sum of evaluation costs; tabular benchmarks). */
  readonly simulatedSeconds?: number;
  /** Wall-clock seconds of this invocation. */
  readonly wallSeconds?: number;
}

export interface Progress {
  /** Share of the budget used, in [0, 1]: the largest of the three budget ratios. */
  readonly fraction: number;
  readonly trials: number;
  readonly simulatedSeconds: number;
  readonly wallSeconds: number;
  /** The best finished trial so far (highest score). */
  readonly best?: TrialRecord;
}

export interface RunInfo {
  readonly budget: Budget;
  /** True when the experiment already had trials (resume). */
  readonly resumed: boolean;
  /** The metric the strategy optimises, and its direction. */
  readonly signal: string;
  readonly direction: Direction;
}

export type StopReason = 'budget' | 'done' | 'exhausted' | 'aborted' | 'fatal';

export interface RunSummary {
  readonly experimentId: string;
  readonly stopReason: StopReason;
  readonly trials: number;
  readonly duplicates: number;
  readonly simulatedSeconds: number;
  readonly wallSeconds: number;
  readonly best?: TrialRecord;
}

/**
 * Every kind of output (console progress, JSON lines, the dashboard) implements the hooks it needs.
 * Hooks are synchronous and must be cheap: the runner calls them on its hot path.
 */
export interface Reporter {
  onExperimentStart?(experiment: ExperimentRecord, run: RunInfo): void;
  onTrialStart?(trial: TrialRecord): void;
  onTrialReport?(trial: TrialRecord, step: number, metrics: Metrics): void;
  onTrialEnd?(trial: TrialRecord, progress: Progress): void;
  /** A proposal repeated an evaluated architecture; its stored result was reused. */
  onDuplicate?(original: TrialRecord): void;
  onExperimentEnd?(summary: RunSummary): void;
}
