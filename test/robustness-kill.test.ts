import { expect, it } from 'vitest';
import { runFaultKill } from '../scripts/fault-kill.js';

// The short version of scripts/fault-kill.ts (20 kills at concurrency 4, see docs/robustness.md):
// three SIGKILLs at seeded moments, at concurrency 1 so the sequential path is covered too.
it('a search killed with SIGKILL three times and resumed loses no trial and doubles none', async () => {
  const result = await runFaultKill({ kills: 3, seed: 5, trials: 400, concurrency: 1 });
  expect(result.violations).toEqual([]);
  expect(result.missed).toBe(0);
  expect(result.kills).toHaveLength(3);
  expect(result.trials).toBe(400);
}, 360_000);
