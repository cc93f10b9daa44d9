/**
 * naslab's isomorphic part (`import ... from 'naslab/browser'`): what runs in a browser or a worker as it
 * is, with no Node built-ins: the contracts, search spaces, every strategy behind ask/tell, multi-objective
 * tools, performance predictors, pruners and the network IR with its ONNX lowering. Running trials,
 * storing experiments and training on ONNX Runtime need Node: import those from 'naslab'.
 *
 * @packageDocumentation
 */

/** Errors with stable codes; what the runner does with each is documented on the class. */
export {
  ConfigError,
  FatalError,
  InvalidArchitectureError,
  NaslabError,
  NotFoundError,
  StorageError,
  TrialFailedError,
  isNaslabError,
} from './core/errors.js';
export type { ArchGraph, ArchNode, SearchSpace, SpaceSpec } from './core/space.js';
export type { Strategy, StrategyContext, StrategyInit } from './core/strategy.js';
export type { Evaluation, Evaluator, TrialHandle } from './core/evaluator.js';
export type {
  Choice,
  Decision,
  Direction,
  ErrorInfo,
  IntermediateReport,
  Json,
  Metrics,
  Proposal,
  Sample,
  StrategyState,
  TrialRecord,
  TrialState,
} from './core/types.js';
/** The seeded random generator every strategy draws from (xoshiro128**; its state is four words). */
export { Rng } from './core/rng.js';

/** Spaces: the registry (built-in types and your own), and walking any space's decision process. */
export { createSpace, registerSpace, spaceTypes, type SpaceBuilder } from './space/registry.js';
export { DeclaredSpace, declaredSpaceFromConfig } from './space/declared.js';
export { countArchitectures, enumerate, mutate, randomSample, validateSample, walk } from './space/walk.js';

/** Strategies: the registry (built-in ones and your own) and how to define one. */
export {
  createStrategy,
  describeStrategies,
  registerStrategy,
  strategyEntry,
  strategyNames,
  type OptionDescription,
  type StrategyDescription,
} from './strategy/registry.js';
export { defineStrategy, type StrategyEntry, type StrategyEvaluatorNeed } from './strategy/define.js';

/** Multi-objective search: dominance, fronts, crowding, hypervolume, scalarisations. */
export * from './objective/index.js';

/** Early stopping from intermediate reports. */
export * from './prune/index.js';

/** The network IR: build a network, count it, and lower it to an ONNX inference model. */
export * from './graph/index.js';
export { buildInferenceModel, lowerInference, type LowerInferenceOptions } from './graph/lower/index.js';
