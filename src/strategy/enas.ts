import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { SearchSpace } from '../core/space.js';
import type { Strategy, StrategyContext } from '../core/strategy.js';
import type { Json, Proposal, Sample, StrategyState, TrialRecord } from '../core/types.js';
import { defineStrategy } from './define.js';
import { baselineSchema, EmaBaseline } from './pg/baseline.js';
import { controllerFields, controllerLearningRate } from './pg/options.js';
import { Adam } from '../numeric/adam.js';
import { createPolicy } from './policy/create.js';
import type { Policy } from './policy/policy.js';
import { readState, rngStateSchema, sampleSchema } from './saved-state.js';

const VERSION = 1;

/** ENAS's controller defaults (Pham et al. 2018, macro search): LSTM, logits 2.5 tanh(l / 5 / 2.5). */
const enasOptions = z.strictObject({
  ...controllerFields,
  policy: z
    .enum(['factorized', 'lstm'])
    .default('lstm')
    .describe('the controller: lstm (ENAS) or factorized'),
  hidden: z.number().int().min(1).default(64).describe('LSTM hidden units'),
  temperature: z.number().positive().default(5).describe('logits are divided by this (ENAS: 5)'),
  tanhClip: z.number().min(0).default(2.5).describe('c * tanh(logits / c) after the temperature (ENAS: 2.5)'),
  baselineMomentum: z.number().min(0).lt(1).default(0.95).describe('EMA reward baseline momentum'),
  entropy: z
    .number()
    .min(0)
    .default(0.0001)
    .describe('entropy bonus weight (rewards are accuracies in [0, 1])'),
  epochs: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('ENAS epochs: shared-weight training, then controller training'),
  controllerSteps: z.number().int().min(0).default(20).describe('controller updates per epoch'),
  controllerBatch: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('children (validation batches) per controller update'),
  candidates: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('architectures sampled at the end and ranked with the shared weights'),
  reserve: z
    .number()
    .min(0)
    .lt(1)
    .default(0.1)
    .describe(
      'share of the budget kept for ranking candidates: no epoch starts that would likely cross 1 - reserve',
    ),
  retrain: z
    .boolean()
    .default(true)
    .describe('end with the best candidate trained from scratch (the train settings of evaluator.retrain)'),
});
export type EnasOptions = z.output<typeof enasOptions>;

/** What the trial being evaluated is for; the enas evaluator reads it from the strategy. */
export type EnasPlan =
  | {
      readonly phase: 'epoch';
      /** 0-based. */
      readonly epoch: number;
      readonly epochs: number;
      readonly controllerSteps: number;
      readonly controllerBatch: number;
    }
  | { readonly phase: 'candidate'; readonly index: number }
  | { readonly phase: 'retrain' };

/** State that is not the strategy's but must be saved with it, atomically with each trial (the supernet weights). */
export interface EnasCompanion {
  state(): Json;
  restore(saved: Json): void;
}

/** What the enas evaluator uses during a trial. */
export interface EnasController {
  /** The plan of the trial the runner is evaluating (the last proposal: trials run one at a time). */
  plan(): EnasPlan;
  /** One architecture from the controller's current policy. */
  sampleChild(): Sample;
  /** One REINFORCE step over a batch of children's rewards; returns the mean entropy of their walks. */
  learn(results: readonly { readonly sample: Sample; readonly reward: number }[]): number;
  attach(companion: EnasCompanion): void;
}

const candidateSchema = z.strictObject({
  key: z.string(),
  sample: sampleSchema,
  score: z.number().nullable(),
});
const stateSchema = z.strictObject({
  rng: rngStateSchema,
  policy: z.json(),
  adam: z.json(),
  baseline: baselineSchema,
  asked: z.number().int().min(0),
  // Absent in states saved before the budget-aware schedule: epochs as configured.
  epochs: z.number().int().min(0).nullable().optional(),
  epochProgress: z.number().optional(),
  candidates: z.array(candidateSchema),
  companion: z.json(),
});

/**
 * ENAS (Pham et al. 2018) as a strategy: it owns the LSTM controller and the schedule; the `enas`
 * evaluator owns the supernet and calls back into this strategy (EnasController) during a trial.
 * Trials: `epochs` ENAS epochs (each proposes a probe child, sampled from the policy, that the epoch
 * scores at its end), then `candidates` distinct children sampled from the final policy and ranked with
 * the shared weights, then (retrain) the best candidate, trained from scratch. One trial at a time:
 * ask() waits while a trial runs. The evaluator's supernet weights ride in this state
 * (EnasCompanion), so a trial and everything it changed are stored together and resume is exact.
 */
export class EnasStrategy implements Strategy, EnasController {
  readonly name = 'enas';
  private readonly policy: Policy;
  private readonly adam: Adam;
  private readonly baseline: EmaBaseline;
  private asked = 0;
  /** Epochs actually run when the budget cut the schedule short (null: as configured). */
  private epochLimit: number | null = null;
  /** ctx.progress when the last epoch was proposed, to estimate what another epoch costs. */
  private epochProgress = 0;
  private candidates: { key: string; sample: Sample; score: number | null }[] = [];
  private companion: EnasCompanion | undefined;
  /** A saved companion state that arrived before the companion did. */
  private pendingCompanion: Json = null;

  constructor(
    private readonly space: SearchSpace<unknown>,
    private readonly options: EnasOptions,
    private readonly rng: Rng,
  ) {
    this.policy = createPolicy(options, rng);
    this.adam = new Adam({ lr: controllerLearningRate(options), clipNorm: options.gradClip });
    this.baseline = new EmaBaseline(options.baselineMomentum);
  }

  attach(companion: EnasCompanion): void {
    this.companion = companion;
    if (this.pendingCompanion !== null) companion.restore(this.pendingCompanion);
    this.pendingCompanion = null;
  }

  private planOf(n: number): EnasPlan | undefined {
    const { candidates, retrain } = this.options;
    const epochs = this.epochLimit ?? this.options.epochs;
    if (n < epochs) {
      const { controllerSteps, controllerBatch } = this.options;
      // The cosine schedule runs over the configured epochs even when the budget ends them sooner.
      return { phase: 'epoch', epoch: n, epochs: this.options.epochs, controllerSteps, controllerBatch };
    }
    if (n < epochs + candidates) return { phase: 'candidate', index: n - epochs };
    if (retrain && n === epochs + candidates) return { phase: 'retrain' };
    return undefined;
  }

  plan(): EnasPlan {
    const plan = this.asked === 0 ? undefined : this.planOf(this.asked - 1);
    if (plan === undefined) throw new ConfigError('enas: no trial has been proposed yet');
    return plan;
  }

  sampleChild(): Sample {
    return this.policy.sample(this.space, this.rng).sample;
  }

  learn(results: readonly { readonly sample: Sample; readonly reward: number }[]): number {
    if (results.length === 0) return 0;
    this.policy.params.zeroGrad();
    let entropy = 0;
    for (const r of results) {
      const advantage = this.baseline.advantage(r.reward);
      entropy += this.policy.forward(this.space, r.sample).entropy;
      this.policy.backward(-advantage, -this.options.entropy);
    }
    this.adam.update(this.policy.params, 1 / results.length);
    return entropy / results.length;
  }

  ask(ctx: StrategyContext): Promise<Proposal> {
    // One trial at a time: an epoch changes the shared state the next trial starts from, and the
    // retrain needs every candidate's score.
    if (ctx.running > 0) return Promise.resolve({ kind: 'wait' });
    if (this.planOf(this.asked)?.phase === 'epoch' && this.asked > 0 && this.epochLimit === null) {
      // A budget (wall or trials) that another epoch like the last would push past 1 - reserve ends
      // the epochs here, so the candidates are still ranked before the budget runs out.
      const next = ctx.progress + (ctx.progress - this.epochProgress);
      if (next > 1 - this.options.reserve) this.epochLimit = this.asked;
    }
    const plan = this.planOf(this.asked);
    if (plan === undefined) return Promise.resolve({ kind: 'done' });
    if (plan.phase === 'epoch') this.epochProgress = ctx.progress;
    const sample = plan.phase === 'retrain' ? this.best() : this.propose(plan.phase === 'candidate');
    this.asked++;
    return Promise.resolve({ kind: 'trial', sample });
  }

  /** A child from the policy; a candidate is one not proposed as a candidate before (100 tries). */
  private propose(candidate: boolean): Sample {
    let sample = this.sampleChild();
    if (!candidate) return sample;
    const taken = new Set(this.candidates.map((c) => c.key));
    for (let i = 0; i < 100 && taken.has(this.space.key(sample)); i++) sample = this.sampleChild();
    this.candidates.push({ key: this.space.key(sample), sample, score: null });
    return sample;
  }

  /** The candidate with the highest score (the first on a tie); the first candidate if none scored. */
  private best(): Sample {
    let best = this.candidates[0];
    for (const c of this.candidates) {
      if (c.score !== null && (best?.score === null || c.score > (best?.score ?? -Infinity))) best = c;
    }
    if (best === undefined) throw new ConfigError('enas: no candidate to retrain');
    return best.sample;
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    const c = this.candidates.find((x) => x.key === trial.key && x.score === null);
    if (c !== undefined && trial.score !== undefined && Number.isFinite(trial.score)) c.score = trial.score;
    return Promise.resolve();
  }

  state(): StrategyState {
    return {
      strategy: this.name,
      version: VERSION,
      data: {
        rng: this.rng.state(),
        policy: this.policy.toJSON(),
        adam: this.adam.toJSON(),
        baseline: this.baseline.toJSON(),
        asked: this.asked,
        epochs: this.epochLimit,
        epochProgress: this.epochProgress,
        candidates: this.candidates.map((c) => ({ ...c })),
        companion: this.companion?.state() ?? this.pendingCompanion,
      },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    this.policy.load(data.policy);
    this.adam.load(data.adam);
    this.baseline.load(data.baseline);
    this.rng.setState(data.rng);
    this.asked = data.asked;
    this.epochLimit = data.epochs ?? null;
    this.epochProgress = data.epochProgress ?? 0;
    this.candidates = data.candidates.map((c) => ({ ...c }));
    if (this.companion !== undefined && data.companion !== null) this.companion.restore(data.companion);
    else this.pendingCompanion = data.companion;
  }
}

export const enasStrategy = defineStrategy({
  name: 'enas',
  description:
    'ENAS: LSTM controller (REINFORCE, EMA baseline, entropy bonus) over a weight-sharing supernet; needs evaluator enas',
  options: enasOptions,
  evaluator: { types: ['enas'], why: 'its weight-sharing supernet' },
  // A probe repeats an epoch's architecture, and the retrained candidate is one already ranked.
  duplicates: 'evaluate',
  distributable: false,
  create: ({ space, options, rng }) => new EnasStrategy(space, options, rng),
});
