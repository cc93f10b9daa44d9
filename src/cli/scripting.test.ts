import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../../test/cli.testkit.js';
import { LINE_INTERVAL_ENV } from './bar.js';
import { EXIT } from './output.js';

/** The CLI as a script sees it: exit codes, JSON on stdout, progress lines on a piped stderr. */
const dir = mkdtempSync(join(tmpdir(), 'naslab-scripting-'));
const TOY = join(ROOT, 'src/evaluate/tabular/fixtures/toy.yaml');
const previous = process.env[LINE_INTERVAL_ENV];

beforeAll(() => {
  // A line per update, so a short run shows what a long one writes to a log.
  process.env[LINE_INTERVAL_ENV] = '0';
});
afterAll(() => {
  if (previous === undefined) delete process.env[LINE_INTERVAL_ENV];
  else process.env[LINE_INTERVAL_ENV] = previous;
  rmSync(dir, { recursive: true, force: true });
});

describe('naslab for scripts', () => {
  it('bench --json: stdout is one JSON document, progress is plain lines on stderr', async () => {
    const args = ['bench', '--benchmark', TOY, '--runs', '4', '--trials', '3', '--json'];
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toMatchObject({ benchmark: 'toy', runs: 4 });
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toContain('\x1b');
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('progress:'));
    expect(progress.map((l) => / (\d)\/4 runs \| random \| mean val_acc /.exec(l)?.[1])).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
  });

  it('run on a pipe: progress lines with the best so far, no carriage returns', async () => {
    const db = join(dir, 'run.db');
    const r = await runCli(['run', '--benchmark', TOY, '--strategy', 'random', '--trials', '5', '--db', db]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toMatch(/^progress: 100% \| 5 trials \| best val_acc [\d.]+ \| .*ETA 0\.0s$/m);
  });

  it('exits 2 on a config error, with {"error"} as the only stdout under --json', async () => {
    const r = await runCli(['bench', '--benchmark', 'nosuch', '--trials', '3', '--json']);
    expect(r.code).toBe(EXIT.usage);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: 'E_CONFIG', message: expect.stringMatching(/unknown benchmark ".*nosuch"/) },
    });
  });

  it('exits 3 on a storage error: a file that is not a naslab database', async () => {
    const bad = join(dir, 'not-a.db');
    writeFileSync(bad, 'these are not the bytes of a SQLite database\n'.repeat(20));
    const text = await runCli(['ls', '--db', bad]);
    expect(text.code).toBe(EXIT.storage);
    expect(text.stderr).toMatch(/^naslab: error: .*not-a\.db: cannot open the database/);
    expect(text.stdout).toBe('');
    const json = await runCli(['ls', '--db', bad, '--json']);
    expect(json.code).toBe(EXIT.storage);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'E_STORAGE' } });
  });

  it('ls on a missing store lists nothing, exits 0 and creates no file', async () => {
    const missing = join(dir, 'missing', 'runs.db');
    const r = await runCli(['ls', '--db', missing, '--json']);
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toEqual({ experiments: [] });
    expect(existsSync(missing)).toBe(false);
  });
});
