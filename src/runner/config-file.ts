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

export function loadConfigFile(path: string): ExperimentConfig {
  const raw = readYamlFile(path, 'experiment config');
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(`${path}: expected a mapping of settings (name, evaluator, strategy, budget...)`);
  }
  const config = parseExperimentConfig(raw, path);
  const benchmark = resolveBenchmarkRef(config.evaluator.benchmark, dirname(resolve(path)));
  return { ...config, evaluator: { ...config.evaluator, benchmark } };
}
