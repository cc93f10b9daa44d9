import { readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, StorageError } from '../core/errors.js';

/** What a path that is not a regular file is, in words. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function errnoCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : '';
}

/**
 * A store is a regular file (or, for a writer, a path where one will be created). SQLite given a folder
 * reports a disk I/O error, a FIFO blocks the process forever, and a device such as /dev/zero reads as
 * an empty database that a writer would "create" (with journal files beside it), so each is refused
 * up front as the wrong path, naming what it is. The same goes for the -wal and -shm files beside it.
 */
export function checkStorePath(file: string, mustExist: boolean): void {
  for (const [path, role] of [
    [file, 'the database file'],
    [`${file}-wal`, "the database's write-ahead log"],
    [`${file}-shm`, "the database's shared-memory file"],
  ] as const) {
    let stats: Stats;
    try {
      stats = statSync(path);
    } catch (e) {
      if (path === file && errnoCode(e) === 'ENOENT' && mustExist) {
        throw new StorageError(`${file}: no naslab database there (the file does not exist)`);
      }
      // Missing, or not reachable: SQLite's own open says what is wrong, with the usual hints.
      continue;
    }
    if (stats.isFile()) continue;
    if (path !== file) {
      throw new ConfigError(
        `${path} is ${kindOf(stats)}, not ${role} (a regular file SQLite keeps beside ${file}): move it away`,
      );
    }
    const fix = stats.isDirectory()
      ? `give the path of a database file, e.g. ${join(file, 'naslab.db')}`
      : 'give the path of a naslab database file';
    throw new ConfigError(`${file} is ${kindOf(stats)}, not a naslab database file: ${fix}`);
  }
}

/**
 * What a read-only open may meet in a folder this user cannot write: a WAL database needs its -shm
 * file, and SQLite cannot create it there (SQLITE_READONLY_DIRECTORY), or cannot open one that is
 * missing or unreadable (SQLITE_CANTOPEN, SQLITE_READONLY_CANTINIT).
 */
const NEEDS_SHARED_MEMORY = /^SQLITE_(READONLY_DIRECTORY|READONLY_CANTINIT|READONLY_RECOVERY|CANTOPEN)/;

const HEADER = 'SQLite format 3\0';

/** The bytes that identify a version of the file: a write, a replacement or a new WAL changes them. */
export function fileStamp(file: string): string {
  const main = statSync(file);
  return `${main.ino}:${main.size}:${main.mtimeMs}:${walBytes(file)}`;
}

/** The size of the write-ahead log beside `file`; 0 when there is none. */
function walBytes(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

export interface ReadOnlyDatabase {
  readonly db: Database.Database;
  /**
   * Set when the file could only be read as an in-memory copy (see openReadOnly): the fileStamp of the
   * version copied, so a long-lived reader can notice a newer one and open again.
   */
  readonly snapshotOf?: string;
}

/**
 * The file read into memory. With no write-ahead log beside it, every committed transaction is in the
 * main file, so the copy is the whole store. An in-memory database cannot use WAL, so the copy's header
 * is switched to the rollback journal (bytes 18-19: 2 -> 1); nothing is ever written to the file.
 */
function snapshot(file: string): Database.Database {
  const bytes = readFileSync(file);
  if (bytes.length >= 100 && bytes.toString('latin1', 0, HEADER.length) === HEADER) {
    if (bytes[18] === 2) bytes[18] = 1;
    if (bytes[19] === 2) bytes[19] = 1;
  }
  return new Database(bytes, { readonly: true });
}

/**
 * Opens a store for reading only, with no lock that could slow a writer. A WAL database in a folder this
 * user cannot write (a shared results folder, a read-only mount) has no -shm file and cannot get one;
 * better-sqlite3 offers no `immutable=1` (it opens without URI filenames), so when there is no
 * write-ahead log to miss, the file is read as an in-memory copy instead. When a log with committed
 * transactions is there but unusable, the error says so rather than showing stale data.
 */
export function openReadOnly(file: string, timeoutMs: number): ReadOnlyDatabase {
  checkStorePath(file, true);
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: timeoutMs });
  try {
    // The first read is where the shared memory is needed.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return { db };
  } catch (e) {
    db.close();
    const code = e instanceof Database.SqliteError ? e.code : '';
    if (!NEEDS_SHARED_MEMORY.test(code)) throw e;
    if (walBytes(file) > 0) {
      throw new StorageError(
        `${file}: cannot open the database read-only: its write-ahead log (${file}-wal) holds changes ` +
          `that cannot be read without a shared-memory file (${file}-shm), which this user cannot ` +
          `create or open [${code}]: open it once as a user who can write its folder (e.g. naslab ls), ` +
          'or copy the store to a folder you can write',
        { cause: e },
      );
    }
    const stamp = fileStamp(file);
    return { db: snapshot(file), snapshotOf: stamp };
  }
}

/**
 * A cheap structural check (`PRAGMA quick_check`: every page and b-tree, no index cross-check) before a
 * writer changes anything: a store corrupt in the middle would otherwise accept a new experiment and
 * fail only when the damaged pages are read, leaving a stray experiment behind.
 */
export function checkIntegrity(db: Database.Database, file: string): void {
  let verdict: string;
  try {
    const rows = db.pragma('quick_check(3)') as { quick_check: string }[];
    verdict = rows.map((r) => r.quick_check).join('; ');
  } catch (e) {
    const code = e instanceof Database.SqliteError ? e.code : '';
    if (!code.startsWith('SQLITE_CORRUPT')) throw e;
    verdict = `${e instanceof Error ? e.message : String(e)} [${code}]`;
  }
  if (verdict === 'ok') return;
  throw new StorageError(
    `${file}: the database is corrupt (${verdict.replace(/\s+/g, ' ').slice(0, 300)}); nothing was ` +
      `written to it: restore it from a backup, recover what is readable with \`sqlite3 ${file} .recover\`, ` +
      'or point naslab at another file',
  );
}
