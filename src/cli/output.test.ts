import { CommanderError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, FatalError, NotFoundError, StorageError } from '../core/errors.js';
import { EXIT, formatDuration, info, note, reportError, table } from './output.js';

afterEach(() => vi.restoreAllMocks());

function capture(): { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (c: string | Uint8Array) => ((out += String(c)), true),
  );
  vi.spyOn(process.stderr, 'write').mockImplementation(
    (c: string | Uint8Array) => ((err += String(c)), true),
  );
  return { stdout: () => out, stderr: () => err };
}

describe('formatDuration', () => {
  it('rounds to the unit shown before splitting, so no part reads 60', () => {
    expect([0.04, 12.34, 59.94, 59.96, 125, 179.6, 3599.4, 3599.6, 7380, NaN].map(formatDuration)).toEqual([
      '0.0s',
      '12.3s',
      '59.9s',
      '1m00s',
      '2m05s',
      '3m00s',
      '59m59s',
      '1h00m',
      '2h03m',
      '-',
    ]);
  });
});

describe('table', () => {
  it('rules the header off, not every row', () => {
    expect(
      table(
        ['id', 'score'],
        [
          ['1', 91.5],
          ['22', 3],
        ],
      ),
    ).toBe(
      [
        '┌────┬───────┐',
        '│ id │ score │',
        '├────┼───────┤',
        '│ 1  │ 91.5  │',
        '│ 22 │ 3     │',
        '└────┴───────┘',
      ].join('\n'),
    );
  });
});

describe('info and note', () => {
  it('puts results on stdout (not with --json) and notes on stderr (not with --quiet)', () => {
    const io = capture();
    info({}, 'result');
    info({ quiet: true }, 'quiet result');
    info({ json: true }, 'hidden');
    note({}, 'hint');
    note({ json: true }, 'json hint');
    note({ quiet: true }, 'hidden');
    expect(io.stdout()).toBe('result\nquiet result\n');
    expect(io.stderr()).toBe('hint\njson hint\n');
  });
});

describe('reportError', () => {
  const cases: [string, unknown, number, string][] = [
    ['a config error', new ConfigError('bad'), EXIT.usage, 'E_CONFIG'],
    ['an unknown id', new NotFoundError('no experiment'), EXIT.usage, 'E_NOT_FOUND'],
    ['a storage error', new StorageError('disk full'), EXIT.storage, 'E_STORAGE'],
    ['a failed search', new FatalError('strategy gave up'), EXIT.failed, 'E_FATAL'],
    ['a bug', new TypeError('x is undefined'), EXIT.failed, 'E_INTERNAL'],
  ];
  for (const [what, error, exit, code] of cases) {
    it(`maps ${what} to exit ${exit} and {"error": {"code": "${code}"}} with --json`, () => {
      const io = capture();
      expect(reportError(error, { json: true })).toBe(exit);
      expect(JSON.parse(io.stdout())).toEqual({ error: { code, message: (error as Error).message } });
      expect(io.stderr()).toBe('');
    });
  }

  it('prints a message and no stack without --json; a bug says how to see its stack', () => {
    const io = capture();
    reportError(new ConfigError('--trials must be positive'));
    reportError(new TypeError('x is undefined'));
    expect(io.stderr()).toBe(
      'naslab: error: --trials must be positive\nnaslab: error: x is undefined\n' +
        '(this is a bug in naslab; rerun with NASLAB_DEBUG=1 for details)\n',
    );
    expect(io.stdout()).toBe('');
  });

  it("maps commander's usage errors to exit 2 (E_USAGE with --json), help and version to 0", () => {
    const io = capture();
    const usage = new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'");
    expect(reportError(usage, { json: true })).toBe(EXIT.usage);
    expect(JSON.parse(io.stdout())).toEqual({ error: { code: 'E_USAGE', message: "unknown option '--x'" } });
    expect(reportError(usage)).toBe(EXIT.usage);
    expect(reportError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(EXIT.ok);
    expect(io.stderr()).toBe(''); // commander printed its own message
  });
});
