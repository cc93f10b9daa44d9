import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { SearchSpace } from '../core/space.js';
import type { Strategy, StrategyContext } from '../core/strategy.js';
import type { Proposal, Sample, StrategyState, TrialRecord } from '../core/types.js';
import { countArchitectures, enumerate } from '../space/walk.js';
import { defineStrategy } from './define.js';
import { readState, rngStateSchema } from './saved-state.js';

const VERSION = 1;
const DONE: Proposal = { kind: 'done' };

const gridOptions = z.strictObject({
  limit: z.number().int().min(1).default(100_000).describe('refuse spaces with more architectures than this'),
  shuffle: z.boolean().default(false).describe('visit the architectures in a seeded random order'),
});
export type GridOptions = z.output<typeof gridOptions>;

const stateSchema = z.strictObject({
  rng: rngStateSchema,
  /** Seed of the order's shuffle, so a restored grid re-derives the same order. */
  orderSeed: z.number().int().min(0).max(0xffffffff),
  size: z.number().int().min(0),
  position: z.number().int().min(0),
});

/**
 * Grid search: every architecture of the decision tree once, depth first in choice order (or shuffled),
 * then 'done'. The size is checked up front so a huge space fails before the search starts.
 */
export class GridStrategy implements Strategy {
  readonly name = 'grid';
  private readonly size: number;
  private orderSeed: number;
  /** Built on the first ask: creating a grid (e.g. for --help or validation) stays cheap. */
  private order: Sample[] | undefined;
  private position = 0;

  constructor(
    private readonly space: SearchSpace<unknown>,
    private readonly options: GridOptions,
    private readonly rng: Rng,
  ) {
    this.size = countArchitectures(space, options.limit);
    if (this.size > options.limit) {
      throw new ConfigError(
        `strategy "grid": space "${space.name}" has more than ${options.limit} architectures ` +
          `(the grid limit); raise it with --opt limit=N (N at least the space size) ` +
          `or use a sampling strategy such as random or evolution`,
      );
    }
    this.orderSeed = rng.uint32();
  }

  ask(_ctx: StrategyContext): Promise<Proposal> {
    const order = (this.order ??= this.buildOrder());
    const sample = order[this.position];
    if (sample === undefined) return Promise.resolve(DONE);
    this.position++;
    return Promise.resolve({ kind: 'trial', sample });
  }

  tell(_trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    return Promise.resolve();
  }

  state(): StrategyState {
    return {
      strategy: this.name,
      version: VERSION,
      data: { rng: this.rng.state(), orderSeed: this.orderSeed, size: this.size, position: this.position },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    if (data.size !== this.size || data.position > data.size) {
      throw new ConfigError(
        `saved "grid" state is for a space of ${data.size} architectures at position ${data.position}, ` +
          `but space "${this.space.name}" has ${this.size}: resume with the experiment's own space`,
      );
    }
    this.rng.setState(data.rng);
    if (data.orderSeed !== this.orderSeed) this.order = undefined;
    this.orderSeed = data.orderSeed;
    this.position = data.position;
  }

  private buildOrder(): Sample[] {
    const order = enumerate(this.space, this.options.limit);
    return this.options.shuffle ? new Rng(this.orderSeed).shuffle(order) : order;
  }
}

export const gridStrategy = defineStrategy({
  name: 'grid',
  description: 'every architecture of the decision tree once, in order (or shuffled), then done',
  options: gridOptions,
  create: ({ space, options, rng }) => new GridStrategy(space, options, rng),
});
