import Database from 'better-sqlite3';
import { NaslabError, StorageError } from '../core/errors.js';

/** What a user can do about each kind of failure; SQLite's own messages rarely say. */
function sqliteHint(code: string): string {
  if (code.startsWith('SQLITE_READONLY')) {
    return 'the database is read-only: a read-only file system, no write permission on the file or its folder, or a handle opened read-only';
  }
  if (code === 'SQLITE_FULL')
    return 'the disk is full (SQLITE_FULL): free some space and resume the experiment';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return 'this file is not a naslab database, or it is corrupt: point naslab at another file';
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return 'the database is locked by another process that holds it too long; retry when it is done';
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return 'the file cannot be opened: check that the path is right and that its folder is writable';
  }
  if (code.startsWith('SQLITE_IOERR')) return 'an I/O error: the disk may be full, failing or unmounted';
  if (code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') return 'permission denied on the database file';
  return '';
}

/** Hints for file-system errors met while preparing the database folder. */
function fsHint(code: string): string {
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied: choose a folder you can write to';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a part of the path is a file, not a folder';
  return '';
}

function errorCode(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
  return '';
}

export function isForeignKeyViolation(e: unknown): boolean {
  return e instanceof Database.SqliteError && e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/**
 * Turns whatever a database call threw into a naslab error naming the file, what was being done and,
 * where we know one, the fix. naslab's own errors pass through unchanged.
 */
export function toStorageError(e: unknown, file: string, action: string): NaslabError {
  if (e instanceof NaslabError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const code = errorCode(e);
  const hint = e instanceof Database.SqliteError ? sqliteHint(code) : fsHint(code);
  const codeNote = code !== '' && !hint.includes(code) ? ` [${code}]` : '';
  return new StorageError(
    `${file}: cannot ${action}: ${message}${codeNote}${hint === '' ? '' : ` (${hint})`}`,
    {
      cause: e,
    },
  );
}
