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
  return doc.toJS({ maxAliasCount: 100 });
}
