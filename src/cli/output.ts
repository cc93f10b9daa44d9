import Table from 'cli-table3';
import { CommanderError } from 'commander';
import { isNaslabError } from '../core/errors.js';

/** Documented exit codes (see docs/cli.md). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  storage: 3,
  interrupted: 130,
} as const;

/**
 * Every command takes both. stdout carries the result (text, or JSON with --json, nothing else);
 * stderr carries progress and notes, which --quiet silences (errors and warnings stay).
 */
export interface OutputFlags {
  readonly json?: boolean;
  readonly quiet?: boolean;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** The result as text on stdout; with --json the command prints its JSON instead. */
export function info(flags: OutputFlags, text: string): void {
  if (!flags.json) process.stdout.write(`${text}\n`);
}

/** A note for the person at the terminal (what happens next, hints) on stderr; --quiet drops it. */
export function note(flags: OutputFlags, text: string): void {
  if (!flags.quiet) process.stderr.write(`${text}\n`);
}

/** Progress shows on stderr unless --quiet; --json changes stdout only, so a piped run still shows it. */
export function showProgress(flags: OutputFlags): boolean {
  return !flags.quiet;
}

// No rule between rows (a long table stays readable and half as tall), only under the header.
const COMPACT_ROWS = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const t = new Table({ head: [...head], chars: COMPACT_ROWS, style: { head: [], border: [] } });
  for (const row of rows) t.push(row.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const lines = t.toString().split('\n');
  const top = lines[0] ?? '';
  if (rows.length > 0) lines.splice(2, 0, top.replace('┌', '├').replaceAll('┬', '┼').replace('┐', '┤'));
  return lines.join('\n');
}

export function formatNumber(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(2) : v.toPrecision(6).replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * Seconds as `12.3s`, `2m05s` or `1h04m`. Rounded to the unit shown before it is split, so 179.6 s
 * reads 3m00s (not 2m60s) and 59.96 s reads 1m00s (not 60.0s).
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const two = (n: number) => String(n).padStart(2, '0');
  const tenths = Math.round(seconds * 10);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const wholeSeconds = Math.round(seconds);
  if (wholeSeconds < 3600) return `${Math.floor(wholeSeconds / 60)}m${two(wholeSeconds % 60)}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h${two(minutes % 60)}m`;
}

/**
 * The one place errors become output: a known error prints its message (no stack trace) and maps to an
 * exit code; anything else is a bug, and NASLAB_DEBUG=1 shows its stack.
 */
export function reportError(e: unknown, flags: OutputFlags = {}): number {
  if (e instanceof CommanderError) {
    // Help and version end this way too (exit code 0). Commander printed the usage error on stderr.
    if (e.exitCode === 0) return EXIT.ok;
    if (flags.json) printJson({ error: { code: 'E_USAGE', message: usageMessage(e) } });
    return EXIT.usage;
  }
  const code = !isNaslabError(e)
    ? EXIT.failed
    : e.code === 'E_CONFIG' || e.code === 'E_NOT_FOUND'
      ? EXIT.usage
      : e.code === 'E_STORAGE'
        ? EXIT.storage
        : EXIT.failed;
  const message = e instanceof Error ? e.message : String(e);
  if (flags.json) {
    printJson({ error: { code: isNaslabError(e) ? e.code : 'E_INTERNAL', message } });
  } else {
    process.stderr.write(`naslab: error: ${message}\n`);
    if (!isNaslabError(e)) {
      if (process.env.NASLAB_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
      else process.stderr.write('(this is a bug in naslab; rerun with NASLAB_DEBUG=1 for details)\n');
    }
  }
  return code;
}

/** Commander's message less its `error: ` prefix. */
function usageMessage(e: CommanderError): string {
  return e.message.replace(/^error: /, '');
}
