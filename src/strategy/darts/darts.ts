import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type { Json, Proposal, Sample, StrategyState, TrialRecord } from '../../core/types.js';
import { CellSpace } from '../../space/cell.js';
import { dartsEdges, dartsOps, discretize, type DartsEdge } from './genotype.js';
import { defineStrategy } from '../define.js';
import { Adam } from '../../numeric/adam.js';
import { ParamVector } from '../../numeric/params.js';
import { readState, rngStateSchema } from '../saved-state.js';

const VERSION = 1;

/** DARTS's defaults (Liu et al. 2019, first order): Adam 3e-4, betas (0.5, 0.999), L2 1e-3 on alpha. */
const dartsOptions = z.strictObject({
  epochs: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('search epochs, one trial each: alternating architecture and weight steps'),
  none: z
    .boolean()
    .default(true)
    .describe('the zero op is a candidate of every edge (DARTS); the discretisation never picks it'),
  archLr: z.number().positive().default(3e-4).describe('Adam learning rate of the architecture weights'),
  archBeta1: z.number().min(0).lt(1).default(0.5).describe("Adam's beta1 for alpha"),
  archBeta2: z.number().min(0).lt(1).default(0.999).describe("Adam's beta2 for alpha"),
  archWeightDecay: z.number().min(0).default(1e-3).describe('L2 penalty on alpha, added to its gradient'),
  initScale: z.number().min(0).default(1e-3).describe('alpha starts at initScale * N(0, 1)'),
  retrain: z
    .boolean()
    .default(true)
    .describe('end with the discretised cell trained from scratch (evaluator.retrain settings)'),
});
export type DartsOptions = z.output<typeof dartsOptions>;

/** What the trial being evaluated is for; the darts evaluator reads it from the strategy. */
export type DartsPlan =
  | { readonly phase: 'search'; /** 0-based. */ readonly epoch: number; readonly epochs: number }
  | { readonly phase: 'retrain' };

/** State that is the evaluator's but is saved with the strategy's, atomically with each trial (the weights). */
export interface DartsCompanion {
  state(): Json;
  restore(saved: Json): void;
}

/** What the darts evaluator uses during a trial. */
export interface DartsController {
  plan(): DartsPlan;
  /** The relaxation: its edges (alphas are stored in this order) and every edge's candidate ops. */
  readonly edges: readonly DartsEdge[];
  readonly ops: readonly string[];
  /** Edge e's architecture weights (a live view; ops order). */
  alpha(edge: number): Float64Array;
  /** One Adam step on alpha given d loss / d alpha, edge after edge (each edge's sum over its cells). */
  learn(grad: Float64Array): void;
  /** The current discretised architecture. */
  genotype(): Sample;
  attach(companion: DartsCompanion): void;
}

const stateSchema = z.strictObject({
  rng: rngStateSchema,
  alpha: z.string(),
  adam: z.json(),
  asked: z.number().int().min(0),
  companion: z.json(),
});

/**
 * DARTS (Liu et al. 2019, first order) as a strategy over the `cell` space: it owns the architecture
 * weights alpha (one vector of candidate-op weights per edge of the normal and of the reduction cell)
 * and their Adam; the `darts` evaluator owns the network (every edge a mixture of every op) and its
 * weights, and calls back here (DartsController) for alpha and its updates. Trials: `epochs` search
 * epochs, each proposing the current discretisation (the architecture the epoch starts from), then
 * (retrain) the final discretisation, trained from scratch. One trial at a time. The evaluator's
 * weights ride in this state, so resume is exact.
 */
export class DartsStrategy implements Strategy, DartsController {
  readonly name = 'darts';
  readonly edges: readonly DartsEdge[];
  readonly ops: readonly string[];
  private readonly params = new ParamVector();
  private readonly adam: Adam;
  private asked = 0;
  private companion: DartsCompanion | undefined;
  private pendingCompanion: Json = null;

  constructor(
    readonly space: CellSpace,
    private readonly options: DartsOptions,
    private readonly rng: Rng,
  ) {
    this.edges = dartsEdges(space.options);
    this.ops = dartsOps(space.options, options.none);
    this.params.alloc(this.edges.length * this.ops.length, () => options.initScale * rng.normal());
    this.adam = new Adam({
      lr: options.archLr,
      beta1: options.archBeta1,
      beta2: options.archBeta2,
      clipNorm: 0,
    });
  }

  attach(companion: DartsCompanion): void {
    this.companion = companion;
    if (this.pendingCompanion !== null) companion.restore(this.pendingCompanion);
    this.pendingCompanion = null;
  }

  private planOf(n: number): DartsPlan | undefined {
    const { epochs, retrain } = this.options;
    if (n < epochs) return { phase: 'search', epoch: n, epochs };
    if (retrain && n === epochs) return { phase: 'retrain' };
    return undefined;
  }

  plan(): DartsPlan {
    const plan = this.asked === 0 ? undefined : this.planOf(this.asked - 1);
    if (plan === undefined) throw new ConfigError('darts: no trial has been proposed yet');
    return plan;
  }

  alpha(edge: number): Float64Array {
    const k = this.ops.length;
    return this.params.values.subarray(edge * k, (edge + 1) * k);
  }

  learn(grad: Float64Array): void {
    if (grad.length !== this.params.size) {
      throw new RangeError(`darts: ${grad.length} alpha gradients for ${this.params.size} weights`);
    }
    const decay = this.options.archWeightDecay;
    for (let i = 0; i < grad.length; i++) {
      this.params.grad[i] = (grad[i] as number) + decay * (this.params.values[i] as number);
    }
    this.adam.update(this.params);
  }

  genotype(): Sample {
    return discretize(this.edges, this.ops, (e) => this.alpha(e));
  }

  ask(ctx: StrategyContext): Promise<Proposal> {
    if (this.planOf(this.asked) === undefined) return Promise.resolve({ kind: 'done' });
    // One trial at a time: an epoch changes alpha and the weights the next trial starts from.
    if (ctx.running > 0) return Promise.resolve({ kind: 'wait' });
    this.asked++;
    return Promise.resolve({ kind: 'trial', sample: this.genotype() });
  }

  tell(_trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    return Promise.resolve();
  }

  state(): StrategyState {
    return {
      strategy: this.name,
      version: VERSION,
      data: {
        rng: this.rng.state(),
        alpha: this.params.valuesBlob(),
        adam: this.adam.toJSON(),
        asked: this.asked,
        companion: this.companion?.state() ?? this.pendingCompanion,
      },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    this.params.loadValues(data.alpha);
    this.adam.load(data.adam);
    this.rng.setState(data.rng);
    this.asked = data.asked;
    if (this.companion !== undefined && data.companion !== null) this.companion.restore(data.companion);
    else this.pendingCompanion = data.companion;
  }
}

export const dartsStrategy = defineStrategy({
  name: 'darts',
  description:
    'DARTS (first order): architecture weights over a relaxed cell space, trained by gradient; needs evaluator darts',
  options: dartsOptions,
  evaluator: { types: ['darts'], why: 'its relaxed network' },
  // An epoch's discretised architecture is often the last one's, and the retrained one is the last epoch's.
  duplicates: 'evaluate',
  distributable: false,
  create: ({ space, options, rng }) => {
    if (!(space instanceof CellSpace)) {
      throw new ConfigError(
        `strategy darts relaxes the cell space's choices: set space: { type: cell, ... } (found "${space.name}")`,
      );
    }
    return new DartsStrategy(space, options, rng);
  },
});

export type { DartsEdge };
