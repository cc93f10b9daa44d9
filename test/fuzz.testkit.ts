/**
 * Seeded mutators for the loader fuzz tests, which check that every file naslab reads either loads or
 * fails cleanly: structural changes to parsed configs, textual changes to YAML and CSV files (tags,
 * alias bombs, encodings, garbage), and the check every outcome must pass: a valid result, or a naslab
 * error with a short, clean message that names the file.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { isNaslabError } from '../src/core/errors.js';
import type { Rng } from '../src/core/rng.js';

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)] as T;

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { deeper: value };
  return value;
}

/** Values of the wrong type, out of range, or hostile, for any field. */
const HOSTILE: readonly ((rng: Rng) => unknown)[] = [
  () => null,
  () => true,
  () => 0,
  () => -1,
  () => 0.5,
  () => 1e308,
  () => -1e308,
  () => 2 ** 53 + 2,
  () => NaN,
  () => Infinity,
  () => -Infinity,
  () => '',
  () => '   ',
  () => 'x'.repeat(50_000),
  () => 'naïve 🦄 ß \u202e\u0000 \ud800',
  () => '../../../../etc/passwd',
  () => '/dev/zero',
  () => 'nb201',
  () => 'evolution',
  () => 'undefined-ish',
  () => '{}',
  () => '-1',
  () => [],
  () => [1, 'a', null],
  () => ({}),
  () => ({ type: 'benchmark' }),
  () => ({ name: 'x', choices: [] }),
  (rng) => nested(2 + rng.int(120)),
  (rng) => Array.from({ length: 1 + rng.int(2000) }, (_, i) => i),
];

export const hostile = (rng: Rng): unknown => pick(rng, HOSTILE)(rng);

type Container = Record<string, unknown> | unknown[];

/** Every object and list in a value (the root included), for choosing where to mutate. */
function containers(value: unknown, out: Container[] = [], depth = 0): Container[] {
  if (typeof value !== 'object' || value === null || depth > 40) return out;
  out.push(value as Container);
  for (const child of Object.values(value)) containers(child, out, depth + 1);
  return out;
}

function mutateOnce(root: unknown, rng: Rng): unknown {
  if (typeof root !== 'object' || root === null || rng.float() < 0.03) return hostile(rng);
  const target = pick(rng, containers(root));
  const keys = Object.keys(target);
  const key = keys.length > 0 ? pick(rng, keys) : '0';
  const slot = target as Record<string, unknown>;
  const current = slot[key];
  switch (rng.int(9)) {
    case 0:
      if (Array.isArray(target)) target.splice(Number(key), 1);
      else delete slot[key];
      break;
    case 1:
    case 2:
      slot[key] = hostile(rng);
      break;
    case 3: // a near-duplicate key: a typo or another case beside the real one
      slot[pick(rng, [`${key}s`, key.toUpperCase(), ` ${key}`, `${key}\u00a0`])] = current;
      break;
    case 4: {
      // An own property even for __proto__, as YAML makes it: the loaders must not be fooled by it.
      const odd = Array.isArray(target)
        ? ['extra', '🦄']
        : ['extra', '__proto__', 'constructor', 'toString', '🦄'];
      Object.defineProperty(slot, pick(rng, odd), {
        value: hostile(rng),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      break;
    }
    case 5:
      slot[key] = rng.float() < 0.5 ? [current] : { value: current };
      break;
    case 6:
      slot[key] =
        typeof current === 'number'
          ? pick(rng, [String(current), -current, current * 1e12, current + 0.5])
          : hostile(rng);
      break;
    case 7: {
      const other = pick(rng, keys.length > 0 ? keys : ['0']);
      slot[key] = slot[other];
      slot[other] = current;
      break;
    }
    default:
      if (Array.isArray(target)) target.push(...target.slice(0, 3));
      else slot[key] = current === undefined ? hostile(rng) : structuredCloneSafe(current);
  }
  return root;
}

function structuredCloneSafe(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

/** One to three structural mutations of a copy of `value`. */
export function mutateData(value: unknown, rng: Rng): unknown {
  let out = structuredCloneSafe(value);
  for (let n = 1 + rng.int(3); n > 0; n--) out = mutateOnce(out, rng);
  return out;
}

export function toYaml(value: unknown): string {
  try {
    return stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 });
  } catch {
    return String(value);
  }
}

const BOMB =
  'lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n' +
  Array.from(
    { length: 8 },
    (_, i) => `lol${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(', ')}]\n`,
  ).join('');

/** Text-level attacks on a YAML file: some still parse, most must be refused clearly. */
const YAML_TEXT: readonly ((text: string, rng: Rng) => string | Uint8Array)[] = [
  (t) => BOMB + t,
  (t) => `${t}\nbomb: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
  (t) =>
    t.replace(/: (\S+)/, ": !!js/function \"function () { require('fs').writeFileSync('pwned', 'x') }\""),
  (t) => t.replace(/: (\S+)/, ': !!python/object/apply:os.system ["touch pwned"]'),
  (t) => t.replace(/: (\S+)/, ': !<tag:yaml.org,2002:js/undefined> ""'),
  (t) => t.replace(/: (\S+)/, ': !!binary aGVsbG8='),
  (t) => t.replace(/: (\S+)/, ': !custom $1'),
  (t) => `${t}\nself: &me { again: *me }\n`,
  (t) => `${t}\nghost: *nowhere\n`,
  (t, rng) => t.slice(0, rng.int(t.length + 1)),
  (t, rng) => {
    const lines = t.split('\n');
    const i = rng.int(lines.length);
    lines.splice(i, 0, lines[i] as string); // a duplicate key, most often
    return lines.join('\n');
  },
  (t, rng) => {
    const lines = t.split('\n');
    lines.splice(rng.int(lines.length), 1);
    return lines.join('\n');
  },
  (t) => t.replace(/^ {2}/gm, '\t'),
  (t) => `\ufeff${t}`,
  (t) => new Uint8Array(Buffer.from(`\ufeff${t}`, 'utf16le')),
  (t, rng) => {
    const bytes = Buffer.from(t);
    for (let n = 0; n < 8 && bytes.length > 0; n++) bytes[rng.int(bytes.length)] = rng.int(256);
    return new Uint8Array(bytes);
  },
  (t) => `${t}\0\0\0`,
  () => '',
  () => '# only a comment\n',
  (t) => `${t}\n---\n${t}`,
  () => 'just a string',
  () => '- a\n- list\n',
  () => '~',
  (t) => `${t}\nlong: ${'y'.repeat(200_000)}\n`,
  (t) => `${'k'.repeat(5000)}: 1\n${t}`,
  (_t, rng) => new Uint8Array(Array.from({ length: 1 + rng.int(400) }, () => rng.int(256))),
];

export function mutateYamlText(text: string, rng: Rng): string | Uint8Array {
  return pick(rng, YAML_TEXT)(text, rng);
}

/** Random bytes: binary garbage, or what a truncated download looks like. */
function garbage(rng: Rng, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => rng.int(256));
}

const CELLS = [
  '',
  'nan',
  'NaN',
  'abc',
  '1e999',
  '-1',
  '-0',
  '0x10',
  '"',
  '"unclosed',
  'a,b',
  '🦄',
  '  7  ',
  'Infinity',
];

function editRows(text: string, rng: Rng): string {
  const sep = text.includes('\r\n') ? '\r\n' : '\n';
  const rows = text.split(sep).filter((r) => r !== '');
  const r = rng.int(rows.length);
  const cells = (rows[r] ?? '').split(',');
  const c = rng.int(Math.max(1, cells.length));
  switch (rng.int(8)) {
    case 0:
      rows.splice(r, 1);
      break;
    case 1:
      rows.splice(r, 0, rows[r] ?? '');
      break;
    case 2:
      cells[c] = pick(rng, CELLS);
      rows[r] = cells.join(',');
      break;
    case 3:
      cells.splice(c, 1);
      rows[r] = cells.join(',');
      break;
    case 4:
      cells.splice(c, 0, pick(rng, CELLS));
      rows[r] = cells.join(',');
      break;
    case 5: // a column: removed, duplicated, renamed or unnamed, in every row
      for (let i = 0; i < rows.length; i++) {
        const row = (rows[i] as string).split(',');
        const op = rng.int(1000) % 4;
        if (op === 0) row.splice(c, 1);
        else if (op === 1) row.splice(c, 0, row[c] ?? '');
        else if (i === 0) row[c] = op === 2 ? '' : `${row[c]}_renamed`;
        rows[i] = row.join(',');
        if (op >= 2) break;
      }
      break;
    case 6:
      cells[c] = `"${cells[c] ?? ''}"`;
      rows[r] = cells.join(',');
      break;
    default:
      rows[r] = `${rows[r] ?? ''}${pick(rng, ['"', '""', ',', ';', '\t', '\\'])}`;
  }
  return rows.join(sep) + sep;
}

/** Mutations of a CSV file: rows, columns, cells, quotes, line ends, encodings, emptiness, garbage. */
const CSV: readonly ((text: string, rng: Rng) => string | Uint8Array)[] = [
  editRows,
  editRows,
  editRows,
  (t, rng) => editRows(editRows(t, rng), rng),
  (t) => t.replace(/\n/g, '\r\n'),
  (t) => t.replace(/\n/g, '\r'),
  (t) => `\ufeff${t}`,
  (t) => new Uint8Array(Buffer.from(`\ufeff${t}`, 'utf16le')),
  (t) => new Uint8Array(Buffer.from(t.replace(/e/g, 'é'), 'latin1')),
  (t) => t.replace(/,/g, ';'),
  (t, rng) => t.slice(0, rng.int(t.length + 1)),
  () => '',
  () => '\n\n\n',
  (t) => `${t.split('\n')[0]}\n`,
  (_t, rng) => garbage(rng, 1 + rng.int(2000)),
  (_t, rng) => Uint8Array.from([0x1f, 0x8b, ...garbage(rng, rng.int(300))]),
  (t) => new Uint8Array(gzipSync(t)),
  (t, rng) => {
    const zipped = gzipSync(t);
    return new Uint8Array(zipped.subarray(0, rng.int(zipped.length)));
  },
  (t) => `${t}\0\0`,
  (t) => t.replace(/,/, `,${'z'.repeat(100_000)}`),
];

export function mutateCsv(text: string, rng: Rng): string | Uint8Array {
  return pick(rng, CSV)(text, rng);
}

/**
 * What a failed load must look like to a user: a naslab error (never a TypeError or a RangeError),
 * a message of a few lines that names what was read, with no stack trace and no leaked JS values.
 * Returns the problem, or undefined when the error is a good one.
 */
export function errorProblem(e: unknown, names: readonly string[]): string | undefined {
  if (!isNaslabError(e)) {
    const kind = e instanceof Error ? e.constructor.name : typeof e;
    if (process.env.FUZZ_STACK && e instanceof Error) console.log(e.stack);
    return `${kind} instead of a naslab error: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`;
  }
  const m = e.message;
  if (/^\s+at /m.test(m)) return `stack trace in the message: ${m.slice(0, 200)}`;
  const leak = /\bundefined\b|\[object Object\]/.exec(m.replace(/undefined-ish/g, 'x'.repeat(13)));
  if (leak !== null) {
    // Around the leak, so a known problem is recognised however long the message is.
    return `a leaked JS value in the message: ...${m.slice(Math.max(0, leak.index - 80), leak.index + 40)}`;
  }
  if (m.split('\n').length > 12) return `${m.split('\n').length} lines: ${m.slice(0, 200)}`;
  if (m.length > 2000) return `${m.length} characters: ${m.slice(0, 200)}`;
  if (names.length > 0 && !names.some((n) => m.includes(n))) {
    return `names none of ${names.join(', ')}: ${m.slice(0, 200)}`;
  }
  return undefined;
}

/** Files (path -> size and mtime) under the given folders, to prove a fuzz run wrote nothing there. */
export function snapshot(dirs: readonly string[], depth = 2): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, left: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name === 'node_modules' || name === '.git') continue;
      const path = join(dir, name);
      const info = statSync(path, { throwIfNoEntry: false });
      if (info === undefined) continue;
      out.set(path, info.isDirectory() ? 'dir' : `${info.size}:${info.mtimeMs}`);
      if (info.isDirectory() && left > 0) walk(path, left - 1);
    }
  };
  for (const dir of dirs) walk(dir, depth);
  return out;
}

export function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, v] of after) if (before.get(path) !== v) out.push(path);
  return out;
}

/**
 * Problems the fuzz found in code outside the loaders, waiting for their owners' fix (each names it).
 * Anything else fails the test.
 */
export const KNOWN: readonly RegExp[] = [
  // Nothing is known to be wrong: every problem the fuzz finds fails its test.
];
export const unknown = (problems: readonly string[]) => problems.filter((p) => !KNOWN.some((k) => k.test(p)));

/** Outcomes of a fuzz run: what passed, by error code, and every problem with the case that caused it. */
export class Tally {
  valid = 0;
  readonly errors = new Map<string, number>();
  readonly problems: string[] = [];

  /** Runs one case; its outcome is a valid result, a good error, or a recorded problem. */
  async run(label: string, names: readonly string[], body: () => Promise<unknown>): Promise<void> {
    try {
      await body();
      this.valid++;
    } catch (e) {
      const problem = errorProblem(e, names);
      if (problem !== undefined) this.problems.push(`${label}: ${problem}`);
      else {
        const code = isNaslabError(e) ? e.code : 'other';
        this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
      }
    }
  }

  get total(): number {
    return this.valid + [...this.errors.values()].reduce((a, b) => a + b, 0) + this.problems.length;
  }
}
