/**
 * naslab as a library (`import { search } from 'naslab'`): everything of 'naslab/browser' (contracts,
 * spaces, strategies, objectives, pruners, the network IR) plus what needs Node: searching from code
 * with your own evaluate function, running experiment configs as the CLI does, and the stores the CLI,
 * the dashboard and `naslab show` read.
 *
 * @packageDocumentation
 */
export * from './browser.js';

/** Search from code: your function scores each architecture; the CLI's runner does the rest. */
export {
  search,
  type EvaluateFunction,
  type SearchOptions,
  type SearchResult,
  type TrialContext,
} from './api/search.js';

/** Experiments from a config, exactly as `naslab run` and `naslab resume` run them. */
export { parseExperimentConfig, configToJson, type ExperimentConfig } from './runner/config.js';
export { loadConfigFile } from './runner/config-file.js';
export { resumeExperiment, startExperiment, type RunControls } from './runner/experiment.js';
export type { Budget, Reporter, RunSummary, StopReason } from './runner/reporter.js';
export { bestTrial } from './runner/best.js';

/** Where experiments live: a SQLite file (resumable after any crash) or memory. */
export type { ExperimentRecord, Storage } from './core/storage.js';
export { DEFAULT_DB_PATH, MEMORY_LOCATION, openStorage } from './storage/open.js';
export { MemoryStorage } from './storage/memory.js';
export { SqliteStorage } from './storage/sqlite.js';
