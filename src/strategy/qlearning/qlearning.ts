import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type {
  Choice,
  Decision,
  Metrics,
  Proposal,
  Sample,
  StrategyState,
  TrialRecord,
} from '../../core/types.js';
import { defineStrategy } from '../define.js';
import {
  actionKeys,
  decisionState,
  replay,
  ReplayMemory,
  trajectory,
  type Episode,
  type StateOf,
  type Step,
} from './episode.js';
import { blockqnnOptions, qlearningOptions, resolveQLearning, type QLearningConfig } from './options.js';
import { metaqnnEpsilon, scheduledEpsilon } from './schedule.js';
import { earlyStopPenalty, type EarlyStopShaping } from './shaping.js';
import { qKey, QTable } from './table.js';
import { RunningRange } from '../reward.js';
import { guideStateShape, ModelGuide } from '../model/guide.js';
import { SortedScores } from '../model/rank.js';
import { encodeScore, readState, rngStateSchema, sampleSchema, scoreSchema } from '../saved-state.js';

const VERSION = 1;

const stateSchema = z.strictObject({
  rng: rngStateSchema,
  range: z.union([z.null(), z.tuple([z.number(), z.number()])]),
  table: z.strictObject({ keys: z.array(z.string()), values: z.string() }),
  /** Oldest first. */
  replay: z.array(z.strictObject({ sample: sampleSchema, score: scoreSchema, penalty: z.number() })),
  ...guideStateShape,
  pending: z.array(z.string()),
});

/** Fresh episodes tried before giving up on finding an architecture not yet evaluated. */
const FRESH_TRIES = 10;

/**
 * Tabular Q-learning over the decision sequence with epsilon-greedy exploration and experience replay
 * (MetaQNN, Baker et al. 2017); `blockqnn` is the same agent with BlockQNN's reward shaping (Zhong et al.
 * 2018) and, on a cell space, the cell-structure state. Episodes are independent, so every ask proposes
 * at once whatever is in flight; a result is matched to its episode through its sample, which determines
 * the whole trajectory.
 *
 * The sample-efficient variant (the default) adds, without changing the agent: rewards as ranks among
 * the results so far (reward=rank), no credit for a re-told architecture and no re-proposal of one
 * while a fresh episode turns up, and a model (Dyna-style): after each result, `imagined` episodes of
 * the current epsilon-greedy policy are replayed with the surrogate's predicted reward, at a learning
 * rate scaled by how far the surrogate is trusted; and each proposal is the best by Thompson sampling of
 * `candidates` epsilon-greedy episodes.
 */
export class QLearningStrategy implements Strategy {
  private readonly table: QTable;
  private readonly memory: ReplayMemory;
  private range = new RunningRange();
  private readonly stateOf: StateOf;
  private readonly guide: ModelGuide;
  /** Every scored result, sorted (rank rewards). */
  private readonly scores = new SortedScores();
  private last: Metrics | undefined;
  /** Proposals not told yet (efficient variant: kept out of the next proposals). */
  private readonly pending = new Set<string>();

  constructor(
    readonly name: string,
    private readonly space: SearchSpace<unknown>,
    private readonly config: QLearningConfig,
    private readonly rng: Rng,
  ) {
    this.table = new QTable(config.qInit, config.tableSize);
    this.memory = new ReplayMemory(config.replaySize);
    this.guide = new ModelGuide(space, config.model, config.initial);
    const agentState = space.agentState?.bind(space);
    if (config.state === 'space' && agentState === undefined) {
      throw new ConfigError(
        `strategy "${name}": option state=space needs a space with its own agent state, and space ` +
          `"${space.name}" has none; use state=auto or state=decision`,
      );
    }
    this.stateOf =
      config.state !== 'decision' && agentState !== undefined
        ? (prefix) => agentState(prefix)
        : decisionState;
  }

  /** Epsilon at a budget share. */
  epsilon(progress: number): number {
    const { schedule, warmup } = this.config;
    return schedule.length > 0 ? scheduledEpsilon(progress, schedule) : metaqnnEpsilon(progress, warmup);
  }

  ask(ctx: StrategyContext): Promise<Proposal> {
    const epsilon = this.epsilon(ctx.progress);
    if (ctx.running === 0) this.pending.clear();
    const fresh = (key: string) => !this.guide.has(key) && !this.pending.has(key);
    let sample: Sample | undefined;
    if (this.guide.ready(this.rng)) {
      const seen = new Set<string>();
      const pool: Sample[] = [];
      for (let i = 0; i < this.config.candidates; i++) {
        const episode = this.episode(epsilon);
        const key = this.space.key(episode);
        if (seen.has(key) || !fresh(key)) continue;
        seen.add(key);
        pool.push(episode);
      }
      const pick = this.guide.pick(pool, this.rng);
      if (pick >= 0) sample = pool[pick];
    }
    if (sample === undefined) {
      const tries = this.config.skipRepeats ? FRESH_TRIES : 1;
      for (let i = 0; i < tries; i++) {
        sample = this.episode(epsilon);
        if (fresh(this.space.key(sample))) break;
      }
    }
    if (this.config.skipRepeats) this.pending.add(this.space.key(sample!));
    return Promise.resolve({ kind: 'trial', sample: sample! });
  }

  /** One epsilon-greedy walk of the decision process. */
  private episode(epsilon: number): Sample {
    const sample: Record<string, Choice> = {};
    let previous: Choice | undefined;
    let index = 0;
    for (let d = this.space.next(sample); d !== null; d = this.space.next(sample)) {
      const choice = this.choose(this.stateOf(sample, index++, d, previous), d, epsilon);
      sample[d.name] = choice;
      previous = choice;
    }
    return sample;
  }

  tell(trial: TrialRecord, ctx: StrategyContext): Promise<void> {
    this.pending.delete(this.guide.keyOf(trial));
    const score = trial.score;
    // A failed trial has no score: nothing to learn. Invalid ones carry the invalid reward as r_T.
    if (score === undefined || Number.isNaN(score)) return Promise.resolve();
    let steps: Step[];
    try {
      steps = trajectory(this.space, trial.sample, this.stateOf);
    } catch (error) {
      // Not a path through this space (never one of ours): no state-action pair to credit.
      if (error instanceof RangeError) return Promise.resolve();
      throw error;
    }
    const repeat = this.guide.has(this.guide.keyOf(trial));
    const added = this.guide.observe(trial);
    // Re-proposing an evaluated architecture earns nothing (the runner re-told a duplicate's result).
    if (repeat && this.config.skipRepeats) return Promise.resolve();
    const complete = trial.state === 'complete';
    // Only real results set the range: an invalid reward far below it would squash every other reward.
    if (complete) this.range.observe(score);
    // The ranks are over the distinct architectures told (the guide's record, rebuilt on restore).
    if (added) this.scores.add(score);
    // An invalid architecture may not decode, and has no metrics: no early-stop penalty.
    const penalty = complete
      ? earlyStopPenalty(this.config.shaping, trial.metrics, () => this.space.decode(trial.sample))
      : 0;
    this.memory.add({ sample: trial.sample, score, penalty, steps });
    for (let k = 0; k < this.config.replays; k++) {
      const episode = this.memory.at(this.rng.int(this.memory.size));
      replay(this.table, episode.steps, this.reward(episode), this.config.alpha, this.config.stepReward);
    }
    this.last = {
      reward: this.reward({ score, penalty }),
      baseline: this.config.reward === 'rank' ? 0.5 : this.range.normalize(this.scores.median()),
    };
    const error = this.guide.error;
    if (error !== undefined) this.last = { ...this.last, surrogateError: error };
    this.imagine(this.epsilon(ctx.progress));
    return Promise.resolve();
  }

  /**
   * Replays `imagined` episodes of the current epsilon-greedy policy with the surrogate's predicted
   * reward (ranked among the real results, like a real one), at alpha scaled by the trust in the model.
   */
  private imagine(epsilon: number): void {
    const count = this.config.imagined;
    if (count === 0 || !this.guide.ready(this.rng)) return;
    const samples = Array.from({ length: count }, () => this.episode(Math.max(epsilon, 0.1)));
    const predictions = samples.map((s) => this.guide.predict(s));
    const trust = this.guide.trust(predictions);
    const alpha = this.config.alpha * trust;
    samples.forEach((s, i) => {
      const steps = trajectory(this.space, s, this.stateOf);
      replay(
        this.table,
        steps,
        this.reward({ score: predictions[i]!.mean, penalty: 0 }),
        alpha,
        this.config.stepReward,
      );
    });
    if (this.last !== undefined) this.last = { ...this.last, trust };
  }

  diagnostics(): Metrics | undefined {
    return this.last;
  }

  state(): StrategyState {
    return {
      strategy: this.name,
      version: VERSION,
      data: {
        rng: this.rng.state(),
        range: this.range.toJSON(),
        table: this.table.toJSON(),
        replay: this.memory.episodes().map((e) => ({
          sample: e.sample,
          score: encodeScore(e.score),
          penalty: e.penalty,
        })),
        ...this.guide.state(),
        pending: [...this.pending],
      },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    const where = `saved "${this.name}" state`;
    const options = "resume with the experiment's own strategy options";
    if (data.replay.length > this.config.replaySize) {
      throw new ConfigError(
        `${where} holds ${data.replay.length} episodes but replaySize is ${this.config.replaySize}: ${options}`,
      );
    }
    if (data.table.keys.length > this.config.tableSize) {
      throw new ConfigError(
        `${where} holds ${data.table.keys.length} Q-values but tableSize is ${this.config.tableSize}: ${options}`,
      );
    }
    const episodes = data.replay.map((e, i): Episode => {
      try {
        return { ...e, steps: trajectory(this.space, e.sample, this.stateOf) };
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        throw new ConfigError(`${where}: replay[${i}] is not an architecture of this space: ${why}`);
      }
    });
    try {
      this.table.load(data.table);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new ConfigError(`${where}: table: ${why}`);
    }
    this.rng.setState(data.rng);
    this.range = RunningRange.fromJSON(data.range);
    this.memory.clear();
    for (const e of episodes) this.memory.add(e);
    this.guide.restore(data, this.name);
    this.scores.clear();
    for (const o of this.guide.observations.scored()) this.scores.add(o.score);
    this.pending.clear();
    for (const key of data.pending) this.pending.add(key);
    this.last = undefined;
  }

  /** Sizes, for tests and diagnostics. */
  sizes(): { table: number; replay: number } {
    return { table: this.table.size, replay: this.memory.size };
  }

  /** The Q-value of taking `choice` in an agent state (for tests and diagnostics). */
  q(state: string, choice: Choice): number {
    return this.table.get(qKey(state, choice));
  }

  /**
   * r_T in [0, 1], less the early-stop penalty: the score's share of the results below it (rank), or
   * the score mapped over the range seen so far (range).
   */
  private reward(episode: Pick<Episode, 'score' | 'penalty'>): number {
    const r =
      this.config.reward === 'rank' ? this.scores.share(episode.score) : this.range.normalize(episode.score);
    return r - episode.penalty;
  }

  /** Epsilon-greedy; the greedy choice breaks ties uniformly at random. */
  private choose(state: string, decision: Decision, epsilon: number): Choice {
    const { choices } = decision;
    if (epsilon >= 1 || (epsilon > 0 && this.rng.float() < epsilon)) return this.rng.pick(choices);
    const keys = actionKeys(state, decision);
    let best = -Infinity;
    let ties = 0;
    let pick = 0;
    for (let i = 0; i < keys.length; i++) {
      const v = this.table.get(keys[i] as string);
      if (v > best) {
        best = v;
        ties = 1;
        pick = i;
      } else if (v === best) {
        // Reservoir sampling: each of the tied actions is kept with probability 1 / (number tied).
        ties++;
        if (this.rng.int(ties) === 0) pick = i;
      }
    }
    return choices[pick] as Choice;
  }
}

const noShaping: EarlyStopShaping = { mu: 0, rho: 0, flopsMetric: 'flops_M' };

export const qlearningStrategy = defineStrategy({
  name: 'qlearning',
  description:
    'MetaQNN: tabular Q-learning over the decisions, epsilon-greedy (1 then 0.9..0.1), experience replay',
  options: qlearningOptions,
  create: ({ space, options, rng }) =>
    new QLearningStrategy('qlearning', space, resolveQLearning(options, noShaping, 'zero'), rng),
});

export const blockqnnStrategy = defineStrategy({
  name: 'blockqnn',
  description:
    "BlockQNN: the Q-learning agent with the space's block state, r_T / T shaping, early-stop reward",
  options: blockqnnOptions,
  create: ({ space, options, rng }) => {
    const { mu, rho, flopsMetric, ...rest } = options;
    return new QLearningStrategy(
      'blockqnn',
      space,
      resolveQLearning(rest, { mu, rho, flopsMetric }, 'share'),
      rng,
    );
  },
});
