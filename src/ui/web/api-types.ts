/**
 * The dashboard server's JSON, as the browser reads it. Numbers a run has not produced yet are null (JSON
 * has no undefined), so every optional value is typed `| null` or optional.
 */

export type Direction = 'maximize' | 'minimize';

export interface ExperimentSummary {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly strategy: string;
  readonly space: string;
  readonly evaluator: string;
  /** The metric the search optimises, and which way; null when the server cannot tell. */
  readonly signal: string | null;
  readonly direction: Direction | null;
  readonly trials: number;
  readonly complete: number;
  readonly best: number | null;
  readonly bestTrialId: string | null;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

export interface Objective {
  readonly metric: string;
  readonly direction: Direction;
}

export interface TrialRow {
  readonly id: string;
  readonly number: number;
  readonly key: string;
  readonly state: string;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly score?: number | null;
  readonly createdAt: number;
  readonly finishedAt?: number | null;
  /** Wall seconds from creation to finish; null while running. */
  readonly seconds?: number | null;
}

export interface BestPoint {
  readonly number: number;
  readonly finishedAt: number;
  readonly best: number;
}

export interface ExperimentDetail {
  readonly experiment: ExperimentSummary & { readonly config: unknown };
  readonly objectives?: readonly Objective[];
  readonly trials: readonly TrialRow[];
  readonly bestSoFar: readonly BestPoint[];
  /** Trial ids on the Pareto front (multi-objective runs). */
  readonly front?: readonly string[];
}

export interface ReportRow {
  readonly step: number;
  readonly metrics: Readonly<Record<string, number | null>>;
}

export interface ControllerPoint {
  readonly number: number;
  readonly reward?: number | null;
  readonly baseline?: number | null;
  readonly entropy?: number | null;
  /** |predicted - actual| of the surrogate a model-based RL strategy learns from, on this trial. */
  readonly surrogateError?: number | null;
  /** How far the controller trusted the surrogate's predictions after this trial, in (0, 1]. */
  readonly trust?: number | null;
}

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly op?: string;
  /** The output shape ('N' is the batch), shown as a tooltip. */
  readonly shape?: readonly (number | string)[];
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
}

/** A trial's architecture: a whole network (ops as nodes) or a cell (states as nodes, ops on edges). */
export interface GraphView {
  readonly kind: 'network' | 'cell';
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}
