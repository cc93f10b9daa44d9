import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Sample } from '../../core/types.js';
import {
  GaussianProcess,
  logErrorTransform,
  MlpEnsemble,
  OneHotEncoder,
  PATH_ENUMERATORS,
  PathEncoder,
  TransformedTarget,
  type Encoder,
  type Prediction,
  type Predictor,
} from '../../predict/surrogate/index.js';
import type { Observation, Observations } from './observations.js';

type AnySpace = SearchSpace<unknown>;

/** The surrogate's options, shared by bo and screen (spread into their schemas). */
export const surrogateFields = {
  // gp by default: in search (nb201, 50 runs) it did as well as the MLP ensemble at a fifth of the cost
  // (bo 94.23 vs 94.17, screen 94.16 vs 94.10), though the MLP ranks better with 400 points.
  predictor: z
    .enum(['gp', 'mlp'])
    .default('gp')
    .describe('surrogate: gp (Gaussian process) or mlp (ensemble of MLPs, as BANANAS)'),
  encoding: z
    .enum(['auto', 'path', 'onehot'])
    .default('auto')
    .describe('architecture encoding: path (BANANAS), onehot, or auto (path where the space has one)'),
  target: z
    .enum(['auto', 'raw', 'log-error'])
    .default('auto')
    .describe(
      'fit the score as is (raw), as -log(100.5 - score) (log-error), or auto: log-error for percentages',
    ),
  members: z.number().int().min(1).max(100).default(5).describe('MLPs in the ensemble'),
  epochs: z.number().int().min(1).default(200).describe('training epochs of each MLP'),
  refit: z.number().int().min(1).default(1).describe('refit the surrogate after this many new results'),
};

export type SurrogateOptions = z.output<z.ZodObject<typeof surrogateFields>>;

/** Checks the encoding option against the space (a ConfigError naming the fix), returns the choice. */
export function resolveEncoding(space: AnySpace, encoding: SurrogateOptions['encoding']): 'path' | 'onehot' {
  const hasPaths = PATH_ENUMERATORS[space.name] !== undefined;
  if (encoding === 'auto') return hasPaths ? 'path' : 'onehot';
  if (encoding === 'path' && !hasPaths) {
    throw new ConfigError(
      `option "encoding": space "${space.name}" has no path encoding ` +
        `(spaces with one: ${Object.keys(PATH_ENUMERATORS).join(', ')}); use onehot or auto`,
    );
  }
  return encoding;
}

/** The refit schedule's saved part: how many observations the model uses, and its training seed. */
export const surrogateStateSchema = z.strictObject({
  fitCount: z.number().int().min(0),
  fitSeed: z.number().int().min(0).max(0xffffffff),
});
export type SurrogateState = z.output<typeof surrogateStateSchema>;

/**
 * A surrogate over a search's observations. `update` decides when to refit (every `refit` new scored
 * results) and draws the training seed from the strategy's Rng; the model itself is rebuilt lazily from
 * (the first fitCount observations, fitSeed), so the saved state is two numbers and a restored strategy
 * gets the very same model. Encoder and predictor are built fresh on every fit.
 */
export class Surrogate {
  private readonly encoding: 'path' | 'onehot';
  private encoder?: Encoder;
  private predictor?: Predictor;
  /** The (fitCount, fitSeed) the current model was built from. */
  private built?: string;
  private fitCount = 0;
  private fitSeed = 0;

  constructor(
    private readonly space: AnySpace,
    private readonly options: SurrogateOptions,
  ) {
    this.encoding = resolveEncoding(space, options.encoding);
  }

  /**
   * Refits when `refit` scored results arrived since the last fit (always, for the first fit once there
   * are `minimum`). Returns false while there is no model.
   */
  update(observations: Observations, rng: Rng, minimum: number): boolean {
    const n = observations.scoredCount;
    if (n >= Math.max(minimum, 1) && (this.fitCount === 0 || n >= this.fitCount + this.options.refit)) {
      this.fitCount = n;
      this.fitSeed = rng.uint32();
    }
    if (this.fitCount === 0) return false;
    const id = `${this.fitCount}/${this.fitSeed}`;
    if (this.built !== id) {
      this.fit(observations.scored(this.fitCount), this.fitSeed);
      this.built = id;
    }
    return true;
  }

  state(): SurrogateState {
    return { fitCount: this.fitCount, fitSeed: this.fitSeed };
  }

  restore(state: SurrogateState): void {
    this.fitCount = state.fitCount;
    this.fitSeed = state.fitSeed;
    this.built = undefined;
  }

  private fit(data: readonly Observation[], seed: number): void {
    const target = this.options.target === 'auto' ? 'auto' : this.options.target === 'log-error';
    ({ encoder: this.encoder, predictor: this.predictor } = fitPredictor(this.space, this.encoding, data, {
      kind: this.options.predictor,
      members: this.options.members,
      epochs: this.options.epochs,
      logError: target,
      seed,
    }));
  }

  predict(sample: Sample): Prediction {
    if (this.predictor === undefined || this.encoder === undefined) {
      throw new Error('Surrogate.predict before a fit');
    }
    return this.predictor.predict(this.encoder.encode(sample));
  }
}

/**
 * Encodes the observed samples (one-hot over the decisions the data met, or the space's fixed path
 * layout) and fits a predictor of their scores: a Gaussian process or an MLP ensemble, on the log error
 * when `logError` says so ('auto': when every score is a percentage).
 */
export function fitPredictor(
  space: AnySpace,
  encoding: 'path' | 'onehot',
  data: readonly Observation[],
  o: {
    readonly kind: 'gp' | 'mlp';
    readonly members: number;
    readonly epochs: number;
    readonly logError: boolean | 'auto';
    readonly seed: number;
  },
): { encoder: Encoder; predictor: Predictor } {
  const samples = data.map((d) => d.sample);
  const encoder =
    encoding === 'path'
      ? new PathEncoder(PATH_ENUMERATORS[space.name]!)
      : new OneHotEncoder(space, { samples });
  const scores = data.map((d) => d.score);
  const useLog = o.logError === 'auto' ? scores.every((v) => v >= 0 && v <= 100) : o.logError;
  const base: Predictor =
    o.kind === 'gp'
      ? new GaussianProcess()
      : new MlpEnsemble({ members: o.members, epochs: o.epochs, seed: o.seed });
  const predictor = useLog ? new TransformedTarget(base, logErrorTransform()) : base;
  predictor.fit(
    samples.map((v) => encoder.encode(v)),
    scores,
  );
  return { encoder, predictor };
}
