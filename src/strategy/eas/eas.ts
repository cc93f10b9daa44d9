import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type { Json, Proposal, Sample, StrategyState, TrialRecord } from '../../core/types.js';
import { MorphSpace } from '../../space/morph.js';
import { EasController } from './controller.js';
import { decodeWeights, encodeWeights, weightsSchema, type Weights } from './weights.js';
import { defineStrategy } from '../define.js';
import { baselineSchema, EmaBaseline } from '../pg/baseline.js';
import { Adam } from '../../numeric/adam.js';
import { readState, rngStateSchema } from '../saved-state.js';

const VERSION = 1;

const easOptions = z.strictObject({
  hidden: z.number().int().min(1).default(50).describe('encoder LSTM units per direction (EAS: 50)'),
  lr: z.number().positive().default(0.003).describe('Adam learning rate of the meta-controller'),
  gradClip: z.number().min(0).default(5).describe('clip the controller gradient to this L2 norm; 0 = off'),
  baselineMomentum: z.number().min(0).lt(1).default(0.9).describe('EMA reward baseline momentum'),
  entropy: z
    .number()
    .min(0)
    .default(0.01)
    .describe('entropy bonus weight (rewards are tan-transformed accuracies)'),
  temperature: z.number().positive().default(1).describe('logits are divided by this'),
  tanhClip: z.number().min(0).default(2.5).describe('c * tanh(logits / c); 0 = off'),
  children: z
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('children per episode (one REINFORCE update) (EAS: 10)'),
  steps: z.number().int().min(1).default(3).describe('transformations per child (EAS: 5)'),
  episodes: z.number().int().min(0).default(0).describe('episodes, then done; 0 = until the budget ends'),
  reward: z
    .enum(['tan', 'accuracy'])
    .default('tan')
    .describe('tan: tan(acc * pi / 2) as EAS; accuracy: as is'),
  baseEpochs: z.number().int().min(1).default(3).describe('epochs the start network trains from scratch'),
  noise: z
    .number()
    .min(0)
    .default(0.05)
    .describe('widen: symmetry-breaking share noise (function-preserving)'),
});
export type EasOptions = z.output<typeof easOptions>;

/** How the eas evaluator trains a trial: from its parent's weights, or from scratch. */
export interface EasStart {
  /** The trained network the sample grows from (its first `steps` transformations); absent: from scratch. */
  readonly parent?: { readonly sample: Sample; readonly weights: Weights };
  /** Epochs from scratch (the start network); absent for a child, which trains the evaluator's epochs. */
  readonly epochs?: number;
  readonly noise: number;
}

/** What the eas evaluator calls during a trial. */
export interface EasLineage {
  /** The space of transformation sequences its samples live in (the evaluator replays a child's steps). */
  readonly space: MorphSpace;
  startOf(sample: Sample): EasStart;
  /** The trained weights of a trial's network, before the runner tells its result. */
  offer(key: string, weights: Weights): void;
}

const networkSchema = z.strictObject({
  steps: z.array(z.string()),
  score: z.number(),
  weights: weightsSchema,
});
const stateSchema = z.strictObject({
  rng: rngStateSchema,
  controller: z.json(),
  adam: z.json(),
  baseline: baselineSchema,
  baseAsked: z.boolean(),
  failed: z.boolean(),
  episode: z.number().int().min(0),
  proposed: z.number().int().min(0),
  pending: z.array(z.strictObject({ key: z.string(), steps: z.array(z.string()), parent: z.number().int() })),
  results: z.array(
    z.strictObject({ steps: z.array(z.string()), parent: z.number().int(), reward: z.number() }),
  ),
  parent: networkSchema.nullable(),
  best: networkSchema.nullable(),
  /** The best network is the parent (saved once). */
  bestIsParent: z.boolean(),
});

interface Network {
  readonly steps: readonly string[];
  readonly score: number;
  readonly weights: Weights;
}

/** A proposal or result: the full transformation list and how many of them its parent had. */
interface Child {
  readonly steps: readonly string[];
  readonly parent: number;
}

/**
 * EAS (Cai et al. 2018) over a `morph` space: trial 0 is the start network, trained from scratch; then
 * each episode the meta-controller (controller.ts) grows `children` children from the parent (the
 * best network so far when the episode began) by `steps` transformations each; the eas evaluator
 * trains each briefly from the parent's weights, which the transformations preserve; then one
 * REINFORCE update on their rewards. The parent's and the best network's weights ride in this state,
 * so they are stored with the trials that made them and resume continues exactly.
 */
export class EasStrategy implements Strategy, EasLineage {
  readonly name = 'eas';
  readonly space: MorphSpace;
  private readonly controller: EasController;
  private readonly adam: Adam;
  private readonly baseline: EmaBaseline;
  private baseAsked = false;
  private failed = false;
  private episode = 0;
  private proposed = 0;
  private pending: (Child & { key: string })[] = [];
  private results: (Child & { reward: number })[] = [];
  private parent: Network | undefined;
  private best: Network | undefined;
  /** Weights of evaluated trials not yet told (not state: a trial killed before its tell runs again). */
  private readonly offered = new Map<string, Weights>();
  /** Networks' encoded weights: state() runs on every trial, the networks change once an episode. */
  private readonly encoded = new WeakMap<Network, Json>();

  constructor(
    space: SearchSpace<unknown>,
    readonly options: EasOptions,
    private readonly rng: Rng,
  ) {
    if (!(space instanceof MorphSpace)) {
      throw new ConfigError(
        `strategy eas grows networks by transformations: it needs space: { type: morph, base: ..., start: ... } (found "${space.name}")`,
      );
    }
    this.space = space;
    const { hidden, temperature, tanhClip } = options;
    this.controller = new EasController(
      {
        hidden,
        kernels: space.rules.kernels.length,
        merges: space.rules.merges.length,
        shaping: { temperature, tanhClip },
      },
      rng,
    );
    this.adam = new Adam({ lr: options.lr, clipNorm: options.gradClip });
    this.baseline = new EmaBaseline(options.baselineMomentum);
  }

  startOf(sample: Sample): EasStart {
    const key = this.space.key(sample);
    const p = this.pending.find((x) => x.key === key);
    const parent = this.parent;
    if (p !== undefined && p.parent >= 0 && parent !== undefined && parent.steps.length === p.parent) {
      return {
        parent: { sample: this.space.sampleOf(parent.steps), weights: parent.weights },
        noise: this.options.noise,
      };
    }
    return { epochs: this.options.baseEpochs, noise: this.options.noise };
  }

  offer(key: string, weights: Weights): void {
    this.offered.set(key, weights);
  }

  ask(_ctx: StrategyContext): Promise<Proposal> {
    return Promise.resolve(this.next());
  }

  private next(): Proposal {
    if (this.failed) return { kind: 'done' };
    if (!this.baseAsked) {
      this.baseAsked = true;
      return this.propose({ steps: [], parent: -1 });
    }
    const parent = this.parent;
    if (parent === undefined) return { kind: 'wait' };
    const { episodes, children } = this.options;
    if (episodes > 0 && this.episode >= episodes) return { kind: 'done' };
    if (this.proposed >= children) return { kind: 'wait' };
    const room = this.space.options.maxSteps - parent.steps.length;
    if (room <= 0) return { kind: 'done' };
    const steps = [...parent.steps];
    for (let i = 0; i < Math.min(this.options.steps, room); i++) {
      const options = this.space.optionsAfter(steps);
      if (options.length === 0) break;
      const graph = this.space.decode(this.space.sampleOf(steps));
      steps.push(this.controller.step(graph, options, this.rng).option.choice);
    }
    this.proposed++;
    return this.propose({ steps, parent: parent.steps.length });
  }

  private propose(child: Child): Proposal {
    const sample = this.space.sampleOf(child.steps);
    this.pending.push({ ...child, key: this.space.key(sample) });
    return { kind: 'trial', sample };
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    const at = this.pending.findIndex((p) => p.key === trial.key);
    const weights = this.offered.get(trial.key);
    this.offered.delete(trial.key);
    if (at < 0) return Promise.resolve();
    const [child] = this.pending.splice(at, 1) as [Child & { key: string }];
    const complete = trial.state === 'complete' && trial.score !== undefined && Number.isFinite(trial.score);
    const better =
      complete && weights !== undefined && (this.best === undefined || trial.score! > this.best.score);
    if (better) this.best = { steps: child.steps, score: trial.score!, weights: weights! };
    if (child.parent < 0) {
      // The start network: every child grows from it, so without it there is nothing to do.
      if (better) this.parent = this.best;
      else this.failed = true;
      return Promise.resolve();
    }
    this.results.push({ ...child, reward: this.reward(trial.score) });
    if (this.results.length >= this.options.children && this.pending.length === 0) this.learn();
    return Promise.resolve();
  }

  /** EAS's reward: tan(acc * pi / 2) stresses gains near the top; invalid or failed children get their score or 0. */
  private reward(score: number | undefined): number {
    const s = score !== undefined && Number.isFinite(score) ? score : 0;
    return this.options.reward === 'tan' ? Math.tan(Math.min(s, 0.99) * (Math.PI / 2)) : s;
  }

  /** One REINFORCE step over the episode's children, then the next episode grows from the best network. */
  private learn(): void {
    const n = this.results.length;
    const params = this.controller.params;
    params.zeroGrad();
    for (const r of this.results) {
      const advantage = this.baseline.advantage(r.reward);
      for (let i = r.parent; i < r.steps.length; i++) {
        const prefix = r.steps.slice(0, i);
        const graph = this.space.decode(this.space.sampleOf(prefix));
        this.controller.step(graph, this.space.optionsAfter(prefix), r.steps[i]!);
        // The loss is -(advantage * log p + entropy weight * H), averaged over the children.
        this.controller.backward(-advantage / n, -this.options.entropy / n);
      }
    }
    this.adam.update(params);
    this.results = [];
    this.proposed = 0;
    this.episode++;
    this.parent = this.best;
  }

  state(): StrategyState {
    const network = (x: Network | undefined): Json => {
      if (x === undefined) return null;
      let weights = this.encoded.get(x);
      if (weights === undefined) this.encoded.set(x, (weights = encodeWeights(x.weights)));
      return { steps: [...x.steps], score: x.score, weights };
    };
    const bestIsParent = this.best !== undefined && this.best === this.parent;
    return {
      strategy: this.name,
      version: VERSION,
      data: {
        rng: this.rng.state(),
        controller: this.controller.toJSON(),
        adam: this.adam.toJSON(),
        baseline: this.baseline.toJSON(),
        baseAsked: this.baseAsked,
        failed: this.failed,
        episode: this.episode,
        proposed: this.proposed,
        pending: this.pending.map((p) => ({ key: p.key, steps: [...p.steps], parent: p.parent })),
        results: this.results.map((r) => ({ steps: [...r.steps], parent: r.parent, reward: r.reward })),
        parent: network(this.parent),
        best: bestIsParent ? null : network(this.best),
        bestIsParent,
      },
    };
  }

  restore(state: StrategyState): void {
    const d = readState(state, this.name, VERSION, stateSchema);
    this.rng.setState(d.rng);
    this.controller.load(d.controller);
    this.adam.load(d.adam);
    this.baseline.load(d.baseline);
    this.baseAsked = d.baseAsked;
    this.failed = d.failed;
    this.episode = d.episode;
    this.proposed = d.proposed;
    this.pending = d.pending;
    this.results = d.results;
    const network = (x: z.output<typeof networkSchema> | null, what: string): Network | undefined =>
      x === null
        ? undefined
        : { steps: x.steps, score: x.score, weights: decodeWeights(x.weights, `saved eas ${what} weights`) };
    this.parent = network(d.parent, 'parent');
    this.best = d.bestIsParent ? this.parent : network(d.best, 'best');
  }
}

export const easStrategy = defineStrategy({
  name: 'eas',
  description:
    'EAS: a bidirectional-LSTM meta-controller grows the best network by function-preserving widen/deepen/split; needs space morph',
  options: easOptions,
  // The train evaluator's settings, but each child starts from its parent's weights, which this
  // strategy keeps: the 'eas' evaluator is built from `type: train` in its place.
  evaluator: {
    types: ['train'],
    implementation: 'eas',
    why: 'its children train from their parents’ weights',
  },
  distributable: false,
  create: ({ space, options, rng }) => new EasStrategy(space, options, rng),
});
