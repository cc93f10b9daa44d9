import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../src/core/types.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { finished, runCli, startCli } from './cli.testkit.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUN_EVOLUTION = [
  'run',
  '--benchmark',
  'nb201',
  '--strategy',
  'evolution',
  '--trials',
  '2500',
  '--seed',
  '7',
  '--quiet',
];

async function trialsIn(db: string): Promise<readonly TrialRecord[]> {
  const storage = SqliteStorage.open(db, { readonly: true });
  try {
    return await storage.trials('1');
  } finally {
    await storage.close();
  }
}

async function countTrials(db: string): Promise<number> {
  try {
    return (await trialsIn(db)).filter((t) => t.state === 'complete').length;
  } catch {
    return 0; // the database or its schema is not created yet
  }
}

const view = (t: TrialRecord) => [t.number, t.key, t.state, t.score, t.cost];

/** Long enough (seconds of stored trials) to be killed in the middle; `at` = completed trials at the kill. */
const KILL_CASES = [
  { name: 'evolution', args: ['--strategy', 'evolution', '--trials', '2500'], total: 2500, at: 300 },
  {
    name: 'reinforce with the LSTM controller (weights, Adam moments, baseline in the state)',
    // About 1 MB of state per save: a stored LSTM run is slower per trial, so it is shorter here (long
    // enough for several controller updates before and after the kill).
    args: ['--strategy', 'reinforce', '--opt', 'policy=lstm', '--trials', '80'],
    total: 80,
    at: 25,
  },
];

describe.each(KILL_CASES)('kill -9 and resume: $name', ({ name, args, total, at }) => {
  const run = ['run', '--benchmark', 'nb201', ...args, '--seed', '7', '--quiet'];
  const tag = name.split(' ')[0];
  it('loses no finished trial, re-runs none, and ends equal to an uninterrupted run', async () => {
    const reference = join(dir, `${tag}-reference.db`);
    const whole = await runCli([...run, '--db', reference]);
    expect(whole.code, whole.stderr).toBe(0);

    const killed = join(dir, `${tag}-killed.db`);
    const child = startCli([...run, '--db', killed]);
    const exit = finished(child);
    while ((await countTrials(killed)) < at) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    const dead = await exit;
    expect(dead.signal).toBe('SIGKILL');

    const before = (await trialsIn(killed)).filter((t) => t.state === 'complete');
    expect(before.length).toBeGreaterThanOrEqual(at);
    expect(before.length).toBeLessThan(total);

    const resumed = await runCli(['resume', '1', '--db', killed, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);

    const after = await trialsIn(killed);
    // Finished trials survive untouched (same ids, same finish times: not run again).
    for (const t of before) {
      const same = after.find((a) => a.id === t.id);
      expect(same?.finishedAt).toBe(t.finishedAt);
      expect(same?.state).toBe('complete');
    }
    expect(after.map(view)).toEqual((await trialsIn(reference)).map(view));
  }, 480_000);
});

describe('stop and resume', () => {
  it('stops cleanly on SIGTERM (exit 130, experiment interrupted) and resumes to the same result', async () => {
    const reference = join(dir, 'evolution-reference.db');
    const stopped = join(dir, 'stopped.db');
    const child = startCli([...RUN_EVOLUTION, '--db', stopped]);
    const exit = finished(child);
    while ((await countTrials(stopped)) < 300) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    const result = await exit;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('SIGTERM received, stopping');
    const storage = SqliteStorage.open(stopped, { readonly: true });
    const state = (await storage.experiment('1')).state;
    const partial = await storage.trials('1');
    await storage.close();
    expect(state).toBe('interrupted');
    expect(partial.length).toBeLessThan(2500);
    // The trial in flight at the stop is put back in the queue, not recorded.
    expect(partial.filter((t) => t.state !== 'complete').every((t) => t.state === 'queued')).toBe(true);
    expect(partial.filter((t) => t.state === 'queued').length).toBeLessThanOrEqual(1);

    const resumed = await runCli(['resume', '1', '--db', stopped, '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await trialsIn(stopped)).map(view)).toEqual((await trialsIn(reference)).map(view));
  }, 480_000);
});
