import type Database from 'better-sqlite3';
import { StorageError } from '../core/errors.js';

/** Bump with a new entry in MIGRATIONS; never edit a migration that has shipped. */
export const SCHEMA_VERSION = 1;

/** 'nasl' in ASCII: marks a SQLite file as naslab's, so we never write into someone else's database. */
export const APPLICATION_ID = 0x6e61736c;

const TRIAL_STATES = `('queued', 'running', 'complete', 'invalid', 'failed', 'pruned')`;
const EXPERIMENT_STATES = `('running', 'complete', 'failed', 'interrupted')`;

/** MIGRATIONS[v] takes a database from schema version v to v + 1. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE experiments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ${EXPERIMENT_STATES}),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    strategy_state TEXT
  );
  CREATE TABLE trials (
    id INTEGER PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    sample TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ${TRIAL_STATES}),
    metrics TEXT NOT NULL,
    score REAL,
    cost REAL,
    error_code TEXT,
    error_message TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (experiment_id, number)
  );
  CREATE INDEX trials_by_key ON trials (experiment_id, key);
  CREATE TABLE reports (
    trial_id INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,
    step REAL NOT NULL,
    metrics TEXT NOT NULL,
    PRIMARY KEY (trial_id, step)
  ) WITHOUT ROWID;
  `,
];

interface Header {
  readonly version: number;
  readonly applicationId: number;
  readonly tables: number;
}

function readHeader(db: Database.Database): Header {
  const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as {
    n: number;
  };
  return {
    version: db.pragma('user_version', { simple: true }) as number,
    applicationId: db.pragma('application_id', { simple: true }) as number,
    tables: tables.n,
  };
}

function checkCompatible(header: Header, file: string, readonly: boolean): void {
  const fresh = header.version === 0 && header.tables === 0;
  if (fresh) {
    if (readonly)
      throw new StorageError(
        `${file}: the database is empty: no naslab experiment has been stored there yet`,
      );
    return;
  }
  if (header.applicationId !== APPLICATION_ID) {
    throw new StorageError(
      `${file}: this SQLite file is not a naslab database (it holds other tables): point naslab at another file`,
    );
  }
  if (header.version > SCHEMA_VERSION) {
    throw new StorageError(
      `${file}: the database was written by a newer naslab (schema ${header.version}; this version reads up to ${SCHEMA_VERSION}): upgrade naslab`,
    );
  }
  if (header.version < SCHEMA_VERSION && readonly) {
    throw new StorageError(
      `${file}: the database uses an older schema (${header.version}); open it once for writing (e.g. naslab ls) to upgrade it`,
    );
  }
}

/**
 * Refuses another application's database, or one from a newer naslab, before anything is written to it
 * (prepareSchema checks again inside its write transaction, against a concurrent creator).
 */
export function checkNotForeign(db: Database.Database, file: string): void {
  checkCompatible(readHeader(db), file, false);
}

/**
 * Checks that the file is a naslab database this version understands and, for a writable handle, creates
 * or migrates its schema. The check runs inside the write transaction so two processes opening a new file
 * at once do not both create the tables.
 */
export function prepareSchema(db: Database.Database, file: string, readonly: boolean): void {
  if (readonly) {
    checkCompatible(readHeader(db), file, true);
    return;
  }
  db.transaction(() => {
    const header = readHeader(db);
    checkCompatible(header, file, false);
    if (header.version === SCHEMA_VERSION) return;
    for (let version = header.version; version < SCHEMA_VERSION; version++)
      db.exec(MIGRATIONS[version] ?? '');
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
