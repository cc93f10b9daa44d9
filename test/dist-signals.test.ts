import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawnWorker, type TestWorker } from '../src/dist/dist.testkit.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { finished, startCli, type CliResult } from './cli.testkit.js';
import { freePort, startRedis, type TestRedis } from './redis.testkit.js';

// One Ctrl-C or SIGTERM must stop a coordinator or a worker within a second or two, whether Redis was
// never reached or went away mid-run: nothing may wait for Redis once a stop was asked for. The time
// asserted runs from the process's note that it heard the signal (a machine busy with other work may
// run the handler late; that is not the stop's doing) to its exit; the one from the kill is bounded
// loosely, against a stop that never comes.
const STOP_MS = 2000;
const SIGNAL_MS = 15_000;
const dir = mkdtempSync(join(tmpdir(), 'naslab-dist-signals-'));
let redis: TestRedis | undefined;
let workers: TestWorker[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const w of workers.splice(0)) w.child.kill('SIGKILL');
  await redis?.stop();
  redis = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Stopped extends CliResult {
  /** From the signal to the process's exit. */
  readonly ms: number;
  /** From the process's note that it heard the signal to its exit. */
  readonly stopMs: number;
}

/**
 * Sends `signal` to a started CLI (once `ready` matches its stderr, if given) and times its exit, from
 * the kill and from its stderr note that it heard the signal.
 */
async function stopCli(child: ChildProcess, signal: NodeJS.Signals, ready?: RegExp): Promise<Stopped> {
  children.push(child);
  const result = finished(child);
  let sentAt = 0;
  let heardAt = 0;
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const send = (): void => {
      sentAt = Date.now();
      child.kill(signal);
      resolve();
    };
    child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (heardAt === 0 && new RegExp(`${signal}[: ]`).test(seen)) heardAt = Date.now();
      if (sentAt === 0 && ready?.test(seen)) send();
    });
    child.once('exit', () => reject(new Error(`exited before the signal: ${seen}`)));
    if (ready === undefined) send();
  });
  const done = await result;
  const exitAt = Date.now();
  expect(heardAt, `no note of ${signal} on stderr: ${done.stderr}`).toBeGreaterThan(0);
  return { ...done, ms: exitAt - sentAt, stopMs: exitAt - heardAt };
}

function expectQuick(stopped: Stopped): void {
  expect(stopped.stopMs).toBeLessThan(STOP_MS);
  expect(stopped.ms).toBeLessThan(SIGNAL_MS);
}

async function experimentState(db: string): Promise<{ state: string; trials: number }> {
  const storage = SqliteStorage.open(db);
  try {
    const experiment = await storage.experiment('1');
    return { state: experiment.state, trials: (await storage.trials('1')).length };
  } finally {
    await storage.close();
  }
}

/** Resolves once the store at `db` has `n` trials; fails if `child` (its coordinator) exits first. */
async function whenTrials(db: string, n: number, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the coordinator exited (${child.exitCode ?? child.signalCode}) before ${n} trials`);
    }
    const storage = SqliteStorage.open(db);
    try {
      if ((await storage.trials('1')).length >= n) return;
    } catch {
      // the experiment is not created yet
    } finally {
      await storage.close();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Redis out of reach from the start', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`naslab run: one ${signal} exits 130 at once and leaves the experiment resumable`, async () => {
      const port = await freePort(); // nothing listens there
      const db = join(dir, `unreachable-${signal}.db`);
      const args = [
        'run',
        '--trials',
        '5',
        '--seed',
        '1',
        '--queue',
        `redis://127.0.0.1:${port}`,
        '--db',
        db,
      ];
      const stopped = await stopCli(startCli(args), signal, /reconnecting/);
      expect(stopped.code).toBe(130);
      expectQuick(stopped);
      expect(stopped.stderr).toContain('stopped before the queue was reached');
      expect(await experimentState(db)).toEqual({ state: 'interrupted', trials: 0 });
      if (signal === 'SIGINT') return;

      // Resumable: with Redis there (on that very port) and a worker, resume runs the search to its end.
      redis = await startRedis({ port });
      workers = [spawnWorker(redis.url)];
      await workers[0]!.ready;
      const resumed = await finished(startCli(['resume', '1', '--queue', redis.url, '--db', db, '--quiet']));
      expect([resumed.code, resumed.stderr]).toEqual([0, '']);
      expect(await experimentState(db)).toEqual({ state: 'complete', trials: 5 });
    }, 240_000);

    it(`naslab worker: one ${signal} exits 0 at once (a requested stop)`, async () => {
      const port = await freePort();
      const worker = startCli(['worker', '--queue', `redis://127.0.0.1:${port}`]);
      const stopped = await stopCli(worker, signal, /ECONNREFUSED/);
      expect(stopped.code).toBe(0);
      expectQuick(stopped);
      expect(stopped.stderr).toContain('stopped before Redis was reached');
    }, 120_000);
  }
});

describe('Redis lost mid-run', () => {
  it('naslab run: one SIGTERM exits 130 at once, the experiment interrupted', async () => {
    redis = await startRedis();
    // Trials that take a minute: the coordinator is waiting on them when Redis goes.
    workers = [spawnWorker(redis.url, { env: { NASLAB_TEST_DELAY_MS: '60000' }, concurrency: 2 })];
    await workers[0]!.ready;
    const db = join(dir, 'lost.db');
    const child = startCli(['run', '--trials', '5', '--concurrency', '2', '--queue', redis.url, '--db', db]);
    children.push(child);
    await whenTrials(db, 2, child);
    await redis.kill();
    await new Promise((r) => setTimeout(r, 500));
    const stopped = await stopCli(child, 'SIGTERM');
    expect(stopped.code).toBe(130);
    expectQuick(stopped);
    expect(await experimentState(db)).toEqual({ state: 'interrupted', trials: 2 });
  }, 240_000);

  it('a worker with a trial in hand: one SIGTERM exits 0 at once (the answer could not be delivered)', async () => {
    redis = await startRedis();
    const worker = spawnWorker(redis.url, { env: { NASLAB_TEST_DELAY_MS: '60000' } });
    workers = [worker];
    await worker.ready;
    const db = join(dir, 'lost-worker.db');
    const coordinator = startCli([
      'run',
      '--trials',
      '1',
      '--concurrency',
      '1',
      '--queue',
      redis.url,
      '--db',
      db,
    ]);
    children.push(coordinator);
    await whenTrials(db, 1, coordinator);
    await new Promise((r) => setTimeout(r, 1000)); // the worker has taken it
    await redis.kill();
    await new Promise((r) => setTimeout(r, 500));
    // The test worker notes nothing on a signal: the time runs from the kill.
    const sentAt = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(STOP_MS);
  }, 240_000);
});
