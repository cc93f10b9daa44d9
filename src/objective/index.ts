// Objectives: several metrics per trial, Pareto fronts, hypervolume, scalarisations and constraints.
export {
  objectiveListSchema,
  objectiveSchema,
  objectivesSchema,
  parseObjectives,
  toMinimization,
  type Objective,
} from './objectives.js';
export { crowdingDistance, dominates, nonDominatedSort, paretoFront } from './pareto.js';
export { crowdedBetter, crowdedSelection, rankAndCrowding, type RankAndCrowding } from './crowded.js';
export { hypervolume } from './hypervolume.js';
export { paretoTrials } from './front.js';
export {
  MNAS_HARD,
  MNAS_SOFT,
  mnasReward,
  mnasRewardOf,
  mnasRewardSchema,
  weightedSum,
  type MetricRange,
  type MnasExponents,
  type MnasRewardSpec,
  type WeightedObjective,
} from './scalarize.js';
export {
  constrainedReward,
  constraintSchema,
  feasible,
  parseConstraints,
  violation,
  type Constraint,
  type ConstraintPolicy,
} from './constraints.js';
