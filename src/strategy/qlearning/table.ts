import { base64ToFloat64, float64ToBase64 } from '../../core/blob.js';
import type { Choice } from '../../core/types.js';

/** A choice inside a key: numbers and strings stay apart (1 and "1" are different actions). */
function encodeChoice(choice: Choice): string {
  return typeof choice === 'number' ? `#${choice}` : `'${choice}`;
}

/** The Q-table key of taking `choice` in agent state `state`. */
export function qKey(state: string, choice: Choice): string {
  return `${state} -> ${encodeChoice(choice)}`;
}

/** Saved form: keys in the table's order (least recently updated first) and their values as a blob. */
// A type alias, not an interface: it must be assignable to Json.
export type SavedTable = { readonly keys: readonly string[]; readonly values: string };

/**
 * Tabular Q-values: state+action key -> value, `initial` for pairs never updated. Only updates insert,
 * so the table holds the pairs of episodes replayed so far; it is bounded by `capacity` all the same
 * (a space whose agent state is rich, e.g. the whole prefix, has as many states as prefixes): past it,
 * the least recently updated pair is forgotten and reads `initial` again.
 */
export class QTable {
  private readonly values = new Map<string, number>();

  constructor(
    readonly initial: number,
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.values.size;
  }

  get(key: string): number {
    return this.values.get(key) ?? this.initial;
  }

  /** The largest value among `keys` (the actions of one state); `initial` for none. */
  max(keys: readonly string[]): number {
    if (keys.length === 0) return this.initial;
    let best = -Infinity;
    for (const key of keys) {
      const v = this.get(key);
      if (v > best) best = v;
    }
    return best;
  }

  set(key: string, value: number): void {
    // Re-inserting moves the key to the end of the Map's order: the order is least recently updated first.
    this.values.delete(key);
    this.values.set(key, value);
    if (this.values.size > this.capacity) {
      const oldest = this.values.keys().next();
      if (oldest.done !== true) this.values.delete(oldest.value);
    }
  }

  toJSON(): SavedTable {
    return {
      keys: [...this.values.keys()],
      values: float64ToBase64(Float64Array.from(this.values.values())),
    };
  }

  /** Replaces the content with a saved table (in its saved order). Throws RangeError on a bad blob. */
  load(saved: SavedTable): void {
    const values = base64ToFloat64(saved.values, saved.keys.length);
    this.values.clear();
    saved.keys.forEach((key, i) => this.values.set(key, values[i] as number));
  }
}
