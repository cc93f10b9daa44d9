/**
 * The dashboard's JSON API, declared once: the server (src/ui/server) builds these values and the
 * browser reads them. Types only, and browser-safe: the web bundle and the Node server both import it.
 *
 * JSON has no undefined, NaN or Infinity: a value a run has not produced yet is null, and JSON.stringify
 * writes a NaN or infinite number as null too, so a number that can be either is typed `| null`.
 */
import type { Direction, Json } from '../../core/types.js';

export type { Direction };

/** A row of GET /api/experiments (and of the `experiments` event). */
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
  /** The best trial's signal metric (its score when the signal is unknown); null before any completes. */
  readonly best: number | null;
  readonly bestTrialId: string | null;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Objective {
  readonly metric: string;
  readonly direction: Direction;
}

/** A trial as GET /api/experiments/:id lists it; the server sends every field. */
export interface TrialRow {
  readonly id: string;
  readonly number: number;
  readonly key: string;
  readonly state: string;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly score?: number | null;
  readonly createdAt: number;
  readonly finishedAt?: number | null;
  /** Wall seconds from creation to finish; null while unfinished. */
  readonly seconds?: number | null;
  /** Simulated seconds (tabular benchmarks); 0 when nothing is simulated, null when not known. */
  readonly cost?: number | null;
  /** Why an invalid or failed trial ended so; null otherwise. */
  readonly error?: { readonly code: string; readonly message: string } | null;
}

/** After each complete trial (by number), the best value so far. */
export interface BestPoint {
  readonly number: number;
  /** Epoch milliseconds: when that trial finished. */
  readonly finishedAt: number;
  readonly best: number;
}

/** GET /api/experiments/:id */
export interface ExperimentDetail {
  readonly experiment: ExperimentSummary & { readonly config: Json };
  readonly objectives?: readonly Objective[];
  readonly trials: readonly TrialRow[];
  readonly bestSoFar: readonly BestPoint[];
  /** Trial ids on the Pareto front (multi-objective runs). */
  readonly front?: readonly string[];
}

/** An element of GET /api/experiments/:id/trials/:trialId/reports: one intermediate report. */
export interface ReportRow {
  readonly step: number;
  readonly metrics: Readonly<Record<string, number | null>>;
}

/**
 * An element of GET /api/experiments/:id/controller: the statistics of a strategy's learner (or of an
 * evaluator's own controller) for one trial; a statistic the trial did not carry is left out.
 */
export interface ControllerPoint {
  readonly number: number;
  readonly reward?: number;
  readonly baseline?: number;
  readonly entropy?: number;
  /** |predicted - actual| of the surrogate a model-based RL strategy learns from, on this trial. */
  readonly surrogateError?: number;
  /** How far the controller trusted the surrogate's predictions after this trial, in (0, 1]. */
  readonly trust?: number;
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

/**
 * GET /api/experiments/:id/trials/:trialId/graph: a trial's architecture, a whole network (ops as
 * nodes, the IR or a layer chain) or a cell (states as nodes, ops on the edges: a NAS-Bench-201 cell).
 */
export interface GraphView {
  readonly kind: 'network' | 'cell';
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** Payload of the `trials` event of GET /api/events?experiment=ID: the experiment's counters. */
export interface TrialsEvent {
  readonly experimentId: string;
  readonly trials: number;
  readonly complete: number;
  readonly finished: number;
  readonly reports: number;
  readonly state: string;
}

/** Payload of the `experiments` event of GET /api/events: the list, as GET /api/experiments gives it. */
export interface ExperimentsEvent {
  readonly experiments: readonly ExperimentSummary[];
}
