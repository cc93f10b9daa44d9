import { InvalidArgumentError } from 'commander';
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
