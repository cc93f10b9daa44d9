import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { ROOT, SearchTree } from './tree.js';
import { RunningRange } from '../reward.js';

/** A root with `scores.length` children (no deeper decision); child i gets the results scores[i]. */
function rootWith(scores: number[][]): { tree: SearchTree; range: RunningRange; kids: number[] } {
  const tree = new SearchTree(scores.length);
  const range = new RunningRange();
  const kids = scores.map((list, i) => {
    const kid = tree.expand(ROOT, i, 2);
    for (const s of list) {
      range.observe(s);
      tree.backup(kid, s);
    }
    return kid;
  });
  return { tree, range, kids };
}

describe('SearchTree', () => {
  it('selects by UCB1 on normalised means: a worked example', () => {
    // Range [10, 60], so normalise(x) = (x - 10) / 50. Root N = 6, ln 6 = 1.791759.
    //   A: [30]             n = 1, Q = 0.4
    //   B: [60, 60, 50, 50] n = 4, Q = (55 - 10) / 50 = 0.9
    //   C: [10]             n = 1, Q = 0
    const { tree, range, kids } = rootWith([[30], [60, 60, 50, 50], [10]]);
    const [a, b, c] = kids as [number, number, number];
    expect(tree.visitsOf(ROOT)).toBe(6);
    expect(tree.value(a, range, 'mean')).toBeCloseTo(0.4, 12);
    expect(tree.value(b, range, 'mean')).toBeCloseTo(0.9, 12);
    expect(tree.value(c, range, 'mean')).toBe(0);
    const rng = new Rng(1);
    // c = 0.5: A 0.4 + 0.5 sqrt(1.791759 / 1) = 1.069283; B 0.9 + 0.5 sqrt(1.791759 / 4) = 1.234641;
    //          C 0 + 0.669283 = 0.669283 -> B.
    expect(tree.select(ROOT, range, 'mean', 0.5, rng)).toBe(b);
    // c = 1:   A 0.4 + 1.338566 = 1.738566; B 0.9 + 0.669283 = 1.569283; C 1.338566 -> A (exploration wins).
    expect(tree.select(ROOT, range, 'mean', 1, rng)).toBe(a);
    // c = 0: pure exploitation -> B.
    expect(tree.select(ROOT, range, 'mean', 0, rng)).toBe(b);
  });

  it('counts pending proposals as visits with reward 0 (virtual loss): the worked example continued', () => {
    const { tree, range, kids } = rootWith([[30], [60, 60, 50, 50], [10]]);
    const [a, b] = kids as [number, number, number];
    tree.addPending(b, 1);
    expect(tree.pendingOf(ROOT)).toBe(1);
    // B: Q = 4 x 0.9 / 5 = 0.72, n = 5; root N = 7, ln 7 = 1.945910.
    // c = 0.5: A 0.4 + 0.5 sqrt(1.945910) = 1.097479; B 0.72 + 0.5 sqrt(1.945910 / 5) = 1.031920 -> A.
    expect(tree.value(b, range, 'mean')).toBeCloseTo(0.72, 12);
    expect(tree.select(ROOT, range, 'mean', 0.5, new Rng(1))).toBe(a);
    tree.addPending(b, -1);
    expect(tree.select(ROOT, range, 'mean', 0.5, new Rng(1))).toBe(b);
  });

  it('mean and max backups rank the same results differently: a worked example', () => {
    // A: [10, 60] -> mean 35, max 60; B: [45, 45] -> mean 45, max 45. Range [10, 60].
    const { tree, range, kids } = rootWith([
      [10, 60],
      [45, 45],
    ]);
    const [a, b] = kids as [number, number];
    expect(tree.value(a, range, 'mean')).toBeCloseTo(0.5, 12);
    expect(tree.value(b, range, 'mean')).toBeCloseTo(0.7, 12);
    expect(tree.value(a, range, 'max')).toBe(1);
    expect(tree.value(b, range, 'max')).toBeCloseTo(0.7, 12);
    // Equal visits, so equal bonuses: the value decides.
    expect(tree.select(ROOT, range, 'mean', 0.5, new Rng(1))).toBe(b);
    expect(tree.select(ROOT, range, 'max', 0.5, new Rng(1))).toBe(a);
    // The root holds all four results: mean 40, max 60.
    expect(tree.value(ROOT, range, 'mean')).toBeCloseTo(0.6, 12);
    expect(tree.value(ROOT, range, 'max')).toBe(1);
  });

  it('stores raw sums, so values follow a range that widens later', () => {
    const { tree, range, kids } = rootWith([
      [10, 60],
      [45, 45],
    ]);
    const [a, b] = kids as [number, number];
    range.observe(0); // the range becomes [0, 60]
    expect(tree.value(a, range, 'mean')).toBeCloseTo(35 / 60, 12);
    expect(tree.value(b, range, 'mean')).toBeCloseTo(45 / 60, 12);
    expect(tree.value(b, range, 'max')).toBeCloseTo(45 / 60, 12);
  });

  it('counts -Infinity as the worst result and +Infinity as the best; NaN is no result', () => {
    const { tree, range, kids } = rootWith([[10, -Infinity], [Infinity, 20], [NaN]]);
    const [a, b, c] = kids as [number, number, number];
    // Range [10, 20] from the finite scores only.
    expect(tree.value(a, range, 'mean')).toBe(0);
    expect(tree.value(b, range, 'mean')).toBe(1);
    expect(tree.value(b, range, 'max')).toBe(1);
    expect(tree.visitsOf(c)).toBe(0);
    expect(tree.visitsOf(ROOT)).toBe(4);
  });

  it('picks an unvisited child first, ties uniformly at random, and never an exhausted child', () => {
    const tree = new SearchTree(3);
    const range = new RunningRange();
    const kids = [0, 1, 2].map((i) => tree.expand(ROOT, i, 0));
    const counts = new Map<number, number>();
    const rng = new Rng(5);
    for (let i = 0; i < 3000; i++) {
      const kid = tree.select(ROOT, range, 'mean', 0.5, rng);
      counts.set(kid, (counts.get(kid) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(kids);
    for (const n of counts.values()) expect(n / 3000).toBeCloseTo(1 / 3, 1);
    range.observe(100);
    tree.backup(kids[0] as number, 100);
    expect([kids[1], kids[2]]).toContain(tree.select(ROOT, range, 'mean', 0.5, rng));
    tree.markExhausted(kids[1] as number);
    tree.markExhausted(kids[2] as number);
    expect(tree.select(ROOT, range, 'mean', 0.5, rng)).toBe(kids[0]);
  });

  it('marks a node exhausted once all its children are', () => {
    const tree = new SearchTree(2);
    const a = tree.expand(ROOT, 0, 2);
    const a0 = tree.expand(a, 0, 0);
    const a1 = tree.expand(a, 1, 0);
    const b = tree.expand(ROOT, 1, 1);
    const b0 = tree.expand(b, 0, 0);
    tree.markExhausted(a0);
    expect(tree.isExhausted(a)).toBe(false);
    tree.markExhausted(a1);
    expect(tree.isExhausted(a)).toBe(true);
    expect(tree.isExhausted(ROOT)).toBe(false);
    tree.markExhausted(b0);
    expect(tree.isExhausted(b)).toBe(true);
    expect(tree.isExhausted(ROOT)).toBe(true);
  });

  it('lists untried choices and saves/restores bit for bit', () => {
    const { tree, range } = rootWith([[10, 60], [45, 45], []]);
    const a1 = tree.expand(1, 1, 0);
    tree.markExhausted(a1);
    tree.backup(a1, 12.345678901234567);
    expect(tree.untried(ROOT)).toBe(0);
    expect(tree.untried(1)).toBe(1);
    expect(tree.untriedChoice(1, 0)).toBe(0);
    const copy = SearchTree.fromBase64(tree.toBase64());
    expect(copy.toBase64()).toBe(tree.toBase64());
    expect(copy.size).toBe(5);
    expect(copy.child(1, 1)).toBe(a1);
    expect(copy.untried(1)).toBe(1);
    expect(copy.isExhausted(a1)).toBe(true);
    for (let n = 0; n < 5; n++) expect(copy.value(n, range, 'mean')).toBe(tree.value(n, range, 'mean'));
    expect(() => SearchTree.fromBase64('')).toThrow(/no root/);
  });
});
