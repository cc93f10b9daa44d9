import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { parseExperimentConfig, type ExperimentConfig } from './config.js';

const BUILTIN_BENCHMARKS = new Set(['nb201', 'nasbench-macro']);

/**
 * Reads YAML as plain data. The `yaml` package's default (core) schema builds only plain values: no
 * custom tags, no code, so a config file cannot execute anything.
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
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const at = e.linePos?.[0] ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
      throw new ConfigError(`${path}: not valid YAML${at}: ${e.message.split('\n')[0]}`);
    }
    throw e;
  }
}

/** A benchmark reference that is a path is resolved against the folder of the file that names it. */
export function resolveBenchmarkRef(ref: string, baseDir: string): string {
  if (BUILTIN_BENCHMARKS.has(ref)) return ref;
  return isAbsolute(ref) ? ref : resolve(baseDir, ref);
}

export function loadConfigFile(path: string): ExperimentConfig {
  const raw = readYamlFile(path, 'experiment config');
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(`${path}: expected a mapping of settings (name, evaluator, strategy, budget...)`);
  }
  const config = parseExperimentConfig(raw, path);
  const benchmark = resolveBenchmarkRef(config.evaluator.benchmark, dirname(resolve(path)));
  return { ...config, evaluator: { ...config.evaluator, benchmark } };
}
