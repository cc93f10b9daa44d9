import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { MemoryStorage } from './memory.js';
import { DEFAULT_DB_PATH, openStorage } from './open.js';
import { SqliteStorage } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openStorage', () => {
  it("opens the in-memory store for ':memory:'", async () => {
    const storage = openStorage(':memory:');
    expect(storage).toBeInstanceOf(MemoryStorage);
    expect(storage.durable).toBe(false);
    await storage.close();
  });

  it('opens a SQLite file for a path, creating its folder', async () => {
    const file = join(dir, 'runs', 'naslab.db');
    const storage = openStorage(file);
    expect(storage).toBeInstanceOf(SqliteStorage);
    expect(storage.durable).toBe(true);
    expect(existsSync(file)).toBe(true);
    await storage.close();
    const reader = openStorage(file, { readonly: true });
    expect((reader as SqliteStorage).readonly).toBe(true);
    await reader.close();
  });

  it('defaults to a relative file in a naslab-runs folder', () => {
    expect(DEFAULT_DB_PATH).toBe('naslab-runs/naslab.db');
  });

  it('refuses an empty location with a ConfigError', () => {
    expect(() => openStorage('  ')).toThrow(ConfigError);
  });
});
