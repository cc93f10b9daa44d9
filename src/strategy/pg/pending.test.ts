import { describe, expect, it } from 'vitest';
import { PendingProposals } from './pending.js';

describe('pending proposals', () => {
  it('matches results by key, oldest first, and keeps duplicates apart', () => {
    const pending = new PendingProposals();
    pending.add({ key: 'a', sample: { d: 1 }, logp: -1 });
    pending.add({ key: 'b', sample: { d: 2 }, logp: -2 });
    pending.add({ key: 'a', sample: { d: 1 }, logp: -3 });
    expect(pending.take('a')?.logp).toBe(-1);
    expect(pending.take('c')).toBeUndefined();
    expect(pending.take('a')?.logp).toBe(-3);
    expect(pending.take('a')).toBeUndefined();
    expect(pending.size).toBe(1);
  });

  it('never holds more than its capacity: the oldest entry goes', () => {
    const pending = new PendingProposals(3);
    for (let i = 0; i < 10; i++) pending.add({ key: `k${i}`, sample: { d: i }, logp: -i });
    expect(pending.size).toBe(3);
    expect(pending.take('k6')).toBeUndefined();
    expect(pending.take('k7')?.logp).toBe(-7);
  });

  it('round-trips through JSON', () => {
    const pending = new PendingProposals();
    pending.add({ key: 'a', sample: { d: 'x' }, logp: -0.5 });
    const copy = new PendingProposals();
    copy.load(JSON.parse(JSON.stringify(pending.toJSON())));
    expect(copy.take('a')).toEqual({ key: 'a', sample: { d: 'x' }, logp: -0.5 });
  });
});
