import { z } from 'zod';
import { ConfigError, InvalidArchitectureError } from '../../core/errors.js';
import type { Choice, Decision } from '../../core/types.js';

export interface Block {
  /** Offset of the decision's parameters in the flat vector. */
  readonly offset: number;
  /** Number of choices. */
  readonly k: number;
}

/** Saved layout: [decision name, number of choices], in creation order. */
export const blockListSchema = z.array(z.tuple([z.string(), z.number().int().min(1)]));
export type BlockList = z.output<typeof blockListSchema>;

/**
 * The per-decision parameter blocks of a policy, created the first time a decision is met (so
 * conditional and variable-length spaces work without knowing every decision up front). Creation order
 * fixes the layout of the flat parameter vector; it is saved with the weights so a restore rebuilds it.
 */
export class DecisionBlocks {
  private readonly byKey = new Map<string, Block>();
  private readonly order: [string, number][] = [];

  constructor(private readonly create: (k: number) => number) {}

  /** The block of decision `d`, created now if new. */
  get(d: Decision): Block {
    const k = d.choices.length;
    const found = this.byKey.get(blockKey(d.name, k));
    if (found !== undefined) return found;
    if (k === 0) throw new InvalidArchitectureError(`decision "${d.name}" has no choices`);
    return this.add(d.name, k);
  }

  clear(): void {
    this.byKey.clear();
    this.order.length = 0;
  }

  toJSON(): BlockList {
    return this.order.map(([name, k]) => [name, k]);
  }

  /**
   * Recreates a saved layout with `create` (which must not draw from the Rng: the saved weights
   * overwrite the values). The caller has reset the parameter vector to its fixed part first.
   */
  rebuild(list: BlockList, create: (k: number) => number): void {
    this.clear();
    for (const [name, k] of list) {
      if (this.byKey.has(blockKey(name, k))) {
        throw new ConfigError(`saved policy: decision "${name}" with ${k} choices appears twice`);
      }
      this.add(name, k, create);
    }
  }

  private add(name: string, k: number, create = this.create): Block {
    const block = { offset: create(k), k };
    this.byKey.set(blockKey(name, k), block);
    this.order.push([name, k]);
    return block;
  }
}

/**
 * Blocks are keyed by decision name and number of choices: a space whose decision offers another
 * number of choices after another prefix (a conditional space may) gets a head of the right size.
 */
function blockKey(name: string, k: number): string {
  return `${k}:${name}`;
}

/** Index of the sample's choice for decision `d`; InvalidArchitectureError when missing or not allowed. */
export function choiceIndex(d: Decision, value: Choice | undefined): number {
  const index = value === undefined ? -1 : d.choices.indexOf(value);
  if (index < 0) {
    throw new InvalidArchitectureError(
      `decision "${d.name}" has ${JSON.stringify(value)}, expected one of: ${d.choices.join(', ')}`,
    );
  }
  return index;
}
