import { ConfigError } from '../core/errors.js';
import type { Storage } from '../core/storage.js';
import { MemoryStorage } from './memory.js';
import { SqliteStorage, type SqliteOpenOptions } from './sqlite.js';

/** Where `naslab run` keeps experiments when no location is given: a folder next to the user's work. */
export const DEFAULT_DB_PATH = 'naslab-runs/naslab.db';

/** The location that selects the in-memory store (nothing written to disk). */
export const MEMORY_LOCATION = ':memory:';

/** Opens a storage by location: ':memory:' for the in-memory store, otherwise a SQLite file path. */
export function openStorage(location: string | undefined, options: SqliteOpenOptions = {}): Storage {
  if (location === MEMORY_LOCATION) return new MemoryStorage();
  const file = location ?? DEFAULT_DB_PATH;
  if (file.trim() === '') {
    throw new ConfigError(`storage location is empty: give a file path or "${MEMORY_LOCATION}"`);
  }
  return SqliteStorage.open(file, options);
}
