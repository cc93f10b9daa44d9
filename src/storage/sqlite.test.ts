import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError } from '../core/errors.js';
import type { StrategyState } from '../core/types.js';
import { SqliteStorage } from './sqlite.js';
import { SCHEMA_VERSION } from './sqlite-schema.js';
import { describeStorageConformance } from './storage.testkit.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshFile = (): string => join(dir, `db-${++files}.db`);

describeStorageConformance('sqlite', () => SqliteStorage.open(freshFile()));

const state = (data: StrategyState['data']): StrategyState => ({ strategy: 'test', version: 1, data });

describe('SqliteStorage', () => {
  it('creates the parent folder, a WAL file with the current schema, and row ids users can type', async () => {
    const file = join(dir, 'nested', 'deeper', 'runs.db');
    const storage = SqliteStorage.open(file);
    expect(storage.durable).toBe(true);
    const exp = await storage.createExperiment('e', {});
    const first = await storage.createTrial(exp.id, { sample: { a: 1 }, key: 'a' });
    const second = await storage.createTrial(exp.id, { sample: { a: 2 }, key: 'b' });
    expect([exp.id, first.id, second.id]).toEqual(['1', '1', '2']);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
    await storage.close();
  });

  it('keeps everything across close and reopen', async () => {
    const file = freshFile();
    const writer = SqliteStorage.open(file);
    const exp = await writer.createExperiment('kept', { strategy: { name: 'random' } });
    const done = await writer.createTrial(exp.id, { sample: { op: 'conv', width: 8 }, key: 'conv|8' });
    const running = await writer.createTrial(exp.id, { sample: { op: 'pool', width: 8 }, key: 'pool|8' });
    await writer.report(done.id, 1, { acc: 0.4 });
    const finished = await writer.finish(
      done.id,
      { state: 'failed', metrics: { acc: 0.4 }, cost: 2, error: { code: 'E_X', message: 'boom' } },
      state({ nested: { list: [1, 'two', null, true] } }),
    );
    await writer.setExperimentState(exp.id, 'interrupted');
    const experimentBefore = await writer.experiment(exp.id);
    await writer.close();

    const reader = SqliteStorage.open(file);
    expect(await reader.experiment(exp.id)).toEqual(experimentBefore);
    expect(await reader.trials(exp.id)).toEqual([finished, running]);
    expect(await reader.reports(done.id)).toEqual([{ step: 1, metrics: { acc: 0.4 } }]);
    expect(await reader.loadStrategyState(exp.id)).toEqual(
      state({ nested: { list: [1, 'two', null, true] } }),
    );
    // Numbering goes on where it stopped.
    expect((await reader.createTrial(exp.id, { sample: {}, key: '' })).number).toBe(2);
    await reader.close();
  });

  it('lets a read-only handle read while another connection is writing', async () => {
    const file = freshFile();
    const writer = SqliteStorage.open(file);
    const exp = await writer.createExperiment('live', {});
    await writer.createTrial(exp.id, { sample: { a: 1 }, key: 'a' });
    const reader = SqliteStorage.open(file, { readonly: true });
    expect(reader.readonly).toBe(true);
    expect(await reader.trials(exp.id)).toHaveLength(1);

    await writer.createTrial(exp.id, { sample: { a: 2 }, key: 'b' });
    expect(await reader.trials(exp.id)).toHaveLength(2);

    // Another connection holds the write lock with an uncommitted trial: the reader neither waits for it
    // (the busy timeout is seconds) nor sees it.
    const raw = new Database(file);
    raw.exec('BEGIN IMMEDIATE');
    raw
      .prepare(
        `INSERT INTO trials (experiment_id, number, sample, key, state, metrics, cost, created_at)
                VALUES (?, 2, '{}', 'c', 'running', '{}', 0, 0)`,
      )
      .run(Number(exp.id));
    const started = Date.now();
    expect(await reader.trials(exp.id)).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(1000);
    raw.exec('COMMIT');
    expect(await reader.trials(exp.id)).toHaveLength(3);
    raw.close();
    await reader.close();
    await writer.close();
  });

  it('opens a read-only handle on a database no writer has open', async () => {
    const file = freshFile();
    const writer = SqliteStorage.open(file);
    await writer.createExperiment('closed', { a: 1 });
    await writer.close();
    const reader = SqliteStorage.open(file, { readonly: true });
    expect((await reader.experiments()).map((e) => e.name)).toEqual(['closed']);
    await reader.close();
  });

  it('refuses writes on a read-only handle with a StorageError and changes nothing', async () => {
    const file = freshFile();
    const writer = SqliteStorage.open(file);
    const exp = await writer.createExperiment('ro', {});
    const trial = await writer.createTrial(exp.id, { sample: {}, key: '' });
    const reader = SqliteStorage.open(file, { readonly: true });
    const writes: (() => Promise<unknown>)[] = [
      () => reader.createExperiment('no', {}),
      () => reader.setExperimentState(exp.id, 'failed'),
      () => reader.createTrial(exp.id, { sample: {}, key: '' }),
      () => reader.report(trial.id, 0, { acc: 1 }),
      () => reader.finish(trial.id, { state: 'complete', metrics: {}, cost: 0 }),
      () => reader.requeue(trial.id),
      () => reader.saveStrategyState(exp.id, state(1)),
    ];
    for (const write of writes) {
      const error: unknown = await write().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toMatch(/read-only/);
    }
    expect(await writer.experiments()).toHaveLength(1);
    expect(await writer.trials(exp.id)).toEqual([trial]);
    expect(await writer.reports(trial.id)).toEqual([]);
    expect(await writer.loadStrategyState(exp.id)).toBeUndefined();
    await reader.close();
    await writer.close();
  });

  it('refuses to open a missing database read-only, and does not create it', () => {
    const file = join(dir, 'missing', 'nothing.db');
    expect(() => SqliteStorage.open(file, { readonly: true })).toThrow(/does not exist/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  describe('atomicity of a trial change with its strategy state', () => {
    /** Makes the strategy-state write fail after the trial write has gone through, as a full disk might. */
    function failStrategyStateWrites(file: string): void {
      const raw = new Database(file);
      raw.exec(`CREATE TRIGGER fail_state BEFORE UPDATE OF strategy_state ON experiments
                BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
      raw.close();
    }

    it('creates no trial when saving the state fails', async () => {
      const file = freshFile();
      const storage = SqliteStorage.open(file);
      const exp = await storage.createExperiment('atomic', {});
      failStrategyStateWrites(file);
      const error: unknown = await storage
        .createTrial(exp.id, { sample: { a: 1 }, key: 'a' }, state({ n: 1 }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as Error).message).toMatch(/injected failure/);
      expect((error as Error).message).toContain(file);
      expect(await storage.trials(exp.id)).toEqual([]);
      // Without a state, trials can still be created, and numbering has no gap.
      expect((await storage.createTrial(exp.id, { sample: { a: 1 }, key: 'a' })).number).toBe(0);
      await storage.close();
    });

    it('leaves the trial unfinished when saving the state fails', async () => {
      const file = freshFile();
      const storage = SqliteStorage.open(file);
      const exp = await storage.createExperiment('atomic', {});
      const trial = await storage.createTrial(exp.id, { sample: { a: 1 }, key: 'a' });
      failStrategyStateWrites(file);
      const result = { state: 'complete', metrics: { acc: 1 }, score: 1, cost: 5 } as const;
      await expect(storage.finish(trial.id, result, state({ n: 1 }))).rejects.toThrow(StorageError);
      expect(await storage.trials(exp.id)).toEqual([trial]);
      expect(await storage.loadStrategyState(exp.id)).toBeUndefined();
      await storage.close();
    });
  });
});
