import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { NotFoundError, StorageError } from '../core/errors.js';
import { SqliteStorage } from './sqlite.js';
import { toStorageError } from './sqlite-errors.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-sqlite-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openError(file: string, readonly = false): StorageError {
  try {
    SqliteStorage.open(file, { readonly });
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    return e as StorageError;
  }
  throw new Error(`opening ${file} should have failed`);
}

describe('SqliteStorage on files it must not use', () => {
  it('names the file and says it is not a naslab database when it is not SQLite at all', () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    for (const readonly of [false, true]) {
      const error = openError(file, readonly);
      expect(error.message).toContain(file);
      expect(error.message).toMatch(/not a naslab database/);
      expect(error.code).toBe('E_STORAGE');
    }
  });

  it("refuses another application's SQLite database instead of adding tables to it", () => {
    const file = join(dir, 'other.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
    raw.close();
    expect(openError(file).message).toMatch(/not a naslab database/);
    const check = new Database(file, { readonly: true });
    const tables = check.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all();
    // Refused before anything is written: not even switched to WAL.
    const journal = check.pragma('journal_mode', { simple: true });
    check.close();
    expect(tables).toEqual([{ name: 'invoices' }]);
    expect(journal).toBe('delete');
  });

  it('refuses a database written by a newer naslab', async () => {
    const file = join(dir, 'future.db');
    await SqliteStorage.open(file).close();
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    expect(openError(file).message).toMatch(/newer naslab.*upgrade naslab/);
    expect(openError(file, true).message).toMatch(/newer naslab/);
  });

  it('explains a path whose folder cannot be created', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const error = openError(join(blocker, 'runs', 'naslab.db'));
    expect(error.message).toContain(join(blocker, 'runs', 'naslab.db'));
    expect(error.message).toMatch(/not a folder/);
  });

  it('refuses an empty file read-only: nothing has been stored there yet', async () => {
    const file = join(dir, 'empty.db');
    writeFileSync(file, '');
    expect(openError(file, true).message).toMatch(/empty/);
  });

  it('answers NotFoundError for an id that is not a row id', async () => {
    const storage = SqliteStorage.open(join(dir, 'ids.db'));
    await storage.createExperiment('one', {});
    for (const id of ['0', '-1', '1.0', '01', ' 1', '99999999999999999999']) {
      await expect(storage.experiment(id)).rejects.toThrow(NotFoundError);
    }
    await storage.close();
  });
});

describe('toStorageError', () => {
  const hints: [string, RegExp][] = [
    ['SQLITE_FULL', /disk is full/],
    ['SQLITE_READONLY', /read-only file system/],
    ['SQLITE_READONLY_DBMOVED', /read-only/],
    ['SQLITE_NOTADB', /not a naslab database/],
    ['SQLITE_CORRUPT', /corrupt/],
    ['SQLITE_BUSY', /locked/],
    ['SQLITE_LOCKED', /locked/],
    ['SQLITE_CANTOPEN', /folder is writable/],
    ['SQLITE_IOERR_WRITE', /I\/O error/],
  ];
  for (const [code, hint] of hints) {
    it(`gives ${code} a hint and keeps the code`, () => {
      const error = toStorageError(
        new Database.SqliteError('low-level message', code),
        '/runs/x.db',
        'finish trial 3',
      );
      expect(error).toBeInstanceOf(StorageError);
      expect(error.message).toMatch(hint);
      expect(error.message).toContain('/runs/x.db: cannot finish trial 3: low-level message');
      expect(error.message).toContain(code);
    });
  }

  it('explains file-system errors met while creating the folder', () => {
    const cause = Object.assign(new Error('EROFS: read-only file system, mkdir'), { code: 'EROFS' });
    expect(toStorageError(cause, '/ro/x.db', 'open the database').message).toMatch(/read-only/);
  });

  it('passes naslab errors through unchanged', () => {
    const original = new NotFoundError('no trial');
    expect(toStorageError(original, 'x.db', 'read')).toBe(original);
  });
});
