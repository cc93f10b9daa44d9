import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIAGNOSTICS_STEP } from '../../core/strategy.js';
import { SqliteStorage } from '../../storage/sqlite.js';
import { ReadStore } from './read-store.js';
import { seedDatabase, type Seeded } from './seed.testkit.js';
import { DashboardData } from './views.js';

let seeded: Seeded;
beforeAll(async () => {
  seeded = await seedDatabase();
});
afterAll(() => rmSync(seeded.dir, { recursive: true, force: true }));

describe('ReadStore', () => {
  it('retries a read that finds the database busy or locked, and reports other errors at once', async () => {
    const store = ReadStore.open(seeded.file);
    try {
      let attempts = 0;
      const count = await store.read('list experiments', () => {
        // What SQLite answers while another connection holds a lock the read needs.
        attempts++;
        if (attempts === 1) throw new Database.SqliteError('database is locked', 'SQLITE_BUSY');
        if (attempts === 2) throw new Database.SqliteError('database table is locked', 'SQLITE_LOCKED');
        return store.experimentsSync().length;
      });
      expect([count, attempts]).toEqual([2, 3]);

      let failures = 0;
      await expect(
        store.read('read', () => {
          failures++;
          throw new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT');
        }),
      ).rejects.toThrow(/runs\.db: cannot read: database disk image is malformed.*corrupt/);
      expect(failures).toBe(1);
    } finally {
      store.close();
    }
  });

  it('counts trials, finished trials and reports per experiment', async () => {
    const store = ReadStore.open(seeded.file);
    try {
      const stats = await store.read('stats', () => store.statsSync());
      expect(
        stats.map((s) => [s.id, s.trials.trials, s.trials.complete, s.trials.finished, s.trials.reports]),
      ).toEqual([
        [seeded.chain.id, 3, 2, 2, 4],
        [seeded.nb201.id, 4, 4, 4, 0],
      ]);
    } finally {
      store.close();
    }
  });

  it("reads the controller's statistics from the diagnostics step and each trial's latest report", async () => {
    const file = join(seeded.dir, 'controller.db');
    const storage = SqliteStorage.open(file);
    const experiment = await storage.createExperiment('rl', {});
    try {
      // An RL strategy's diagnostics, then a trained trial's epochs.
      const trained = await storage.createTrial(experiment.id, { sample: { a: 1 }, key: 'a1' });
      await storage.report(trained.id, DIAGNOSTICS_STEP, {
        reward: 0.1,
        baseline: 0.05,
        entropy: 2,
        advantage: 0.05,
        surrogateError: 0.3,
        trust: 0.6,
      });
      for (const step of [1, 2]) await storage.report(trained.id, step, { valid_acc: step / 10 });
      await storage.finish(trained.id, {
        state: 'complete',
        metrics: { valid_acc: 0.3 },
        score: 0.3,
        cost: 0,
      });
      // An enas epoch still running: its controller's statistics are its latest report.
      const epoch = await storage.createTrial(experiment.id, { sample: { a: 2 }, key: 'a2' });
      await storage.report(epoch.id, 1, { train_loss: 1.5, children: 4 });
      await storage.report(epoch.id, 2, { reward: 0.7, entropy: 1.1 });
      // No statistics at all.
      await storage.createTrial(experiment.id, { sample: { a: 3 }, key: 'a3' });
    } finally {
      await storage.close();
    }

    const store = ReadStore.open(file);
    try {
      const reports = await store.read('controller', () => store.controllerReportsSync(experiment.id));
      expect(reports.map((r) => [r.number, r.report.step])).toEqual([
        [0, 0],
        [0, 2],
        [1, 2],
      ]);
      expect(await new DashboardData(store).controller(experiment.id)).toEqual([
        { number: 0, reward: 0.1, baseline: 0.05, entropy: 2, surrogateError: 0.3, trust: 0.6 },
        { number: 1, reward: 0.7, entropy: 1.1 },
      ]);
    } finally {
      store.close();
    }
  });

  it('refuses a file that is not a naslab database, naming it', () => {
    const file = join(seeded.dir, 'other.db');
    const other = new Database(file);
    other.exec('CREATE TABLE t (x)');
    other.close();
    expect(() => ReadStore.open(file)).toThrow(/other\.db: this SQLite file is not a naslab database/);
    const text = join(seeded.dir, 'notes.db');
    writeFileSync(text, 'not sqlite at all, just some text that is long enough to have a header');
    expect(() => ReadStore.open(text)).toThrow(/notes\.db: cannot open the database read-only/);
  });
});
