import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { readYamlFile } from '../files/yaml.js';

export { readYamlFile };
import { parseExperimentConfig, type ExperimentConfig } from './config.js';

const BUILTIN_BENCHMARKS = new Set(['nb201', 'nasbench-macro']);

/** A benchmark reference that is a path is resolved against the folder of the file that names it. */
export function resolveBenchmarkRef(ref: string, baseDir: string): string {
  if (BUILTIN_BENCHMARKS.has(ref)) return ref;
  return isAbsolute(ref) ? ref : resolve(baseDir, ref);
}

/**
 * Paths in a config (a user table, a dataset) are relative to the config file; the stored config holds
 * them absolute, so resume works from any folder.
 */
export function resolveConfigPaths(config: ExperimentConfig, baseDir: string): ExperimentConfig {
  const e = config.evaluator;
  if (e.type === 'benchmark')
    return { ...config, evaluator: { ...e, benchmark: resolveBenchmarkRef(e.benchmark, baseDir) } };
  if (e.data.path === undefined || isAbsolute(e.data.path)) return config;
  return { ...config, evaluator: { ...e, data: { ...e.data, path: resolve(baseDir, e.data.path) } } };
}

export function loadConfigFile(path: string): ExperimentConfig {
  const raw = readYamlFile(path, 'experiment config');
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(`${path}: expected a mapping of settings (name, evaluator, strategy, budget...)`);
  }
  return resolveConfigPaths(parseExperimentConfig(raw, path), dirname(resolve(path)));
}
