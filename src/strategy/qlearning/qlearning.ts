import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type { Choice, Decision, Proposal, StrategyState, TrialRecord } from '../../core/types.js';
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
import { blockqnnOptions, qlearningOptions, type QLearningConfig } from './options.js';
import { metaqnnEpsilon, scheduledEpsilon } from './schedule.js';
import { earlyStopPenalty, type EarlyStopShaping } from './shaping.js';
import { qKey, QTable } from './table.js';
import { RunningRange } from '../reward.js';
import { encodeScore, readState, rngStateSchema, sampleSchema, scoreSchema } from '../saved-state.js';

const VERSION = 1;

const stateSchema = z.strictObject({
  rng: rngStateSchema,
  range: z.union([z.null(), z.tuple([z.number(), z.number()])]),
  table: z.strictObject({ keys: z.array(z.string()), values: z.string() }),
  /** Oldest first. */
  replay: z.array(z.strictObject({ sample: sampleSchema, score: scoreSchema, penalty: z.number() })),
});

/**
 * Tabular Q-learning over the decision sequence with epsilon-greedy exploration and experience replay
 * (MetaQNN, Baker et al. 2017); `blockqnn` is the same agent with BlockQNN's reward shaping (Zhong et al.
 * 2018) and, on a cell space, the cell-structure state. Episodes are independent, so every ask proposes
 * at once whatever is in flight; a result is matched to its episode through its sample, which determines
 * the whole trajectory.
 */
export class QLearningStrategy implements Strategy {
  private readonly table: QTable;
  private readonly memory: ReplayMemory;
  private range = new RunningRange();
  private readonly stateOf: StateOf;

  constructor(
    readonly name: string,
    private readonly space: SearchSpace<unknown>,
    private readonly config: QLearningConfig,
    private readonly rng: Rng,
  ) {
    this.table = new QTable(config.qInit, config.tableSize);
    this.memory = new ReplayMemory(config.replaySize);
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
    const sample: Record<string, Choice> = {};
    let previous: Choice | undefined;
    let index = 0;
    for (let d = this.space.next(sample); d !== null; d = this.space.next(sample)) {
      const choice = this.choose(this.stateOf(sample, index++, d, previous), d, epsilon);
      sample[d.name] = choice;
      previous = choice;
    }
    return Promise.resolve({ kind: 'trial', sample });
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
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
    const complete = trial.state === 'complete';
    // Only real results set the range: an invalid reward far below it would squash every other reward.
    if (complete) this.range.observe(score);
    // An invalid architecture may not decode, and has no metrics: no early-stop penalty.
    const penalty = complete
      ? earlyStopPenalty(this.config.shaping, trial.metrics, () => this.space.decode(trial.sample))
      : 0;
    this.memory.add({ sample: trial.sample, score, penalty, steps });
    for (let k = 0; k < this.config.replays; k++) {
      const episode = this.memory.at(this.rng.int(this.memory.size));
      replay(this.table, episode.steps, this.reward(episode), this.config.alpha, this.config.stepReward);
    }
    return Promise.resolve();
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
  }

  /** Sizes, for tests and diagnostics. */
  sizes(): { table: number; replay: number } {
    return { table: this.table.size, replay: this.memory.size };
  }

  /** The Q-value of taking `choice` in an agent state (for tests and diagnostics). */
  q(state: string, choice: Choice): number {
    return this.table.get(qKey(state, choice));
  }

  /** r_T: the score mapped to [0, 1] over the range seen so far, less the early-stop penalty. */
  private reward(episode: Episode): number {
    return this.range.normalize(episode.score) - episode.penalty;
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
    new QLearningStrategy('qlearning', space, { ...options, shaping: noShaping }, rng),
});

export const blockqnnStrategy = defineStrategy({
  name: 'blockqnn',
  description:
    "BlockQNN: the Q-learning agent with the space's block state, r_T / T shaping, early-stop reward",
  options: blockqnnOptions,
  create: ({ space, options, rng }) => {
    const { mu, rho, flopsMetric, ...rest } = options;
    return new QLearningStrategy('blockqnn', space, { ...rest, shaping: { mu, rho, flopsMetric } }, rng);
  },
});
