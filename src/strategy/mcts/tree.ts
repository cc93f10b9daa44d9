import { base64ToFloat64, float64ToBase64 } from '../../core/blob.js';
import type { Rng } from '../../core/rng.js';
import type { RunningRange } from '../reward.js';

export type Backup = 'mean' | 'max';

/** Node fields in the saved blob, per node in this order. */
const SAVED_FIELDS = 9;
const ROOT = 0;

/**
 * The UCT search tree over decision prefixes, in flat typed arrays (node 0 is the empty prefix; a node's
 * children are the choices of the decision its prefix asks next). Scores are kept raw (sums, maxima) and
 * normalised through the observed range only when a node is compared, so no stored value goes stale when
 * the range widens.
 */
export class SearchTree {
  size = 0;
  private parent = new Int32Array(0);
  /** Index of the choice taken from the parent's decision. */
  private choice = new Int32Array(0);
  /** Choices of the decision asked at this prefix; 0 = a complete architecture. */
  private width = new Int32Array(0);
  /** Children created so far, and how many of them are exhausted. */
  private expanded = new Int32Array(0);
  private doneChildren = new Int32Array(0);
  /** 1 when every architecture below has been proposed: selection never enters it again. */
  private exhausted = new Uint8Array(0);
  /** Results backed up; of those, finite ones (summed) and +Infinity ones; -Infinity is the rest. */
  private visits = new Float64Array(0);
  private finite = new Float64Array(0);
  private high = new Float64Array(0);
  private sum = new Float64Array(0);
  private best = new Float64Array(0);
  /** Proposals out through this node (the virtual loss of parallel asks). */
  private pending = new Int32Array(0);
  private children: (Int32Array | undefined)[] = [];

  /** `limit` caps the node arrays' capacity (the owner stops expanding at its maxNodes). */
  constructor(
    rootWidth: number,
    private readonly limit = Number.MAX_SAFE_INTEGER,
  ) {
    this.add(-1, -1, rootWidth);
  }

  isExhausted(node: number): boolean {
    return this.exhausted[node] === 1;
  }

  widthOf(node: number): number {
    return this.width[node] as number;
  }

  /** The child reached by choice index `i`, or -1 when it has not been created. */
  child(node: number, i: number): number {
    return this.children[node]?.[i] ?? -1;
  }

  parentOf(node: number): number {
    return this.parent[node] as number;
  }

  choiceOf(node: number): number {
    return this.choice[node] as number;
  }

  visitsOf(node: number): number {
    return this.visits[node] as number;
  }

  pendingOf(node: number): number {
    return this.pending[node] as number;
  }

  /** How many choices of `node` have no child yet. */
  untried(node: number): number {
    return (this.width[node] as number) - (this.expanded[node] as number);
  }

  /** The choice index of the k-th untried choice (k in [0, untried)). */
  untriedChoice(node: number, k: number): number {
    const kids = this.children[node];
    for (let i = 0, seen = 0; i < (this.width[node] as number); i++) {
      if ((kids?.[i] ?? -1) >= 0) continue;
      if (seen++ === k) return i;
    }
    throw new RangeError(`node ${node} has no untried choice #${k}`);
  }

  /** Creates the child of `node` for choice `i`, whose own decision has `width` choices. */
  expand(node: number, i: number, width: number): number {
    let kids = this.children[node];
    if (kids === undefined) {
      kids = new Int32Array(this.width[node] as number).fill(-1);
      this.children[node] = kids;
    }
    const id = this.add(node, i, width);
    kids[i] = id;
    bump(this.expanded, node, 1);
    return id;
  }

  /** Marks a node exhausted; a parent whose children are all exhausted becomes exhausted too. */
  markExhausted(node: number): void {
    if (this.exhausted[node] === 1) return;
    this.exhausted[node] = 1;
    for (let p = this.parent[node] as number; p >= 0; p = this.parent[p] as number) {
      if (bump(this.doneChildren, p, 1) < (this.width[p] as number)) return;
      this.exhausted[p] = 1;
    }
  }

  /** Adds `delta` pending proposals on the path from `leaf` up to the root. */
  addPending(leaf: number, delta: number): void {
    for (let n = leaf; n >= 0; n = this.parent[n] as number) bump(this.pending, n, delta);
  }

  /** Records one result on the path from `leaf` up to the root. NaN is no result. */
  backup(leaf: number, score: number): void {
    if (Number.isNaN(score)) return;
    for (let n = leaf; n >= 0; n = this.parent[n] as number) {
      bump(this.visits, n, 1);
      if (Number.isFinite(score)) {
        bump(this.finite, n, 1);
        bump(this.sum, n, score);
      } else if (score > 0) bump(this.high, n, 1);
      if (score > (this.best[n] as number)) this.best[n] = score;
    }
  }

  /**
   * The value of a node in [0, 1] under the current range. Mean: the average normalised result, pending
   * proposals counting as 0 (a virtual loss, so parallel asks spread out). Max: the best result seen below.
   */
  value(node: number, range: RunningRange, backup: Backup): number {
    const visits = this.visits[node] as number;
    if (visits === 0) return 0;
    if (backup === 'max') return range.normalize(this.best[node] as number);
    const finite = this.finite[node] as number;
    const normalisedSum =
      (finite > 0 ? finite * range.normalize((this.sum[node] as number) / finite) : 0) +
      (this.high[node] as number);
    return normalisedSum / (visits + (this.pending[node] as number));
  }

  /**
   * UCB1 among the children of a fully expanded node that are not exhausted:
   * argmax value(child) + c * sqrt(ln N(node) / N(child)), N counting pending proposals too. A child with
   * N = 0 comes first; exact ties are broken uniformly with `rng`. Returns -1 when every child is exhausted.
   */
  select(node: number, range: RunningRange, backup: Backup, c: number, rng: Rng): number {
    const kids = this.children[node];
    if (kids === undefined) return -1;
    const logN = Math.log(Math.max(1, (this.visits[node] as number) + (this.pending[node] as number)));
    let bestScore = -Infinity;
    let ties = 0;
    let chosen = -1;
    for (let i = 0; i < kids.length; i++) {
      const kid = kids[i] as number;
      if (kid < 0 || this.exhausted[kid] === 1) continue;
      const n = (this.visits[kid] as number) + (this.pending[kid] as number);
      const score = n === 0 ? Infinity : this.value(kid, range, backup) + c * Math.sqrt(logN / n);
      if (score > bestScore) {
        bestScore = score;
        chosen = kid;
        ties = 1;
      } else if (score === bestScore && rng.int(++ties) === 0) {
        // Reservoir sampling over the tied children: each is kept with probability 1 / ties.
        chosen = kid;
      }
    }
    return chosen;
  }

  /** The tree as one float64 blob (parent, choice, width, visits, finite, high, sum, best, exhausted). */
  toBase64(): string {
    const out = new Float64Array(this.size * SAVED_FIELDS);
    for (let n = 0; n < this.size; n++) {
      const o = n * SAVED_FIELDS;
      out[o] = this.parent[n] as number;
      out[o + 1] = this.choice[n] as number;
      out[o + 2] = this.width[n] as number;
      out[o + 3] = this.visits[n] as number;
      out[o + 4] = this.finite[n] as number;
      out[o + 5] = this.high[n] as number;
      out[o + 6] = this.sum[n] as number;
      out[o + 7] = this.best[n] as number;
      out[o + 8] = this.exhausted[n] as number;
    }
    return float64ToBase64(out);
  }

  /** Rebuilds a tree saved by toBase64 (pending counts start at 0: the owner re-adds its proposals). */
  static fromBase64(text: string, limit?: number): SearchTree {
    const data = base64ToFloat64(text);
    const count = data.length / SAVED_FIELDS;
    if (!Number.isInteger(count) || count < 1) throw new RangeError('the saved tree holds no root');
    const tree = new SearchTree(data[2] as number, Math.max(limit ?? 0, count));
    for (let n = 0; n < count; n++) {
      const o = n * SAVED_FIELDS;
      const parent = data[o] as number;
      const choice = data[o + 1] as number;
      if (n > 0) {
        if (!(parent >= 0 && parent < n) || !(choice >= 0 && choice < (tree.width[parent] as number))) {
          throw new RangeError(`the saved tree's node ${n} has no valid parent`);
        }
        if (tree.child(parent, choice) >= 0)
          throw new RangeError(`the saved tree's node ${n} is a duplicate`);
        tree.expand(parent, choice, data[o + 2] as number);
      }
      tree.visits[n] = data[o + 3] as number;
      tree.finite[n] = data[o + 4] as number;
      tree.high[n] = data[o + 5] as number;
      tree.sum[n] = data[o + 6] as number;
      tree.best[n] = data[o + 7] as number;
      if (data[o + 8] === 1) tree.exhausted[n] = 1;
    }
    // Children come after their parents, so counting exhausted children in reverse order is complete.
    for (let n = count - 1; n > 0; n--)
      if (tree.exhausted[n] === 1) bump(tree.doneChildren, tree.parent[n] as number, 1);
    return tree;
  }

  private add(parent: number, choice: number, width: number): number {
    if (this.size === this.parent.length) this.grow(Math.min(this.limit, Math.max(16, this.size * 2)));
    const id = this.size++;
    this.parent[id] = parent;
    this.choice[id] = choice;
    this.width[id] = width;
    this.best[id] = -Infinity;
    return id;
  }

  private grow(capacity: number): void {
    const resize = <T extends Int32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(Math.max(capacity, this.size + 1));
      next.set(old);
      return next;
    };
    this.parent = resize(this.parent, (n) => new Int32Array(n));
    this.choice = resize(this.choice, (n) => new Int32Array(n));
    this.width = resize(this.width, (n) => new Int32Array(n));
    this.expanded = resize(this.expanded, (n) => new Int32Array(n));
    this.doneChildren = resize(this.doneChildren, (n) => new Int32Array(n));
    this.exhausted = resize(this.exhausted, (n) => new Uint8Array(n));
    this.visits = resize(this.visits, (n) => new Float64Array(n));
    this.finite = resize(this.finite, (n) => new Float64Array(n));
    this.high = resize(this.high, (n) => new Float64Array(n));
    this.sum = resize(this.sum, (n) => new Float64Array(n));
    this.best = resize(this.best, (n) => new Float64Array(n));
    this.pending = resize(this.pending, (n) => new Int32Array(n));
  }
}

export { ROOT };

/** array[i] += delta, returning the new value (typed arrays: no undefined on a valid index). */
function bump(array: Int32Array | Float64Array, i: number, delta: number): number {
  const next = (array[i] as number) + delta;
  array[i] = next;
  return next;
}
