import { z } from 'zod';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Sample, TrialRecord } from '../../core/types.js';
import { type Encoder, type Prediction, type Predictor } from '../../predict/surrogate/index.js';
import { Observations, observationsSchema, type Observation } from '../bo/observations.js';
import { fitPredictor, resolveEncoding } from '../bo/surrogate.js';

type AnySpace = SearchSpace<unknown>;

/**
 * The options every RL strategy shares for learning from a model (spread into their schemas). `model`
 * 'auto' means the strategy's `variant`: a Gaussian process for the sample-efficient variant, none for
 * the paper's.
 */
export const modelFields = {
  model: z
    .enum(['auto', 'gp', 'mlp', 'off'])
    .default('auto')
    .describe(
      'surrogate the controller also learns from and screens its proposals with: gp, mlp (ensemble), off; ' +
        'auto: gp for variant=efficient, off for variant=paper',
    ),
  initial: z
    .number()
    .int()
    .min(2)
    .default(5)
    .describe('real results before the surrogate is fitted and used'),
  candidates: z
    .number()
    .int()
    .min(1)
    .default(32)
    .describe('controller samples per proposal; the surrogate (Thompson sampling) picks one to evaluate'),
  imagined: z
    .number()
    .int()
    .min(0)
    .default(32)
    .describe('controller samples scored by the surrogate and learned from after each real result'),
};
export type ModelOptions = z.output<z.ZodObject<typeof modelFields>>;

/** What a strategy saves of its guide: every result (the model is refitted from them) and the fit. */
export const guideStateShape = {
  observations: observationsSchema,
  /** Results the current model was fitted on (0: none yet) and its training seed. */
  fit: z.tuple([z.number().int().min(0), z.number().int().min(0).max(0xffffffff)]),
};
export type GuideState = z.output<z.ZodObject<typeof guideStateShape>>;

/** The most results a model is fitted on (the best half and the most recent half beyond that). */
const WINDOW = 160;
/**
 * Distinct results the guide records (a bound on memory and on the saved state over a long search);
 * later results still teach the controller, but the model and the repeat check stop growing.
 */
export const MAX_OBSERVATIONS = 4096;
/** The model is refitted once the results grew by this factor since the last fit (and by one at least). */
const GROWTH = 1.15;

/**
 * The model an RL controller learns from between real evaluations (model-based RL, as in Dyna): a
 * surrogate from naslab's predictors (a Gaussian process or an MLP ensemble over the path encoding where
 * the space has one, else one-hot; accuracies fitted as -log(100.5 - acc)), fitted on the results so far.
 *
 * Refitted when the results grew by 15% (so about 17 fits in the first 100 results and the ask/tell path
 * stays cheap: a fit costs far more than a prediction), on at most 160 results. The fit is a pure function
 * of (the first n results, a seed drawn from the strategy's Rng), so the saved state is the results and
 * two numbers, and a restored strategy rebuilds the very same model.
 *
 * The surrogate's uncertainty tempers how far the controller trusts it: `trust` is
 * var(scores) / (var(scores) + mean predicted variance), near 1 where the model is sure and about 1/2
 * where it knows no more than the spread of the results.
 */
export class ModelGuide {
  readonly observations: Observations;
  private readonly encoding: 'path' | 'onehot' | undefined;
  private fitCount = 0;
  private fitSeed = 0;
  private built?: string;
  private encoder?: Encoder;
  private predictor?: Predictor;
  private spread = 0;
  /** |prediction - result| of the last result the model had predicted (before it was learned). */
  private lastError: number | undefined;

  constructor(
    private readonly space: AnySpace,
    readonly kind: 'gp' | 'mlp' | 'off',
    readonly initial: number,
  ) {
    this.observations = new Observations(space);
    this.encoding = kind === 'off' ? undefined : resolveEncoding(space, 'auto');
  }

  get enabled(): boolean {
    return this.kind !== 'off';
  }

  /**
   * A told trial's architecture key as this space computes it (the trial's own key when the sample
   * does not fit the space), so keys of proposals, results and restored observations always agree.
   */
  keyOf(trial: TrialRecord): string {
    try {
      return this.space.key(trial.sample);
    } catch {
      return trial.key;
    }
  }

  /** Whether the key was evaluated (told with a score) before. */
  has(key: string): boolean {
    return this.observations.has(key);
  }

  /**
   * Records a result; returns false for a repeat of a known architecture or a failed trial. Before
   * recording, the current model's error on it is kept for the diagnostics.
   */
  observe(trial: TrialRecord): boolean {
    if (trial.score === undefined || Number.isNaN(trial.score)) return false;
    const key = this.keyOf(trial);
    if (this.observations.has(key) || this.observations.size >= MAX_OBSERVATIONS) return false;
    this.lastError = undefined;
    if (this.predictor !== undefined && Number.isFinite(trial.score)) {
      try {
        this.lastError = Math.abs(this.predict(trial.sample).mean - trial.score);
      } catch {
        // An architecture the encoder cannot place (a decision it never met): no error to report.
      }
    }
    return this.observations.add({ ...trial, key });
  }

  /** The surrogate's absolute error on the last result it predicted. */
  get error(): number | undefined {
    return this.lastError;
  }

  /** Refits when due; true once there is a model to use. */
  ready(rng: Rng): boolean {
    if (!this.enabled) return false;
    const n = this.observations.scoredCount;
    if (
      n >= this.initial &&
      (this.fitCount === 0 || n >= Math.max(this.fitCount + 1, this.fitCount * GROWTH))
    ) {
      this.fitCount = n;
      this.fitSeed = rng.uint32();
    }
    if (this.fitCount === 0) return false;
    const id = `${this.fitCount}/${this.fitSeed}`;
    if (this.built !== id) {
      this.fit(this.observations.scored(this.fitCount), this.fitSeed);
      this.built = id;
    }
    return true;
  }

  predict(sample: Sample): Prediction {
    if (this.predictor === undefined || this.encoder === undefined) {
      throw new Error('ModelGuide.predict before a fit');
    }
    return this.predictor.predict(this.encoder.encode(sample));
  }

  /** How far to trust predictions with these uncertainties, in (0, 1]. */
  trust(predictions: readonly Prediction[]): number {
    if (predictions.length === 0) return 0;
    let variance = 0;
    for (const p of predictions) variance += p.std * p.std;
    variance /= predictions.length;
    const spread = this.spread * this.spread;
    return spread > 0 ? spread / (spread + variance) : 1;
  }

  /**
   * Independent Thompson sampling (BANANAS): one draw from each candidate's predicted distribution,
   * in order; the index of the highest (-1 for no candidates).
   */
  pick(candidates: readonly Sample[], rng: Rng): number {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < candidates.length; i++) {
      const p = this.predict(candidates[i]!);
      const value = p.mean + p.std * rng.normal();
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    return best;
  }

  state(): { observations: ReturnType<Observations['toJSON']>; fit: [number, number] } {
    return { observations: this.observations.toJSON(), fit: [this.fitCount, this.fitSeed] };
  }

  restore(data: GuideState, who: string): void {
    this.observations.load(data.observations, who);
    [this.fitCount, this.fitSeed] = data.fit;
    this.built = undefined;
    this.encoder = undefined;
    this.predictor = undefined;
    this.lastError = undefined;
    if (this.fitCount > 0 && this.enabled) {
      this.fit(this.observations.scored(this.fitCount), this.fitSeed);
      this.built = `${this.fitCount}/${this.fitSeed}`;
    }
  }

  private fit(all: readonly Observation[], seed: number): void {
    const data = windowOf(all);
    const scores = data.map((o) => o.score);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    this.spread = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
    ({ encoder: this.encoder, predictor: this.predictor } = fitPredictor(
      this.space,
      this.encoding === 'path' ? 'path' : 'onehot',
      data,
      {
        kind: this.kind === 'mlp' ? 'mlp' : 'gp',
        members: 5,
        epochs: 100,
        logError: 'auto',
        seed,
      },
    ));
  }
}

/** At most WINDOW results: the best half of the budget, then the most recent of the rest, in order. */
function windowOf(all: readonly Observation[]): readonly Observation[] {
  if (all.length <= WINDOW) return all;
  const order = all.map((_, i) => i).sort((a, b) => all[b]!.score - all[a]!.score || a - b);
  const keep = new Set(order.slice(0, WINDOW / 2));
  for (let i = all.length - 1; keep.size < WINDOW; i--) keep.add(i);
  return all.filter((_, i) => keep.has(i));
}
