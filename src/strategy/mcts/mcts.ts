import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type { Choice, Metrics, Proposal, Sample, StrategyState, TrialRecord } from '../../core/types.js';
import { defineStrategy } from '../define.js';
import { ROOT, SearchTree } from './tree.js';
import { RunningRange } from '../reward.js';
import { readState, rngStateSchema } from '../saved-state.js';
import { guideStateShape, ModelGuide, modelFields } from '../model/guide.js';

/** Fresh rollouts tried before giving up on finding an architecture not yet evaluated. */
const FRESH_TRIES = 10;

const VERSION = 1;
const DONE: Proposal = { kind: 'done' };

/*
 * Why these defaults.
 * c = 0.5: rewards are min-max normalised to [0, 1]. UCB1's sqrt(2) (Auer et al. 2002; DeepArchitect's
 * exploration_bonus = 1) comes from Hoeffding's bound, which assumes the worst spread a [0, 1] reward can
 * have. NAS scores are far more concentrated: a few broken architectures stretch the range, so on NB201
 * cifar10 (all 15,625 architectures) normalised scores have sd 0.17 and the five choices of the first
 * decision average 0.72 to 0.84; on nasbench-macro sd 0.056. sqrt(2) * sqrt(ln N / n) (~0.7 after 100
 * results) drowns them: the search stays close to random. UCB1-Tuned (Auer et al. 2002; used by MoGo),
 * which scales the bonus by the observed variance, never uses more than sqrt(1/4) = 0.5 because a [0, 1]
 * reward's variance is at most 1/4: 0.5 is that variance-aware ceiling.
 * backup = mean: UCB1's guarantees are about means. A max backup favours subtrees just for being visited
 * more (the expected maximum of n results grows with n), which reinforces early luck.
 */
const mctsOptions = z.strictObject({
  variant: z
    .enum(['efficient', 'paper'])
    .default('efficient')
    .describe("defaults of the 'auto' options: efficient (surrogate-scored rollouts, AlphaX) or paper"),
  ...modelFields,
  c: z
    .number()
    .min(0)
    .default(0.5)
    .describe(
      'UCB1 exploration constant over rewards min-max normalised to [0, 1] (sqrt(2) = plain UCB1; ' +
        '0.5 = the most UCB1-Tuned explores)',
    ),
  backup: z
    .enum(['mean', 'max'])
    .default('mean')
    .describe('node value: the mean of the results below it (UCT) or their maximum'),
  maxNodes: z
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe('tree size bound; once reached, selection ends in random rollouts without expanding'),
});
export type MctsOptions = z.output<typeof mctsOptions>;

const stateSchema = z.strictObject({
  rng: rngStateSchema,
  range: z.union([z.null(), z.tuple([z.number(), z.number()])]),
  /** The tree as one base64 float64 blob (see SearchTree.toBase64). */
  tree: z.string(),
  /** Proposals not told yet, per key: the tree node each one's path ends at, oldest first. */
  pending: z.array(z.tuple([z.string(), z.array(z.number().int().min(0))])),
  ...guideStateShape,
});

/**
 * UCT over decision prefixes (Kocsis & Szepesvari 2006; for NAS: Negrinho & Gordon's DeepArchitect,
 * Wang et al.'s AlphaX). From the root, UCB1 picks among the choices of fully expanded nodes; at the first
 * node with untried choices one of them, drawn uniformly, becomes a new node; a uniformly random rollout
 * completes the architecture, which is the proposal. Its result is backed up along the path. Parallel asks
 * see the pending proposals as visits with reward 0 (a virtual loss), so they take different paths.
 * Subtrees whose every architecture has been proposed are exhausted and skipped; 'done' once the root is
 * (an architecture whose trial failed counts as proposed: the tree does not retry it). With maxNodes
 * reached, selection still runs but ends in a rollout from the first node with untried choices.
 *
 * With ~100 evaluations of a 6-decision space the tree takes only the first two or three decisions of a
 * proposal (NB201: 2.7 on average, the last of them a uniform expansion) and the rollout the rest, so the
 * gain over random search is real but small; sharing statistics across equal choices (RAVE-like) would be
 * the way to a larger one.
 *
 * The sample-efficient variant (the default; AlphaX, Wang et al. 2019, in spirit) adds a surrogate of the
 * results: the rollout that completes a proposal is the best by Thompson sampling of `candidates` random
 * completions of the selected prefix, and after each result `imagined` simulated iterations descend the
 * tree by UCB1 (without expanding it), roll out at random and back up the surrogate's predicted score,
 * shrunk toward the median result by the trust in the model, so the tree's values reflect the model
 * between real evaluations. Re-proposing an evaluated architecture is avoided while a fresh rollout
 * turns up.
 */
export class MctsStrategy implements Strategy {
  readonly name = 'mcts';
  private tree: SearchTree;
  private range = new RunningRange();
  private readonly pending = new Map<string, number[]>();
  private readonly guide: ModelGuide;
  private last: Metrics | undefined;

  constructor(
    private readonly space: SearchSpace<unknown>,
    private readonly options: MctsOptions,
    private readonly rng: Rng,
  ) {
    this.tree = this.emptyTree();
    const model = options.model !== 'auto' ? options.model : options.variant === 'paper' ? 'off' : 'gp';
    this.guide = new ModelGuide(space, model, options.initial);
  }

  private get efficient(): boolean {
    return this.options.variant === 'efficient';
  }

  /** The number of tree nodes (for tests and the memory bound). */
  get treeSize(): number {
    return this.tree.size;
  }

  /** Proposals out, as the strategy counts them. */
  get pendingCount(): number {
    let n = 0;
    for (const leaves of this.pending.values()) n += leaves.length;
    return n;
  }

  ask(ctx: StrategyContext): Promise<Proposal> {
    // Nothing running means no pending result can ever arrive (lost in a crash): drop their virtual losses.
    if (ctx.running === 0 && this.pending.size > 0) this.clearPending();
    if (this.tree.isExhausted(ROOT)) return Promise.resolve(DONE);
    const { tree, space, rng } = this;
    const prefix: Record<string, Choice> = {};
    let node = ROOT;
    for (let d = space.next(prefix); ; d = space.next(prefix)) {
      if (d === null) {
        // Only an empty space's root gets here (complete nodes are exhausted as soon as they are made).
        tree.markExhausted(node);
        break;
      }
      if (tree.untried(node) > 0) {
        if (tree.size < this.options.maxNodes) {
          const i = tree.untriedChoice(node, rng.int(tree.untried(node)));
          prefix[d.name] = d.choices[i] as Choice;
          const next = space.next(prefix);
          node = tree.expand(node, i, next === null ? 0 : next.choices.length);
          if (next === null) tree.markExhausted(node);
        }
        this.complete(prefix);
        break;
      }
      const child = tree.select(node, this.range, this.options.backup, this.options.c, rng);
      if (child < 0) throw new Error(`mcts: node ${node} has no open child but is not exhausted`);
      node = child;
      prefix[d.name] = d.choices[this.tree.choiceOf(child)] as Choice;
    }
    tree.addPending(node, 1);
    const key = space.key(prefix);
    const leaves = this.pending.get(key);
    if (leaves === undefined) this.pending.set(key, [node]);
    else leaves.push(node);
    return Promise.resolve({ kind: 'trial', sample: prefix });
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    const leaves = this.pending.get(trial.key);
    let leaf: number;
    if (leaves !== undefined && leaves.length > 0) {
      leaf = leaves.shift() as number;
      if (leaves.length === 0) this.pending.delete(trial.key);
      this.tree.addPending(leaf, -1);
    } else {
      // Not proposed by this tree (or already told): credit the deepest node on its path.
      leaf = this.locate(trial.sample);
    }
    // A failed trial has no score: its proposal is released, and nothing is learned.
    if (trial.score === undefined) return Promise.resolve();
    const repeat = this.guide.has(this.guide.keyOf(trial));
    this.guide.observe(trial);
    // Re-proposing an evaluated architecture earns nothing in the efficient variant.
    if (repeat && this.efficient) return Promise.resolve();
    this.range.observe(trial.score);
    this.tree.backup(leaf, trial.score);
    this.last = {
      reward: this.range.normalize(trial.score),
      baseline: this.tree.value(ROOT, this.range, 'mean'),
    };
    const error = this.guide.error;
    if (error !== undefined) this.last = { ...this.last, surrogateError: error };
    this.simulate();
    return Promise.resolve();
  }

  diagnostics(): Metrics | undefined {
    return this.last;
  }

  /**
   * Simulated iterations on the model: UCB1 descent through fully expanded nodes (no expansion, no
   * virtual loss), a random rollout, and a backup of the predicted score shrunk toward the median
   * result by the trust in the model.
   */
  private simulate(): void {
    const count = this.options.imagined;
    if (count === 0 || !this.guide.ready(this.rng)) return;
    const { tree, space, rng } = this;
    const scores = this.guide.observations
      .scored()
      .map((o) => o.score)
      .sort((a, b) => a - b);
    const centre = scores[scores.length >> 1]!;
    const leaves: number[] = [];
    const samples: Sample[] = [];
    for (let k = 0; k < count; k++) {
      const prefix: Record<string, Choice> = {};
      let node = ROOT;
      for (let d = space.next(prefix); d !== null && tree.untried(node) === 0; d = space.next(prefix)) {
        const child = tree.select(node, this.range, this.options.backup, this.options.c, rng);
        if (child < 0) break;
        node = child;
        prefix[d.name] = d.choices[tree.choiceOf(child)] as Choice;
      }
      this.rollout(prefix);
      leaves.push(node);
      samples.push(prefix);
    }
    const predictions = samples.map((s) => this.guide.predict(s));
    const trust = this.guide.trust(predictions);
    predictions.forEach((p, i) => tree.backup(leaves[i]!, centre + trust * (p.mean - centre)));
    if (this.last !== undefined) this.last = { ...this.last, trust };
  }

  /**
   * Completes a selected prefix: with a model, the best of `candidates` random completions by Thompson
   * sampling among those neither evaluated nor in flight; else one random completion (in the efficient
   * variant, one not evaluated when a few tries find it).
   */
  private complete(prefix: Record<string, Choice>): void {
    const fresh = (key: string) => !this.guide.has(key) && !this.pending.has(key);
    if (this.guide.ready(this.rng)) {
      const seen = new Set<string>();
      const pool: Record<string, Choice>[] = [];
      for (let i = 0; i < this.options.candidates; i++) {
        const candidate = { ...prefix };
        this.rollout(candidate);
        const key = this.space.key(candidate);
        if (seen.has(key) || !fresh(key)) continue;
        seen.add(key);
        pool.push(candidate);
      }
      const pick = this.guide.pick(pool, this.rng);
      if (pick >= 0) {
        Object.assign(prefix, pool[pick]);
        return;
      }
    }
    const tries = this.efficient ? FRESH_TRIES : 1;
    const start = { ...prefix };
    for (let i = 0; i < tries; i++) {
      for (const name of Object.keys(prefix)) if (!(name in start)) delete prefix[name];
      this.rollout(prefix);
      if (fresh(this.space.key(prefix))) return;
    }
  }

  state(): StrategyState {
    return {
      strategy: this.name,
      version: VERSION,
      data: {
        rng: this.rng.state(),
        range: this.range.toJSON(),
        tree: this.tree.toBase64(),
        pending: [...this.pending].map(([key, leaves]) => [key, [...leaves]]),
        ...this.guide.state(),
      },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    let tree: SearchTree;
    try {
      tree = SearchTree.fromBase64(data.tree, this.options.maxNodes);
    } catch (e) {
      throw new ConfigError(`saved "mcts" state: the tree is corrupted (${(e as Error).message})`);
    }
    const rootWidth = this.space.next({})?.choices.length ?? 0;
    if (tree.widthOf(ROOT) !== rootWidth) {
      throw new ConfigError(
        `saved "mcts" state: its root has ${tree.widthOf(ROOT)} choices, space "${this.space.name}" ` +
          `starts with ${rootWidth}: resume with the experiment's own space`,
      );
    }
    this.pending.clear();
    for (const [key, leaves] of data.pending) {
      for (const leaf of leaves) {
        if (leaf >= tree.size)
          throw new ConfigError(`saved "mcts" state: pending node ${leaf} is not in the tree`);
        tree.addPending(leaf, 1);
      }
      this.pending.set(key, [...leaves]);
    }
    this.tree = tree;
    this.range = RunningRange.fromJSON(data.range);
    this.guide.restore(data, this.name);
    this.last = undefined;
    this.rng.setState(data.rng);
  }

  private emptyTree(): SearchTree {
    return new SearchTree(this.space.next({})?.choices.length ?? 0, this.options.maxNodes);
  }

  /** Completes `prefix` in place with uniformly random choices. */
  private rollout(prefix: Record<string, Choice>): void {
    for (let d = this.space.next(prefix); d !== null; d = this.space.next(prefix)) {
      prefix[d.name] = this.rng.pick(d.choices);
    }
  }

  /** The deepest existing node on the path of `sample`. */
  private locate(sample: Sample): number {
    const prefix: Record<string, Choice> = {};
    let node = ROOT;
    for (let d = this.space.next(prefix); d !== null; d = this.space.next(prefix)) {
      const value = sample[d.name];
      const i = value === undefined ? -1 : d.choices.indexOf(value);
      const child = i < 0 ? -1 : this.tree.child(node, i);
      if (child < 0) break;
      node = child;
      prefix[d.name] = value as Choice;
    }
    return node;
  }

  private clearPending(): void {
    for (const leaves of this.pending.values()) for (const leaf of leaves) this.tree.addPending(leaf, -1);
    this.pending.clear();
  }
}

export const mctsStrategy = defineStrategy({
  name: 'mcts',
  description:
    'UCT over decision prefixes: UCB1 selection, one new node per ask, mean or max backup; by default ' +
    'surrogate-scored rollouts and simulations (AlphaX; variant=paper: one random rollout)',
  options: mctsOptions,
  create: ({ space, options, rng }) => new MctsStrategy(space, options, rng),
});
