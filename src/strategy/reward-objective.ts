import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Strategy, StrategyContext } from '../core/strategy.js';
import type { Metrics, Proposal, StrategyState, TrialRecord } from '../core/types.js';
import { constrainedReward, constraintSchema } from '../objective/constraints.js';
import { objectiveSchema, type Objective } from '../objective/objectives.js';
import { mnasRewardOf, mnasRewardSchema, weightedSum, type MetricRange } from '../objective/scalarize.js';

/**
 * What a search optimises when it is not the evaluator's signal alone: a scalarised reward (MnasNet's
 * ACC x (LAT/T)^w, or a MONAS-style weighted sum of several metrics) and hard constraints (RENA). It is
 * experiment-level, not a strategy option, because it defines the objective rather than the algorithm:
 * every strategy that learns from trial.score gets it unchanged, and `show`/`export` rank by it too.
 */
export const mnasRewardConfigSchema = mnasRewardSchema.extend({ type: z.literal('mnas') });

const weightedTermSchema = objectiveSchema.extend({
  weight: z.number().positive().describe('how much this metric counts'),
  min: z.number().optional().describe('the low end of the range the metric is normalised over'),
  max: z.number().optional().describe('the high end; without min and max the raw value is used'),
});

export const weightedRewardConfigSchema = z.strictObject({
  type: z.literal('weighted'),
  terms: z.array(weightedTermSchema).min(1),
});

export const rewardConfigSchema = z.discriminatedUnion('type', [
  mnasRewardConfigSchema,
  weightedRewardConfigSchema,
]);
export type RewardConfig = z.output<typeof rewardConfigSchema>;

const constraintsObjectSchema = z.strictObject({
  limits: z.array(constraintSchema).min(1),
  policy: z
    .enum(['penalize', 'reject'])
    .default('reject')
    .describe('reject: an infeasible trial counts as invalid; penalize: reward - penalty x excess'),
  penalty: z
    .number()
    .min(0)
    .default(1)
    .describe('reward units lost per 100% excess beyond a limit (e.g. 100 for accuracy in percent)'),
});

/** `constraints: [{ metric, max }]` (rejected when broken) or `{ limits: [...], policy, penalty }`. */
export const constraintsConfigSchema = z.preprocess(
  (value) => (Array.isArray(value) ? { limits: value } : value),
  constraintsObjectSchema,
);
export type ConstraintsConfig = z.output<typeof constraintsObjectSchema>;

/** The experiment-level objective: both parts optional; with neither, trial.score is the reward. */
export interface RewardObjective {
  readonly reward?: RewardConfig | undefined;
  readonly constraints?: ConstraintsConfig | undefined;
}

/** True when the objective changes anything: otherwise a search learns from trial.score as it is. */
export function hasRewardObjective(o: RewardObjective): boolean {
  return o.reward !== undefined || o.constraints !== undefined;
}

// Without a range a term is normalised over [0, 1], which leaves its value as it is (1 - value when
// minimised): the sum is then MONAS's raw weighted reward up to a constant.
const RAW: MetricRange = { min: 0, max: 1 };

/** The reward before constraints; undefined when a metric it needs is missing or unusable. */
function baseReward(metrics: Metrics, score: number | undefined, reward: RewardConfig | undefined) {
  if (reward === undefined) return score;
  if (reward.type === 'mnas') return mnasRewardOf(metrics, reward);
  const ranges: Record<string, MetricRange> = {};
  for (const t of reward.terms) {
    ranges[t.metric] = t.min !== undefined && t.max !== undefined ? { min: t.min, max: t.max } : RAW;
  }
  return weightedSum(metrics, reward.terms, ranges);
}

/**
 * A complete trial's reward under the objective (higher is better); undefined for a trial that is not
 * complete, lacks a metric the reward needs, or breaks a constraint under the `reject` policy.
 */
export function trialReward(trial: TrialRecord, objective: RewardObjective): number | undefined {
  if (trial.state !== 'complete') return undefined;
  const base = baseReward(trial.metrics, trial.score, objective.reward);
  if (base === undefined || !hasConstraints(objective)) return base;
  const c = objective.constraints as ConstraintsConfig;
  return constrainedReward(base, trial.metrics, c.limits, c.policy, c.penalty);
}

function hasConstraints(o: RewardObjective): boolean {
  return o.constraints !== undefined && o.constraints.limits.length > 0;
}

/** The metrics a reward trades off, as objectives: the axes of the front `show` prints for it. */
export function rewardObjectives(reward: RewardConfig): Objective[] {
  if (reward.type === 'mnas') {
    return [
      { metric: reward.accuracy, direction: 'maximize' },
      { metric: reward.latency, direction: 'minimize' },
    ];
  }
  return reward.terms.map((t) => ({ metric: t.metric, direction: t.direction }));
}

function rewardMetrics(reward: RewardConfig): string[] {
  return rewardObjectives(reward).map((o) => o.metric);
}

/**
 * Wraps any strategy so that it learns from the objective's reward instead of the raw signal: each told
 * trial's score is rewritten (a rejected one is told as invalid), and nothing else changes, so the
 * runner, storage and the inner strategy's saved state stay as they are. Invalid trials are told
 * `invalidReward`, or else the worst reward seen so far (as the runner does with raw scores), which is
 * recomputed from the history rather than saved, so resume needs no extra state.
 */
export class RewardStrategy implements Strategy {
  readonly name: string;
  private worst: number | undefined;
  /** How much of ctx.history the worst reward covers. */
  private seen = 0;

  constructor(
    readonly inner: Strategy,
    private readonly objective: RewardObjective,
    private readonly invalidReward?: number,
  ) {
    this.name = inner.name;
  }

  ask(ctx: StrategyContext): Promise<Proposal> {
    return this.inner.ask(ctx);
  }

  async tell(trial: TrialRecord, ctx: StrategyContext): Promise<void> {
    this.catchUp(ctx.history);
    await this.inner.tell(this.rescore(trial), ctx);
  }

  state(): StrategyState {
    return this.inner.state();
  }

  diagnostics(): Metrics | undefined {
    return this.inner.diagnostics?.();
  }

  restore(state: StrategyState): void {
    this.inner.restore(state);
    this.worst = undefined;
    this.seen = 0;
  }

  /** The trial as the inner strategy should see it. */
  rescore(trial: TrialRecord): TrialRecord {
    if (trial.state === 'failed' || trial.state === 'queued' || trial.state === 'running') return trial;
    if (trial.state === 'invalid') return { ...trial, score: this.invalidScore() };
    const base = baseReward(trial.metrics, trial.score, this.objective.reward);
    if (base === undefined) {
      // A pruned trial may stop before reporting every metric: it ranks with the invalid ones.
      if (trial.state === 'pruned') return { ...trial, score: this.invalidScore() };
      throw this.missingMetric(trial);
    }
    if (!hasConstraints(this.objective)) return { ...trial, score: base };
    const c = this.objective.constraints as ConstraintsConfig;
    const score = constrainedReward(base, trial.metrics, c.limits, c.policy, c.penalty);
    if (score === undefined) return { ...trial, state: 'invalid', score: this.invalidScore() };
    return { ...trial, score };
  }

  private invalidScore(): number {
    return this.invalidReward ?? this.worst ?? 0;
  }

  private catchUp(history: readonly TrialRecord[]): void {
    if (history.length < this.seen) {
      this.seen = 0;
      this.worst = undefined;
    }
    for (; this.seen < history.length; this.seen++) {
      const r = trialReward(history[this.seen] as TrialRecord, this.objective);
      if (r !== undefined && Number.isFinite(r) && (this.worst === undefined || r < this.worst))
        this.worst = r;
    }
  }

  private missingMetric(trial: TrialRecord): ConfigError {
    const reward = this.objective.reward as RewardConfig;
    const missing = rewardMetrics(reward).filter((m) => !Number.isFinite(trial.metrics[m] ?? NaN));
    const have = Object.keys(trial.metrics).join(', ') || 'none';
    return new ConfigError(
      `reward (${reward.type}): trial #${trial.number} has no usable ${missing.map((m) => `"${m}"`).join(', ')} ` +
        `(its metrics: ${have}); name metrics the evaluator reports in the config's reward` +
        (reward.type === 'mnas' ? ' (the latency must be positive)' : ''),
    );
  }
}

/** The strategy a run uses: wrapped when the objective changes the reward, else the strategy itself. */
export function withReward(inner: Strategy, objective: RewardObjective, invalidReward?: number): Strategy {
  return hasRewardObjective(objective) ? new RewardStrategy(inner, objective, invalidReward) : inner;
}
