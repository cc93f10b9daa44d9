import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../src/core/types.js';
import { trialDir } from '../src/evaluate/command/config.js';
import { parseExperimentConfig } from '../src/runner/config.js';
import { startExperiment } from '../src/runner/experiment.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { PYTHON, hasSystem } from './system.testkit.js';

const FIXTURES = fileURLToPath(new URL('../src/evaluate/command/fixtures/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'naslab-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Whether `pid` still runs. A zombie counts as gone: the trial's orphaned children are reparented to
 * PID 1, which in some containers never reaps them.
 */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    expect((e as NodeJS.ErrnoException).code).toBe('ESRCH');
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Twelve trials, x = 0..11 in order, each reporting 4 steps; the median pruner stops the weak ones. */
function config(run: string[], workDir: string, env: Record<string, number> = {}) {
  return parseExperimentConfig(
    {
      space: { decisions: [{ name: 'x', choices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }] },
      evaluator: { type: 'command', run, workDir, steps: 4, timeout: 8, killGrace: 1, env },
      strategy: 'grid',
      pruner: { type: 'median', startupTrials: 2, warmupSteps: 0 },
      budget: { trials: 12 },
    },
    'test',
  );
}

/** Each trial's x (the script's accuracy falls with x: 0.9 - 0.03 x + 0.01 step). */
const xOf = (t: TrialRecord) => Number(t.sample['x']);

/** No process of any trial (the script and the child it left running) is alive. */
function expectNoProcessLeft(trials: readonly TrialRecord[], workDir: string): void {
  for (const t of trials) {
    const file = join(trialDir({ workDir }, t.id), 'pids.json');
    if (!existsSync(file)) continue;
    const pids = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; child: number };
    expect(running(pids.pid), `trial x=${xOf(t)} pid ${pids.pid}`).toBe(false);
    expect(running(pids.child), `trial x=${xOf(t)} child ${pids.child}`).toBe(false);
  }
}

/** The pruned trials stopped at step 1: their stdout ends with that report, never the final line. */
function expectPrunedMidRun(trials: readonly TrialRecord[], workDir: string): void {
  const pruned = trials.filter((t) => t.state === 'pruned');
  expect(pruned.length).toBeGreaterThanOrEqual(5);
  for (const t of pruned) {
    const stdout = readFileSync(join(trialDir({ workDir }, t.id), 'stdout.log'), 'utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(stdout[stdout.length - 1] ?? '')).toHaveProperty('step');
    expect(t.metrics['valid_acc']).toBeGreaterThan(0);
  }
}

describe('command evaluator: a search over trial processes', () => {
  it('runs a Node script: pruning kills trials mid-run, a crash, a hang and malformed output fail alone', async () => {
    const workDir = join(dir, 'node');
    const storage = new MemoryStorage();
    const run = [process.execPath, join(FIXTURES, 'trial.mjs')];
    const summary = await startExperiment(config(run, workDir, { CRASH: 7, HANG: 8, MALFORMED: 9 }), storage);
    const trials = await storage.trials(summary.experimentId);
    expect(trials).toHaveLength(12);
    const byX = new Map(trials.map((t) => [xOf(t), t]));
    expect(byX.get(0)?.state).toBe('complete');
    expect(byX.get(0)?.metrics).toEqual({ valid_acc: expect.closeTo(0.94, 6) as number, x: 0 });
    expect(byX.get(1)?.state).toBe('complete');
    expect(byX.get(7)?.state).toBe('failed');
    expect(byX.get(7)?.error?.message).toMatch(/exited with code 3.*\n.*boom: simulated crash/);
    expect(byX.get(8)?.state).toBe('failed');
    expect(byX.get(8)?.error?.message).toMatch(/timed out after 8 s.*\n.*SIGTERM ignored/);
    expect(byX.get(9)?.state).toBe('failed');
    expect(byX.get(9)?.error?.message).toMatch(/malformed metrics line: metric "valid_acc"/);
    expect(byX.get(9)?.error?.code).toBe('E_TRIAL_FAILED');
    expectPrunedMidRun(trials, workDir);
    expectNoProcessLeft(trials, workDir);
    // The reports of a pruned trial reached the store like the built-in trainer's.
    const pruned = trials.find((t) => t.state === 'pruned') as TrialRecord;
    expect(await storage.reports(pruned.id)).toEqual([{ step: 1, metrics: pruned.metrics }]);
  }, 120_000);

  it.skipIf(!hasSystem(PYTHON))(
    'runs a Python script, pruning killing trials mid-run',
    async () => {
      const workDir = join(dir, 'python');
      const storage = new MemoryStorage();
      const summary = await startExperiment(
        config(['python3', join(FIXTURES, 'trial.py')], workDir),
        storage,
      );
      const trials = await storage.trials(summary.experimentId);
      expect(trials).toHaveLength(12);
      expect(trials.filter((t) => t.state === 'complete').length).toBeGreaterThanOrEqual(2);
      expect(trials.filter((t) => t.state === 'failed')).toEqual([]);
      expectPrunedMidRun(trials, workDir);
      expectNoProcessLeft(trials, workDir);
    },
    120_000,
  );
});
