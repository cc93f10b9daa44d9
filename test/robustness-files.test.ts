import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CONFIG_BYTES } from '../src/files/regular-file.js';
import { finished, startCli, type CliResult } from './cli.testkit.js';

// Every path a user gives naslab to read, given something that is not a regular file: a FIFO (a
// blocking open waits for a writer forever), /dev/zero (a read never ends) and a symbolic link to
// /dev/zero (what `stat` must follow). Each must exit 2 at once with "<what> <path>: not a regular
// file", through the real CLI: a hang is caught by a deadline (the child is killed), not by the
// test's timeout, and "at once" means about as fast as the same command given a missing file.

const dir = mkdtempSync(join(tmpdir(), 'naslab-robust-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A CLI run that has not exited by then is killed and fails its test (it would hang forever); start-up
 * alone takes 3 s on an idle machine, and up to 40 s on a 2-core one shared by other test runs.
 */
const DEADLINE_MS = 120_000;
/**
 * How much longer than the same command given a missing file (run beside it, so both see the same
 * start-up and the same load) a refusal may take: a read or a blocking open never ends.
 */
const slack = (controlMs: number): number => Math.max(10_000, controlMs);

interface Timed extends CliResult {
  readonly ms: number;
}

async function runTimed(args: readonly string[]): Promise<Timed> {
  const start = performance.now();
  const child = startCli(args);
  const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
  try {
    const result = await finished(child);
    return { ...result, ms: performance.now() - start };
  } finally {
    clearTimeout(timer);
  }
}

const hasFifo = process.platform !== 'win32';
const FIFO = join(dir, 'fifo.yaml');
const LINK = join(dir, 'zero.yaml');
if (hasFifo) {
  execFileSync('mkfifo', [FIFO]);
  symlinkSync('/dev/zero', LINK);
}

/** The three things that are not regular files, and what `stat` (following links) says each is. */
const SPECIALS = [
  { name: 'a FIFO', path: FIFO, kind: 'a named pipe (FIFO)' },
  { name: '/dev/zero', path: '/dev/zero', kind: 'a character device' },
  { name: 'a symlink to /dev/zero', path: LINK, kind: 'a character device' },
];

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface PathCase {
  /** The path's role, as the test names it. */
  readonly what: string;
  /** The command line for a special path. */
  readonly args: (path: string) => string[];
  /** What stderr must say. */
  readonly expected: (path: string, kind: string) => RegExp;
}

/** A file in the test folder, by its absolute path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

let n = 0;
const fresh = (stem: string): string => `${stem}-${n++}.yaml`;

const notRegular = (what: string, path: string, kind: string): RegExp =>
  new RegExp(`${esc(what)} ${esc(path)}: not a regular file \\(${esc(kind)}\\)`);

const CASES: readonly PathCase[] = [
  {
    what: 'naslab run <config>',
    args: (path) => ['run', path, '--db', ':memory:'],
    expected: (path, kind) => notRegular('experiment config', path, kind),
  },
  {
    what: 'naslab run --benchmark <table.yaml>',
    args: (path) => ['run', '--benchmark', path, '--db', ':memory:'],
    // /dev/zero is not named .yaml, so it is no user table: an unknown benchmark (at once as well).
    expected: (path, kind) =>
      path === '/dev/zero'
        ? /--benchmark: unknown benchmark "\/dev\/zero"/
        : new RegExp(
            `^naslab: error: --benchmark: ${notRegular('benchmark table config', path, kind).source}`,
          ),
  },
  {
    what: 'evaluator.benchmark in a config',
    args: (path) => [
      'run',
      file(fresh('bench-ref'), `evaluator: { type: benchmark, benchmark: ${path} }\n`),
      '--db',
      ':memory:',
    ],
    expected: (path, kind) =>
      path === '/dev/zero'
        ? /bench-ref-\d+\.yaml: evaluator\.benchmark: unknown benchmark "\/dev\/zero"/
        : new RegExp(
            `bench-ref-\\d+\\.yaml: evaluator\\.benchmark: ${notRegular('benchmark table config', path, kind).source}`,
          ),
  },
  {
    what: 'table: in a user table',
    args: (path) => [
      'run',
      '--benchmark',
      file(fresh('table'), `table: ${path}\ndecisions: [{ name: e0, choices: [a, b] }]\nsignal: acc\n`),
      '--db',
      ':memory:',
    ],
    expected: (path, kind) =>
      new RegExp(`table-\\d+\\.yaml: ${notRegular('table', path, kind).source} \\(from "${esc(path)}"`),
  },
  {
    what: 'naslab bench --benchmark <table.yaml>',
    args: (path) => ['bench', '--benchmark', path, '--trials', '3', '--runs', '1'],
    expected: (path, kind) =>
      path === '/dev/zero'
        ? /unknown benchmark "\/dev\/zero"/
        : notRegular('benchmark table config', path, kind),
  },
  {
    what: 'naslab latency <key> --space <file>',
    args: (path) => ['latency', 'C(16,3,1)-T', '--space', path],
    expected: (path, kind) => notRegular('space config', path, kind),
  },
  {
    what: 'data.path of a training config',
    args: (path) => [
      'run',
      file(
        fresh('train'),
        'space: { type: chain, input: [1, 2, 2], classes: 2 }\n' +
          `evaluator: { type: train, workers: 0, data: { type: csv, path: ${path} } }\n`,
      ),
      '--db',
      ':memory:',
    ],
    expected: (path, kind) => notRegular('CSV data', path, kind),
  },
];

describe.skipIf(!hasFifo)('a path that is not a regular file exits 2 at once, naming what it is', () => {
  it.each(CASES.map((c) => [c.what, c] as const))(
    '%s: a FIFO, /dev/zero, a symlink to /dev/zero',
    async (_what, c) => {
      // All at once, and a missing file beside them as the yardstick for "at once".
      const missing = join(dir, 'missing.yaml');
      const [control, ...results] = await Promise.all(
        [missing, ...SPECIALS.map((s) => s.path)].map((path) => runTimed(c.args(path))),
      );
      expect(control?.code, control?.stderr).toBe(2);
      SPECIALS.forEach((s, i) => {
        const r = results[i] as Timed;
        const label = `${s.name}: ${r.stderr}`;
        expect(r.signal, `${label} (killed after ${DEADLINE_MS} ms: it hung)`).toBeNull();
        expect(r.code, label).toBe(2);
        expect(r.stderr, label).toMatch(c.expected(s.path, s.kind));
        expect(r.stderr, label).not.toMatch(/\n\s+at /);
        expect(
          r.ms,
          `${label} (${Math.round(r.ms)} ms, a missing file ${Math.round(control?.ms ?? 0)} ms)`,
        ).toBeLessThan((control?.ms ?? 0) + slack(control?.ms ?? 0));
      });
    },
    2 * DEADLINE_MS,
  );

  it(
    'a config over the size limit, and an unknown strategy in a config, name the file',
    async () => {
      const huge = file('huge.yaml', `seed: 1\n# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
      const foo = file('foo.yaml', 'strategy: { name: foo }\n');
      const [big, unknown] = await Promise.all([
        runTimed(['run', huge, '--db', ':memory:']),
        runTimed(['run', foo, '--db', ':memory:']),
      ]);
      expect(big.code, big.stderr).toBe(2);
      expect(big.stderr).toContain(
        `experiment config ${huge}: too large (1,048,587 bytes; the limit is 1 MiB)`,
      );
      expect(unknown.code, unknown.stderr).toBe(2);
      expect(unknown.stderr).toContain(
        `${foo}: strategy.name: unknown strategy "foo"; choose one of random,`,
      );
    },
    2 * DEADLINE_MS,
  );

  it(
    '--opt __proto__=1 is refused like any unknown option',
    async () => {
      const r = await runTimed(['run', '--opt', '__proto__=1', '--db', ':memory:']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(
        'naslab: error: --opt __proto__: unknown option "__proto__" of strategy "evolution" ' +
          '(known options: population, sample)\n',
      );
    },
    DEADLINE_MS,
  );
});
