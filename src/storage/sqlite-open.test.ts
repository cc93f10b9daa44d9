import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, StorageError } from '../core/errors.js';
import { SqliteStorage } from './sqlite.js';
import { checkStorePath, openReadOnly } from './sqlite-open.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-sqlite-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A store of one experiment with `trials` trials, large enough to span many pages. */
async function store(file: string, trials: number): Promise<void> {
  const storage = SqliteStorage.open(file);
  const exp = await storage.createExperiment('e', { note: 'x'.repeat(2000) });
  for (let i = 0; i < trials; i++) {
    await storage.createTrial(exp.id, { sample: { i, pad: 'y'.repeat(200) }, key: `k${i}` });
  }
  await storage.close();
}

describe('checkStorePath', () => {
  it('accepts a regular file, and a missing one unless it must exist', async () => {
    const file = join(dir, 'plain.db');
    await store(file, 1);
    expect(() => checkStorePath(file, true)).not.toThrow();
    expect(() => checkStorePath(join(dir, 'new.db'), false)).not.toThrow();
    expect(() => checkStorePath(join(dir, 'new.db'), true)).toThrow(StorageError);
  });

  it('refuses a folder, a device, and a folder in place of the -wal file, as ConfigErrors naming them', async () => {
    expect(() => checkStorePath(dir, false)).toThrow(ConfigError);
    expect(() => checkStorePath(dir, false)).toThrow(/is a folder, not a naslab database file: .*naslab\.db/);
    expect(() => checkStorePath('/dev/null', true)).toThrow(/\/dev\/null is a device/);
    const file = join(dir, 'odd.db');
    await store(file, 1);
    mkdirSync(`${file}-wal`);
    expect(() => checkStorePath(file, true)).toThrow(
      /odd\.db-wal is a folder, not the database's write-ahead log/,
    );
    expect(() => SqliteStorage.open(file)).toThrow(ConfigError);
    expect(() => openReadOnly(file, 10)).toThrow(ConfigError);
  });
});

describe('opening a store corrupt in the middle for writing', () => {
  it('refuses it before any write (quick_check): a StorageError, and the file is unchanged', async () => {
    const file = join(dir, 'corrupt.db');
    await store(file, 400);
    const pages = statSync(file).size / 4096;
    expect(pages).toBeGreaterThan(10);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(pages / 2) * 4096);
    closeSync(fd);
    const before = sha256(file);
    expect(() => SqliteStorage.open(file)).toThrow(StorageError);
    expect(() => SqliteStorage.open(file)).toThrow(
      /corrupt\.db: the database is corrupt \(.+\); nothing was written/,
    );
    expect(sha256(file)).toBe(before);
  });

  it('opens a sound store as before', async () => {
    const file = join(dir, 'sound.db');
    await store(file, 400);
    const storage = SqliteStorage.open(file);
    expect(await storage.trials('1')).toHaveLength(400);
    await storage.close();
  });
});
