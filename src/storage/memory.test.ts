import { describe, expect, it } from 'vitest';
import { MemoryStorage } from './memory.js';
import { describeStorageConformance } from './storage.testkit.js';

describeStorageConformance('memory', () => new MemoryStorage());

describe('MemoryStorage', () => {
  it('is not durable, so the runner skips serialising strategy state per trial', () => {
    expect(new MemoryStorage().durable).toBe(false);
  });

  it('hands out frozen records, so callers cannot write into the store', async () => {
    const storage = new MemoryStorage();
    const exp = await storage.createExperiment('x', { a: [1] });
    const trial = await storage.createTrial(exp.id, { sample: { op: 'conv' }, key: 'conv' });
    expect(Object.isFrozen(trial)).toBe(true);
    expect(Object.isFrozen(trial.sample)).toBe(true);
    expect(Object.isFrozen(trial.metrics)).toBe(true);
    expect(Object.isFrozen((await storage.experiment(exp.id)).config)).toBe(true);
  });
});
