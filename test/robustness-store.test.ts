import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, StorageError } from '../src/core/errors.js';
import { EXIT, reportError } from '../src/cli/output.js';
import { checkOutDir, writeExportFiles } from '../src/export/files.js';
import { toStorageError } from '../src/storage/sqlite-errors.js';
import { openStorage } from '../src/storage/open.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { startUiServer } from '../src/ui/server/index.js';
import { ROOT, finished, runCli, startCli, type CliResult } from './cli.testkit.js';

const dir = mkdtempSync(join(tmpdir(), 'naslab-robust-store-'));
// Readable by the unprivileged user the read-only cases run as (below).
chmodSync(dir, 0o755);
afterAll(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Root ignores file modes, so as root the CLI runs as `nobody` for the permission cases; as any other
 * user it runs as itself.
 */
const AS_ROOT = process.getuid?.() === 0;
/**
 * As root the permission cases need a checkout that `nobody` can read (its tsx and sources); a clone in
 * a private folder (mode 700) is not, and .ci/run opens its checkout for this reason. Elsewhere the
 * two cases are skipped with this reason rather than failing on the folder's mode.
 */
const UNPRIVILEGED_CAN_RUN =
  !AS_ROOT ||
  spawnSync(
    process.execPath,
    ['-e', `require('fs').accessSync(${JSON.stringify(join(ROOT, 'node_modules/tsx/package.json'))})`],
    {
      uid: 65534,
      gid: 65534,
    },
  ).status === 0;
if (!UNPRIVILEGED_CAN_RUN) {
  console.warn(
    `robustness-store: skipping the read-only cases: user nobody cannot read ${ROOT} (chmod o+rx it)`,
  );
}
function startUnprivileged(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/entry.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NASLAB_DB: undefined, FORCE_COLOR: '0', HOME: tmpdir() },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(AS_ROOT ? { uid: 65534, gid: 65534 } : {}),
  });
}
function runUnprivileged(args: readonly string[]): Promise<CliResult> {
  return finished(startUnprivileged(args));
}

function expectStorageExit(result: CliResult, file: string): void {
  expect(result.code, result.stderr).toBe(EXIT.storage);
  expect(result.stderr).toContain(file);
  expect(result.stderr).toMatch(/read-only|permission|folder is writable/);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/bug in naslab/);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

const RUN = ['run', '--benchmark', 'nb201', '--trials', '5', '--quiet'];

describe('a store naslab may not write', () => {
  it.runIf(UNPRIVILEGED_CAN_RUN)(
    'a read-only database file: exit 3 and a message naming the file and the cause',
    async () => {
      const folder = join(dir, 'ro-file');
      mkdirSync(folder);
      chmodSync(folder, 0o777);
      const db = join(folder, 'runs.db');
      expect((await runCli([...RUN, '--db', db])).code).toBe(0);
      for (const f of readdirSync(folder)) chmodSync(join(folder, f), 0o444);
      const result = await runUnprivileged([...RUN, '--db', db]);
      expectStorageExit(result, db);
      // The experiment already there is untouched.
      const storage = SqliteStorage.open(db, { readonly: true });
      expect(await storage.trials('1')).toHaveLength(5);
      expect(await storage.experiments()).toHaveLength(1);
      await storage.close();
    },
    60_000,
  );

  it.runIf(UNPRIVILEGED_CAN_RUN)(
    'a read-only folder: exit 3, and no database is created',
    async () => {
      const folder = join(dir, 'ro-folder');
      mkdirSync(folder);
      chmodSync(folder, 0o555);
      const db = join(folder, 'new.db');
      expectStorageExit(await runUnprivileged([...RUN, '--db', db]), db);
      expect(existsSync(db)).toBe(false);
    },
    60_000,
  );

  it('a full disk (SQLITE_FULL, simulated with max_page_count): a StorageError that exits 3', () => {
    // No tmpfs here: SQLite's page cap gives the very error a full disk gives, SQLITE_FULL.
    const file = join(dir, 'full.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE blobs (data BLOB)');
    raw.pragma('max_page_count = 8');
    let caught: unknown;
    try {
      for (let i = 0; i < 100; i++) raw.prepare('INSERT INTO blobs VALUES (?)').run(Buffer.alloc(4096));
    } catch (e) {
      caught = e;
    }
    raw.close();
    expect((caught as { code?: string }).code).toBe('SQLITE_FULL');
    const error = toStorageError(caught, file, 'finish trial 3');
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toContain(`${file}: cannot finish trial 3`);
    expect(error.message).toMatch(/disk is full.*resume the experiment/);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(reportError(error)).toBe(EXIT.storage);
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/^naslab: error: .*disk is full/);
      expect(stderr.mock.calls).toHaveLength(1);
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('export paths stay inside the chosen folder (src/export/files.ts)', () => {
  it('refuses a non-empty folder without --force and a file, naming them', async () => {
    const full = join(dir, 'export-full');
    mkdirSync(full);
    writeFileSync(join(full, 'notes.txt'), 'mine');
    await expect(checkOutDir(full, false)).rejects.toThrow(ConfigError);
    await expect(checkOutDir(full, false)).rejects.toThrow(/not empty \(notes\.txt\).*--force/);
    await expect(checkOutDir(join(full, 'notes.txt'), false)).rejects.toThrow(/is a file, not a folder/);
    await expect(writeExportFiles(full, [['model.json', '{}']], false)).rejects.toThrow(ConfigError);
    expect(readdirSync(full)).toEqual(['notes.txt']);
  });

  it('writes only the named files, in the folder; a name with a path in it is refused', async () => {
    const out = join(dir, 'export-out', 'nested');
    const written = await writeExportFiles(
      out,
      [
        ['model.onnx', new Uint8Array([1, 2])],
        ['model.json', '{}'],
      ],
      false,
    );
    expect(written).toEqual([join(out, 'model.onnx'), join(out, 'model.json')]);
    expect(readdirSync(out).sort()).toEqual(['model.json', 'model.onnx']);
    for (const name of ['../escape.json', 'a/b.json', '..\\escape.json', '.hidden']) {
      const target = join(dir, 'export-bad');
      await expect(writeExportFiles(target, [[name, '{}']], false)).rejects.toThrow(/plain file name/);
      // The folder it made for the attempt is gone again, and nothing landed beside it.
      expect(existsSync(target)).toBe(false);
      expect(existsSync(join(dir, 'escape.json'))).toBe(false);
    }
  });

  it('a trial selector with a path in it is an unknown trial, not a path', async () => {
    const db = join(dir, 'export.db');
    expect((await runCli([...RUN, '--db', db])).code).toBe(0);
    const out = join(dir, 'export-selector');
    for (const trial of ['../../etc/passwd', '#../1']) {
      const result = await runCli(['export', '1', '--trial', trial, '--db', db, '--out', out]);
      expect(result.code, result.stderr).toBe(EXIT.usage);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(out)).toBe(false);
    }
  }, 240_000);
});

/** Runs the CLI (as this user), killed after `ms`: a command that blocks (on a FIFO) fails the test. */
async function runBounded(args: readonly string[], ms = 30_000): Promise<CliResult> {
  const child = startCli(args);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  try {
    return await finished(child);
  } finally {
    clearTimeout(timer);
  }
}

/** A store with one 5-trial experiment, in a folder then made read-only (files readable by all). */
async function storeInReadOnlyFolder(name: string): Promise<{ folder: string; db: string }> {
  const folder = join(dir, name);
  mkdirSync(folder);
  chmodSync(folder, 0o777);
  const db = join(folder, 'runs.db');
  const created = await runCli([...RUN, '--db', db]);
  expect(created.code, created.stderr).toBe(0);
  for (const f of readdirSync(folder)) chmodSync(join(folder, f), 0o644);
  chmodSync(folder, 0o555);
  return { folder, db };
}

function expectCleanError(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.signal, 'the command was killed: it hung').toBeNull();
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/bug in naslab|disk I\/O error/);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

const lsJson = (result: CliResult): { id: string; trials: number }[] =>
  (JSON.parse(result.stdout) as { experiments: { id: string; trials: number }[] }).experiments;

describe('viewing a store in a folder this user cannot write (a WAL store has no -shm file there)', () => {
  it.runIf(UNPRIVILEGED_CAN_RUN)(
    'ls, ls --json and show read it (exit 0) and create nothing in the folder',
    async () => {
      const { folder, db } = await storeInReadOnlyFolder('ro-view');
      const before = readdirSync(folder);
      const [ls, json, show] = await Promise.all([
        runUnprivileged(['ls', '--db', db]),
        runUnprivileged(['ls', '--json', '--db', db]),
        runUnprivileged(['show', '1', '--db', db]),
      ]);
      expect(ls.code, ls.stderr).toBe(0);
      expect(ls.stdout).toMatch(/nb201/);
      expect(json.code, json.stderr).toBe(0);
      expect(lsJson(json)).toMatchObject([{ id: '1', trials: 5 }]);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toMatch(/trials: 5 \(5 complete\)/);
      expect(readdirSync(folder)).toEqual(before);
    },
    60_000,
  );

  it.runIf(UNPRIVILEGED_CAN_RUN)(
    'sees the trials a running search still holds in its write-ahead log',
    async () => {
      const { folder, db } = await storeInReadOnlyFolder('ro-live');
      // The search's owner can write the folder; the viewer cannot.
      chmodSync(folder, 0o755);
      const writer = SqliteStorage.open(db);
      try {
        await writer.createTrial('1', { sample: {}, key: 'in-the-wal' });
        chmodSync(folder, 0o555);
        for (const f of readdirSync(folder)) chmodSync(join(folder, f), 0o644);
        expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
        const json = await runUnprivileged(['ls', '--json', '--db', db]);
        expect(json.code, json.stderr).toBe(0);
        expect(lsJson(json)).toMatchObject([{ id: '1', trials: 6 }]);
      } finally {
        chmodSync(folder, 0o755);
        await writer.close();
      }
    },
    60_000,
  );

  it.runIf(UNPRIVILEGED_CAN_RUN)(
    'says so when a write-ahead log with changes is there but cannot be read (no -shm file)',
    async () => {
      const { folder, db } = await storeInReadOnlyFolder('ro-source');
      chmodSync(folder, 0o755);
      const writer = SqliteStorage.open(db);
      const copy = join(dir, 'ro-orphan-wal');
      try {
        await writer.createTrial('1', { sample: {}, key: 'only-in-the-wal' });
        // What a crash leaves when the -shm file is lost: the main file and a log with a commit.
        mkdirSync(copy);
        copyFileSync(db, join(copy, 'runs.db'));
        copyFileSync(`${db}-wal`, join(copy, 'runs.db-wal'));
      } finally {
        await writer.close();
      }
      for (const f of readdirSync(copy)) chmodSync(join(copy, f), 0o644);
      chmodSync(copy, 0o555);
      const result = await runUnprivileged(['ls', '--db', join(copy, 'runs.db')]);
      chmodSync(copy, 0o755);
      expectCleanError(result, EXIT.storage, /write-ahead log .*runs\.db-wal.* holds changes/);
      expect(result.stderr).toContain(join(copy, 'runs.db'));
    },
    60_000,
  );

  it.runIf(UNPRIVILEGED_CAN_RUN)(
    'naslab ui serves it, then shows trials a search writes there later',
    async () => {
      const { folder, db } = await storeInReadOnlyFolder('ro-ui');
      const child = startUnprivileged(['ui', '--db', db, '--port', '0', '--json']);
      const exited = finished(child);
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout?.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('\n')) resolve((JSON.parse(out) as { url: string }).url);
          });
          void exited.then((r) => reject(new Error(`naslab ui exited (${r.code}): ${r.stderr}`)));
        });
        const trials = async (): Promise<number | undefined> => {
          const response = await fetch(new URL('/api/experiments', url));
          if (response.status !== 200) return undefined;
          return ((await response.json()) as { trials: number }[])[0]?.trials;
        };
        expect(await trials()).toBe(5);
        chmodSync(folder, 0o755);
        const writer = SqliteStorage.open(db);
        try {
          await writer.createTrial('1', { sample: {}, key: 'later' });
          for (const f of readdirSync(folder)) chmodSync(join(folder, f), 0o644);
          chmodSync(folder, 0o555);
          await vi.waitFor(async () => expect(await trials()).toBe(6), { timeout: 40_000, interval: 200 });
        } finally {
          chmodSync(folder, 0o755);
          await writer.close();
        }
      } finally {
        child.kill('SIGTERM');
      }
      expect((await exited).code).toBe(0);
    },
    60_000,
  );
});

/** Every command that takes --db, with what it needs besides. */
const DB_COMMANDS: readonly (readonly string[])[] = [
  ['ls'],
  ['show', '1'],
  ['run', '--benchmark', 'nb201', '--trials', '2', '--quiet'],
  ['resume', '1', '--quiet'],
  ['export', '1', '--out', join(dir, 'never-written')],
  ['latency', '1', '--runs', '1', '--repeats', '1', '--warmup', '0'],
  ['ui', '--port', '0'],
];

/** Runs the cases a few at a time (each is a CLI process; the machine may have two cores). */
async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  }
  return results;
}

describe('--db naming something that is not a store file', () => {
  const folder = join(dir, 'db-is-a-folder');
  const fifo = join(dir, 'db-is-a-fifo');
  const notes = join(dir, 'notes.db');
  const NOTES = 'my notes, not a database\n'.repeat(50);
  /** Each kind of path, the exit code and what the message must say. */
  const KINDS: readonly { db: string; exit: number; message: RegExp }[] = [
    {
      db: folder,
      exit: EXIT.usage,
      message: /is a folder, not a naslab database file: .*db-is-a-folder\/naslab\.db/,
    },
    { db: fifo, exit: EXIT.usage, message: /is a named pipe \(FIFO\), not a naslab database file/ },
    { db: '/dev/zero', exit: EXIT.usage, message: /is a device, not a naslab database file/ },
    { db: notes, exit: EXIT.storage, message: /notes\.db: .*not a naslab database/ },
  ];

  beforeAll(() => {
    mkdirSync(folder);
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    writeFileSync(notes, NOTES);
  });

  function expectNothingCreated(): void {
    expect(readdirSync(folder)).toEqual([]);
    expect(existsSync('/dev/zero-wal') || existsSync('/dev/zero-journal')).toBe(false);
    expect(readFileSync(notes, 'utf8')).toBe(NOTES);
    expect(readdirSync(dir).filter((f) => f.startsWith('notes.db') || f.startsWith('db-is-a-fifo-'))).toEqual(
      ['notes.db'],
    );
  }

  it('every way of opening a store refuses each kind, naming it, and creates nothing', async () => {
    const openers: [string, (db: string) => Promise<unknown>][] = [
      ['writer', async (db) => openStorage(db).close()],
      ['reader', async (db) => openStorage(db, { readonly: true }).close()],
      ['dashboard', async (db) => (await startUiServer({ db, port: 0, host: '127.0.0.1' })).close()],
    ];
    for (const kind of KINDS) {
      for (const [name, open] of openers) {
        const error: unknown = await open(kind.db).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, `${name} ${kind.db}`).toBeInstanceOf(
          kind.exit === EXIT.usage ? ConfigError : StorageError,
        );
        expect((error as Error).message, name).toMatch(kind.message);
        expect((error as Error).message, name).toContain(kind.db);
      }
    }
    expectNothingCreated();
  });

  it('every command that takes --db exits 2 (a folder, a FIFO, a device) or 3 (not SQLite) with one line', async () => {
    // Each command meets one kind (all four kinds are met), one CLI process per command.
    const cases = DB_COMMANDS.map((args, i) => ({ args, ...KINDS[i % KINDS.length]! }));
    const results = await inBatches(cases, 4, (c) => runBounded([...c.args, '--db', c.db]));
    results.forEach((result, i) => {
      const c = cases[i]!;
      expectCleanError(result, c.exit, c.message);
      expect(result.stderr, c.args[0]).toContain(c.db);
    });
    expectNothingCreated();
    expect(existsSync(join(dir, 'never-written'))).toBe(false);
  }, 480_000);
});

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('a store corrupt in the middle', () => {
  it('run and resume exit 3 before writing anything: no stray experiment, the file unchanged', async () => {
    const db = join(dir, 'corrupt.db');
    const created = await runCli(['run', '--benchmark', 'nb201', '--trials', '300', '--quiet', '--db', db]);
    expect(created.code, created.stderr).toBe(0);
    // One page in the middle of the file overwritten with garbage, as a bad sector or a torn copy leaves it.
    const pageSize = 4096;
    const pages = statSync(db).size / pageSize;
    expect(pages).toBeGreaterThan(10);
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, Math.floor(pages / 2) * pageSize);
    closeSync(fd);
    const before = sha256(db);

    for (const args of [RUN, ['resume', '1', '--quiet']]) {
      const result = await runCli([...args, '--db', db]);
      expectCleanError(
        result,
        EXIT.storage,
        /corrupt\.db: the database is corrupt \(.*\); nothing was written/,
      );
      expect(sha256(db), args[0]).toBe(before);
      expect(existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0, args[0]).toBe(0);
    }
    // Read straight from the file: still the one experiment, never a second, running one.
    const raw = new Database(db, { readonly: true });
    expect(raw.prepare('SELECT id, state FROM experiments').all()).toEqual([{ id: 1, state: 'complete' }]);
    raw.close();
  }, 240_000);
});
