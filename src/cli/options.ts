import { InvalidArgumentError } from 'commander';
import { ConfigError } from '../core/errors.js';
import { DEFAULT_DB_PATH } from '../storage/open.js';

export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

export function nonNegativeInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${name} must be an integer >= 0, got "${value}"`);
    return n;
  };
}

export function positiveNumber(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${name} must be a positive number, got "${value}"`);
    return n;
  };
}

/** Repeatable `--opt key=value`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export const DB_HELP = `SQLite file of experiments (default: ${DEFAULT_DB_PATH}, or $NASLAB_DB)`;

export function dbPath(flag: string | undefined): string {
  return flag ?? process.env.NASLAB_DB ?? DEFAULT_DB_PATH;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * `--opt key=value` pairs -> an options object: numbers and true/false are typed, anything else stays
 * a string (the strategy's schema then says whether it fits). Every key becomes an own property, even
 * `__proto__` (which plain assignment would turn into the object's prototype, losing it), so the
 * strategy check refuses it like any other unknown option.
 */
export function optionPairs(pairs: readonly string[]): Record<string, unknown> {
  const entries = new Map<string, unknown>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (key === '') {
      throw new ConfigError(
        `--opt ${JSON.stringify(pair)}: expected the form key=value (e.g. --opt population=20)`,
      );
    }
    if (entries.has(key)) throw new ConfigError(`--opt ${key} is given more than once`);
    const raw = pair.slice(eq + 1).trim();
    entries.set(key, NUMBER.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw);
  }
  return Object.fromEntries(entries);
}
