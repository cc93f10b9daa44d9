import { parseDocument } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { MAX_CONFIG_BYTES, readRegularFileSync } from './regular-file.js';

/**
 * Reads a YAML (or JSON) file as plain data. The `yaml` package's core schema builds only plain values,
 * and a tag it does not know (`!!js/function`...) is refused rather than read as a string: config files
 * are data and can never execute code. Only a regular file of at most MAX_CONFIG_BYTES is read.
 */
export function readYamlFile(path: string, what: string): unknown {
  const text = readRegularFileSync(path, what, { maxBytes: MAX_CONFIG_BYTES }).toString('utf8');
  const doc = parseDocument(text, { logLevel: 'silent' });
  const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (problem) {
    const at = problem.linePos?.[0]
      ? ` (line ${problem.linePos[0].line}, column ${problem.linePos[0].col})`
      : '';
    const why =
      problem.code === 'TAG_RESOLVE_FAILED'
        ? 'unsupported tag: configs hold plain data only'
        : problem.message.split('\n')[0];
    throw new ConfigError(`${path}: not valid YAML${at}: ${why}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // An alias with no anchor before it, or an alias "bomb" (nested aliases that multiply): data a user
    // can fix, not a crash.
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ConfigError(`${path}: not valid YAML: ${why}`);
  }
  checkShape(value, path);
  return value;
}

/** Deeper than any config needs; refusing it keeps later recursive code (validation, JSON) safe. */
const MAX_DEPTH = 64;

/**
 * A key that JavaScript gives a meaning: assigning it replaces an object's prototype instead of adding
 * a setting, and schemas drop it without a word. YAML makes it an ordinary key, so it is refused here.
 */
export const RESERVED_KEY = '__proto__';

/** The message for a reserved key found at `at` (a field path). */
export function reservedKeyMessage(at: string): string {
  return `${at}: "${RESERVED_KEY}" cannot be a key (JavaScript reserves it); remove it`;
}

/**
 * Refuses a structure that refers to itself (`a: &x { b: *x }`) or nests absurdly deep: both are
 * valid YAML but would crash or hang whoever walks the config next (JSON.stringify when it is stored).
 * A `__proto__` key is refused too (RESERVED_KEY).
 */
function checkShape(root: unknown, path: string): void {
  const open = new Set<object>();
  const visit = (value: unknown, depth: number, at: string): void => {
    if (typeof value !== 'object' || value === null) return;
    if (open.has(value)) {
      throw new ConfigError(`${path}: ${at}: refers to itself through a YAML alias; configs must be trees`);
    }
    if (depth > MAX_DEPTH) {
      throw new ConfigError(`${path}: ${at}: nested more than ${MAX_DEPTH} levels deep`);
    }
    if (!Array.isArray(value) && Object.hasOwn(value, RESERVED_KEY)) {
      throw new ConfigError(
        `${path}: ${reservedKeyMessage(at === '(top level)' ? RESERVED_KEY : `${at}.${RESERVED_KEY}`)}`,
      );
    }
    open.add(value);
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`[${i}]`, v] as const)
      : Object.entries(value).map(([k, v]) => [at === '(top level)' ? k : `.${k}`, v] as const);
    for (const [key, child] of entries) {
      visit(child, depth + 1, at === '(top level)' ? key : `${at}${key}`);
    }
    open.delete(value);
  };
  visit(root, 0, '(top level)');
}
