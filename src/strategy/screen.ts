import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { SearchSpace } from '../core/space.js';
import type { Strategy, StrategyContext } from '../core/strategy.js';
import type { Json, Proposal, Sample, StrategyState, TrialRecord } from '../core/types.js';
import { acquire } from './bo/acquisition.js';
import { Observations, observationsSchema, pendingSchema } from './bo/observations.js';
import { Surrogate, surrogateFields, surrogateStateSchema } from './bo/surrogate.js';
import { defineStrategy, type StrategyEntry } from './define.js';
import { readState, rngStateSchema } from './saved-state.js';

const VERSION = 1;

const screenOptions = z.strictObject({
  inner: z.string().default('evolution').describe('the strategy whose proposals are screened'),
  innerOptions: z.record(z.string(), z.unknown()).default({}).describe("the inner strategy's options"),
  screen: z.number().int().min(1).default(10).describe('proposals asked of the inner strategy per trial (K)'),
  initial: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('results before screening starts (pass-through until then)'),
  acquisition: z
    .enum(['mean', 'its', 'ei', 'ucb'])
    .default('its')
    .describe('how the K proposals are ranked: predicted mean, or an acquisition as in bo'),
  beta: z.number().min(0).default(1).describe('ucb exploration weight'),
  screened: z
    .enum(['predicted', 'failed'])
    .default('failed')
    .describe('what the inner strategy is told of a proposal not evaluated: its predicted score, or failed'),
  ...surrogateFields,
});
export type ScreenOptions = z.output<typeof screenOptions>;

const stateSchema = z.strictObject({
  rng: rngStateSchema,
  observations: observationsSchema,
  pending: pendingSchema,
  surrogate: surrogateStateSchema,
  told: z.number().int().min(0),
  inner: z.strictObject({ strategy: z.string(), version: z.number(), data: z.json() }),
});

/** Creates a registered strategy by name (the registry's createStrategy, passed in to avoid an import cycle). */
export type CreateStrategy = (
  name: string,
  options: Readonly<Record<string, unknown>>,
  space: SearchSpace<unknown>,
  seed: number,
) => Strategy;

/**
 * Predictor screening around any strategy. Once `initial` results exist, each ask takes up to K
 * proposals from the inner strategy and evaluates one: the best by the acquisition (independent
 * Thompson sampling by default; `mean` is the greedy pick) among those neither evaluated nor in flight.
 * Every other proposal is told to the inner strategy at once, as a failed trial (`screened: failed`,
 * the default) or as a complete one scored with the surrogate's predicted mean (`predicted`); a repeat of
 * an evaluated architecture is told its measured score.
 *
 * Why tell them at all: every strategy may count on hearing back about each proposal (policy-gradient
 * batches and evolution's initial population wait for their results), so an unanswered proposal could
 * stall it. Why `failed` by default: evolution ignores failed trials, so its population holds evaluated
 * architectures only; with `predicted`, 9 of every 10 members would be the proposals the surrogate
 * rejected, and the search drifts towards them (nb201, 50 runs: 94.16 failed vs 94.01 predicted). Why
 * Thompson sampling rather than the mean: the greedy pick never tries what the surrogate has not seen
 * and got stuck in some runs (nb201, 12 runs with `failed`: 2 ended below 83 in the 12-epoch signal
 * with the mean, none with ITS). Before `initial`
 * results, proposals pass through unchanged, so the inner strategy starts as it would alone.
 */
export class ScreenStrategy implements Strategy {
  readonly name = 'screen';
  private readonly inner: Strategy;
  private readonly observations: Observations;
  private readonly surrogate: Surrogate;
  private readonly pending = new Set<string>();
  /** Screened-out proposals told so far (numbers their synthetic trial records). */
  private told = 0;

  constructor(
    private readonly space: SearchSpace<unknown>,
    private readonly options: ScreenOptions,
    private readonly rng: Rng,
    create: CreateStrategy,
  ) {
    if (options.inner === 'screen') {
      throw new ConfigError(
        'strategy "screen" option "inner": screen cannot wrap itself; name another strategy',
      );
    }
    this.inner = create(options.inner, options.innerOptions, space, rng.uint32());
    this.observations = new Observations(space);
    this.surrogate = new Surrogate(space, options);
  }

  async ask(ctx: StrategyContext): Promise<Proposal> {
    const o = this.options;
    if (
      this.observations.scoredCount < o.initial ||
      !this.surrogate.update(this.observations, this.rng, o.initial)
    ) {
      return this.remember(await this.inner.ask(ctx));
    }
    const proposals: Sample[] = [];
    for (let k = 0; k < o.screen; k++) {
      const p = await this.inner.ask({ ...ctx, running: ctx.running + proposals.length });
      if (p.kind !== 'trial') {
        if (proposals.length === 0) return p;
        break;
      }
      proposals.push(p.sample);
    }
    // A repeat of an evaluated or in-flight architecture is never picked while another is available.
    const keys = proposals.map((s) => this.space.key(s));
    const open = proposals.map((_, i) => !this.used(keys[i]!));
    const predictions = proposals.map((s) => this.surrogate.predict(s));
    const predicted = predictions.map((p, i) => (open[i] ? p.mean : -Infinity));
    const best = Math.max(...this.observations.scored().map((ob) => ob.score));
    const ranking =
      o.acquisition === 'mean' ? predicted : acquire(o.acquisition, predictions, best, o.beta, this.rng);
    let pick = -1;
    for (let i = 0; i < proposals.length; i++) {
      if (open[i] && (pick < 0 || ranking[i]! > ranking[pick]!)) pick = i;
    }
    if (pick < 0) pick = 0;
    for (let i = 0; i < proposals.length; i++) {
      if (i === pick) continue;
      // What the search knows best: the measured score of an evaluated repeat, else the prediction.
      const known = this.observations.get(keys[i]!)?.score;
      await this.tellScreened(proposals[i]!, known ?? predicted[i]!, known !== undefined, ctx);
    }
    return this.remember({ kind: 'trial', sample: proposals[pick]! });
  }

  async tell(trial: TrialRecord, ctx: StrategyContext): Promise<void> {
    this.pending.delete(trial.key);
    this.observations.add(trial);
    await this.inner.tell(trial, ctx);
  }

  state(): StrategyState {
    return {
      strategy: this.name,
      version: VERSION,
      data: {
        rng: this.rng.state(),
        observations: this.observations.toJSON(),
        pending: [...this.pending],
        surrogate: this.surrogate.state(),
        told: this.told,
        inner: this.inner.state() as unknown as Json,
      },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    this.inner.restore(data.inner as StrategyState);
    this.observations.load(data.observations, this.name);
    this.pending.clear();
    for (const key of data.pending) this.pending.add(key);
    this.surrogate.restore(data.surrogate);
    this.told = data.told;
    this.rng.setState(data.rng);
  }

  private used(key: string): boolean {
    return this.observations.has(key) || this.pending.has(key);
  }

  private remember(p: Proposal): Proposal {
    if (p.kind === 'trial') this.pending.add(this.space.key(p.sample));
    return p;
  }

  /**
   * A proposal that is not evaluated, told as a finished trial: with its measured score when it repeats
   * an evaluated architecture, else its prediction (or as failed). A repeat of a trial still in flight
   * has neither (-Infinity): it is told as failed.
   */
  private async tellScreened(
    sample: Sample,
    score: number,
    measured: boolean,
    ctx: StrategyContext,
  ): Promise<void> {
    const n = this.told++;
    const asFailed = !measured && (this.options.screened === 'failed' || score === -Infinity);
    const trial: TrialRecord = {
      id: `screened-${n}`,
      experimentId: '',
      number: -1 - n,
      sample,
      key: this.space.key(sample),
      state: asFailed ? 'failed' : 'complete',
      metrics: {},
      ...(asFailed ? {} : { score }),
      cost: 0,
      createdAt: 0,
    };
    await this.inner.tell(trial, ctx);
  }
}

/** The screen entry, given the registry's createStrategy for its inner strategy. */
export function screenStrategy(create: CreateStrategy): StrategyEntry<typeof screenOptions> {
  return defineStrategy({
    name: 'screen',
    description: 'predictor screening: ask another strategy for K proposals, evaluate the best-predicted',
    options: screenOptions,
    // `--strategy evolution --opt screen=10`: any strategy given `screen` is screened by this one.
    wrapsWith: 'screen',
    create: ({ space, options, rng }) => new ScreenStrategy(space, options, rng, create),
  });
}
