import { z } from 'zod';
import { modelFields } from '../model/guide.js';
import type { StepReward } from './episode.js';
import { scheduleOption, type EpsilonStep } from './schedule.js';
import type { EarlyStopShaping } from './shaping.js';

/*
 * Why these defaults (measured on the tabular benchmarks, 200 runs each; docs/strategies.md has the evidence):
 * - stepReward 'terminal' (r_T on every transition, r_t + max_a' Q(s',a') as the target), not MetaQNN's 0:
 *   with the state "decision index + previous choice", s_{i+1} forgets everything before choice i, so
 *   with r_t = 0 every action below the last two levels is pulled toward the same max Q(s_{i+1}, .)
 *   and those decisions never learn (Q spread across actions ~0.001 at levels 0-5 of nasbench-macro,
 *   0.12 at the last; a toy additive objective solved 5/30 times, 27/30 with 'terminal').
 * - alpha 0.1, not MetaQNN's 0.01: MetaQNN had ~1,500 warm-up models; with ~100 evaluations (18 on
 *   nb201/ImageNet16-120) alpha 0.01 leaves Q 20-44% of its scale away from the fixed point of its own
 *   replay memory at the end of the warm-up; 0.1 is within 2-5%, and 0.3 is no closer.
 * - replays 100 (MetaQNN): an episode added at evaluation t is replayed about replays * ln(T / t) times
 *   over a search of T evaluations, whatever T is, so MetaQNN's figure keeps its meaning at small budgets.
 * - warmup 0.5: MetaQNN explored 1,500 of its ~2,700 models at epsilon 1.
 * - qInit 0.5 with rewards mapped to [0, 1] by the range seen: MetaQNN's 0.5 with accuracies in [0, 1].
 */

/** Options shared by `qlearning` (MetaQNN) and `blockqnn`. */
const commonOptions = {
  variant: z
    .enum(['efficient', 'paper'])
    .default('efficient')
    .describe("defaults of the 'auto' options: efficient (model-based, rank rewards, no repeats) or paper"),
  reward: z
    .enum(['auto', 'rank', 'range'])
    .default('auto')
    .describe(
      'r_T: rank = the share of results below the score; range = the score min-max mapped over the ' +
        'range seen (MetaQNN); auto: rank (efficient), range (paper)',
    ),
  ...modelFields,
  alpha: z
    .union([z.literal('auto'), z.number().gt(0).max(1)])
    .default('auto')
    .describe(
      'Q-learning rate; auto: 0.1 (efficient: Q settles within ~100 evaluations), 0.01 (paper: MetaQNN)',
    ),
  qInit: z
    .number()
    .default(0.5)
    .describe('initial Q-value; rewards are scores mapped to [0, 1] over the range seen (MetaQNN: 0.5)'),
  warmup: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('budget share explored with epsilon 1 before stepping down to 0.1 (MetaQNN: ~half)'),
  schedule: scheduleOption,
  replays: z
    .number()
    .int()
    .min(0)
    .default(100)
    .describe('episodes sampled from the replay memory and replayed after each result (MetaQNN: 100)'),
  replaySize: z
    .number()
    .int()
    .min(1)
    .default(1000)
    .describe('episodes the replay memory keeps (the oldest is forgotten first)'),
  tableSize: z
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe('state-action pairs the Q-table keeps (the least recently updated is forgotten first)'),
  state: z
    .enum(['auto', 'space', 'decision'])
    .default('auto')
    .describe(
      "agent state: 'decision' = decision index + previous choice; 'space' = the space's own " +
        "agentState (e.g. nb201's cell structure); 'auto' = the space's when it has one",
    ),
};

export const qlearningOptions = z.strictObject({
  ...commonOptions,
  stepReward: z
    .enum(['auto', 'zero', 'terminal', 'share'])
    .default('auto')
    .describe(
      "reward of non-final steps: 'terminal' = r_T, 'zero' (MetaQNN's paper: then only the last " +
        "decisions learn), 'share' = r_T / T (BlockQNN); auto: terminal (efficient), zero (paper)",
    ),
});
export type QLearningOptions = z.output<typeof qlearningOptions>;

export const blockqnnOptions = z.strictObject({
  ...commonOptions,
  stepReward: z
    .enum(['zero', 'terminal', 'share'])
    .default('share')
    .describe("reward of non-final steps: 'share' = r_T / T (BlockQNN's shaping), 'terminal' or 'zero'"),
  mu: z
    .number()
    .min(0)
    .default(0)
    .describe('early-stop shaping: reward -= mu * log(FLOPs) (BlockQNN); 0 = off'),
  rho: z
    .number()
    .min(0)
    .default(0)
    .describe('early-stop shaping: reward -= rho * log(block density = DAG edges / nodes); 0 = off'),
  flopsMetric: z.string().default('flops_M').describe('metric holding the FLOPs for mu (nb201: flops_M)'),
});
export type BlockQnnOptions = z.output<typeof blockqnnOptions>;

/** What the agent runs with: the options of either entry, shaping off for plain qlearning. */
export interface QLearningConfig {
  readonly reward: 'rank' | 'range';
  readonly model: 'gp' | 'mlp' | 'off';
  /** Skip results for architectures already learned from, and avoid proposing them. */
  readonly skipRepeats: boolean;
  readonly initial: number;
  readonly candidates: number;
  readonly imagined: number;
  readonly alpha: number;
  readonly qInit: number;
  readonly warmup: number;
  readonly schedule: readonly EpsilonStep[];
  readonly replays: number;
  readonly replaySize: number;
  readonly tableSize: number;
  readonly state: 'auto' | 'space' | 'decision';
  readonly stepReward: StepReward;
  readonly shaping: EarlyStopShaping;
}

/** The agent's configuration from either entry's options, every 'auto' resolved for the variant. */
export function resolveQLearning(
  o: QLearningOptions | Omit<BlockQnnOptions, 'mu' | 'rho' | 'flopsMetric'>,
  shaping: EarlyStopShaping,
  paperStepReward: StepReward,
): QLearningConfig {
  const paper = o.variant === 'paper';
  return {
    ...o,
    alpha: o.alpha !== 'auto' ? o.alpha : paper ? 0.01 : 0.1,
    stepReward: o.stepReward !== 'auto' ? o.stepReward : paper ? paperStepReward : 'terminal',
    reward: o.reward !== 'auto' ? o.reward : paper ? 'range' : 'rank',
    model: o.model !== 'auto' ? o.model : paper ? 'off' : 'gp',
    skipRepeats: !paper,
    shaping,
  };
}
