import type { z } from 'zod';
import { ConfigError } from './errors.js';

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list (${JSON.stringify(value).slice(0, 60)})`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value).slice(0, 60)}`;
}

/** A value quoted for a message, cut to `max` characters: hostile configs can hold huge strings. */
export function quoted(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? value : String(JSON.stringify(value));
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}...` : text);
}

const MAX_ISSUE = 300;

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

/**
 * Parses `value` with a zod schema; on failure throws one ConfigError whose message names each bad field,
 * what was expected and what was found, e.g.
 *   my.yaml: strategy.population: expected a number, found string "ten"
 */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 8).map((issue) => {
    // zod's invalid_type message already says what it received; elsewhere we add what was found.
    const input: unknown = 'input' in issue ? issue.input : undefined;
    const plain = input === undefined || typeof input !== 'object' || input === null || Array.isArray(input);
    const found =
      'input' in issue && issue.code !== 'invalid_type' && plain ? `, found ${describe(input)}` : '';
    const message =
      issue.code === 'invalid_type' && issue.input === undefined
        ? `missing (expected ${issue.expected})`
        : issue.message;
    const line = `${pathOf(issue.path)}: ${message}${found}`;
    // zod lists every unknown key; a mapping of thousands would bury the other issues.
    return line.length > MAX_ISSUE ? `${line.slice(0, MAX_ISSUE)}...` : line;
  });
  const more = result.error.issues.length > 8 ? `\n  (and ${result.error.issues.length - 8} more)` : '';
  throw new ConfigError(`${where}: invalid configuration\n  ${lines.join('\n  ')}${more}`);
}
