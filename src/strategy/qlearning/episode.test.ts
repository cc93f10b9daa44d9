import { describe, expect, it } from 'vitest';
import type { Sample } from '../../core/types.js';
import { decisionState, ReplayMemory, replay, trajectory, type Episode, type Step } from './episode.js';
import { qKey, QTable } from './table.js';
import { conditionalSpace, flatSpace } from '../toy.testkit.js';

describe('Q update (MetaQNN Algorithm 3, gamma = 1)', () => {
  // Two steps: state s0 takes A (of A, B), then s1 takes d (of c, d), and the episode ends.
  const steps: Step[] = [
    { actions: [qKey('s0', 'A'), qKey('s0', 'B')], taken: 0 },
    { actions: [qKey('s1', 'c'), qKey('s1', 'd')], taken: 1 },
  ];
  const table = (): QTable => {
    const t = new QTable(0.5, 100);
    t.set(qKey('s1', 'c'), 0.8);
    t.set(qKey('s1', 'd'), 0.3);
    return t;
  };

  it('zero step reward: terminal toward r_T, then toward max Q of the next state', () => {
    const t = table();
    replay(t, steps, 1, 0.1, 'zero');
    // Terminal first: Q(s1, d) = 0.9 * 0.3 + 0.1 * 1 = 0.37.
    expect(t.get(qKey('s1', 'd'))).toBeCloseTo(0.37, 12);
    // Then Q(s0, A) = 0.9 * 0.5 + 0.1 * (0 + max(0.8, 0.37)) = 0.53.
    expect(t.get(qKey('s0', 'A'))).toBeCloseTo(0.53, 12);
    // Untouched pairs keep their values.
    expect(t.get(qKey('s1', 'c'))).toBe(0.8);
    expect(t.get(qKey('s0', 'B'))).toBe(0.5);
  });

  it("BlockQNN's shaping adds r_T / T to every non-final step", () => {
    const t = table();
    replay(t, steps, 1, 0.1, 'share');
    expect(t.get(qKey('s1', 'd'))).toBeCloseTo(0.37, 12);
    // Q(s0, A) = 0.9 * 0.5 + 0.1 * (1 / 2 + 0.8) = 0.58.
    expect(t.get(qKey('s0', 'A'))).toBeCloseTo(0.58, 12);
  });

  it('a second replay builds on the first', () => {
    const t = table();
    replay(t, steps, 1, 0.1, 'zero');
    replay(t, steps, 1, 0.1, 'zero');
    // Q(s1, d) = 0.9 * 0.37 + 0.1 = 0.433; Q(s0, A) = 0.9 * 0.53 + 0.1 * 0.8 = 0.557.
    expect(t.get(qKey('s1', 'd'))).toBeCloseTo(0.433, 12);
    expect(t.get(qKey('s0', 'A'))).toBeCloseTo(0.557, 12);
  });
});

describe('trajectory', () => {
  it('gives each step the keys of all actions of its state, and the one taken', () => {
    const steps = trajectory(flatSpace(2, [0, 1, 2]), { d0: 2, d1: 0 }, decisionState);
    expect(steps).toEqual([
      { actions: ['0:d0|^ -> #0', '0:d0|^ -> #1', '0:d0|^ -> #2'], taken: 2 },
      { actions: ['1:d1|#2 -> #0', '1:d1|#2 -> #1', '1:d1|#2 -> #2'], taken: 0 },
    ]);
  });

  it('follows a conditional space, and refuses a sample that does not walk it', () => {
    const space = conditionalSpace();
    const steps = trajectory(space, { op: 'conv', filters: 32, depth: 1, layer0: 'b' }, decisionState);
    expect(steps.map((s) => s.actions[s.taken])).toEqual([
      "0:op|^ -> 'conv",
      "1:filters|'conv -> #32",
      '2:depth|#32 -> #1',
      "3:layer0|#1 -> 'b",
    ]);
    expect(() => trajectory(space, { op: 'conv', depth: 1, layer0: 'b' }, decisionState)).toThrow(
      /at decision "filters"/,
    );
    expect(() => trajectory(space, { op: 'pool', depth: 9 }, decisionState)).toThrow(/at decision "depth"/);
  });
});

describe('QTable', () => {
  it('forgets the least recently updated pair past its capacity', () => {
    const t = new QTable(0.5, 3);
    t.set('a', 1);
    t.set('b', 2);
    t.set('c', 3);
    t.set('a', 4); // a is now the most recent
    t.set('d', 5); // b goes
    expect(t.size).toBe(3);
    expect([t.get('a'), t.get('b'), t.get('c'), t.get('d')]).toEqual([4, 0.5, 3, 5]);
    expect(t.max(['b', 'c'])).toBe(3);
    expect(t.max([])).toBe(0.5);
  });

  it('saves keys in order with bit-exact values', () => {
    const t = new QTable(0, 10);
    t.set('x', 0.1 + 0.2);
    t.set('y', -1 / 3);
    const saved = JSON.parse(JSON.stringify(t.toJSON())) as ReturnType<QTable['toJSON']>;
    const back = new QTable(0, 10);
    back.load(saved);
    expect(saved.keys).toEqual(['x', 'y']);
    expect(back.get('x')).toBe(0.1 + 0.2);
    expect(back.get('y')).toBe(-1 / 3);
    expect(() => back.load({ keys: ['x'], values: saved.values })).toThrow(/expected 1 values, found 2/);
  });
});

describe('ReplayMemory', () => {
  const episode = (n: number): Episode => ({ sample: { n } as Sample, score: n, penalty: 0, steps: [] });

  it('keeps the newest `capacity` episodes, oldest first', () => {
    const m = new ReplayMemory(3);
    for (let n = 0; n < 5; n++) m.add(episode(n));
    expect(m.size).toBe(3);
    expect(m.episodes().map((e) => e.score)).toEqual([2, 3, 4]);
    expect(m.at(0).score).toBe(2);
    m.clear();
    expect(m.size).toBe(0);
  });
});
