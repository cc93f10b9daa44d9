import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from '../core/errors.js';

/**
 * Reads a YAML file as plain data. The `yaml` package's core schema builds only plain values, and a tag
 * it does not know (`!!js/function`...) is refused rather than read as a string: config files are data
 * and can never execute code.
 */
export function readYamlFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(code);
    throw new ConfigError(`cannot read ${what} ${path}: ${why}`);
  }
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
 * Refuses a structure that refers to itself (`a: &x { b: *x }`) or nests absurdly deep: both are
 * valid YAML but would crash or hang whoever walks the config next (JSON.stringify when it is stored).
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
