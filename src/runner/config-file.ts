import { dirname, resolve } from 'node:path';
import { didYouMean } from '../core/config-hints.js';
import { ConfigError } from '../core/errors.js';
import { quoted } from '../core/validate.js';
import { entryOf } from '../evaluate/registry.js';
import { benchmarkChoiceProblem } from '../evaluate/tabular/benchmark.js';
import { resolveBenchmarkRef } from '../evaluate/tabular/entry.js';
import { readYamlFile } from '../files/yaml.js';
import { describeStrategies, strategyOptionNames } from '../strategy/registry.js';

export { readYamlFile };
import { parseExperimentConfig, type ExperimentConfig } from './config.js';

export { resolveBenchmarkRef };

/**
 * Paths in a config (a user table, a dataset, a trial program) are relative to the config file; the
 * stored config holds them absolute, so resume works from any folder. Each evaluator says which of its
 * fields are paths.
 */
export function resolveConfigPaths(config: ExperimentConfig, baseDir: string): ExperimentConfig {
  const e = config.evaluator;
  const resolved = entryOf(e).resolvePaths?.(e, baseDir);
  return resolved === undefined
    ? config
    : { ...config, evaluator: resolved as ExperimentConfig['evaluator'] };
}

/**
 * Where each choice of a run came from, as a message names it: "my.yaml: strategy.name" for a field
 * of a config file, "--strategy" for a command-line flag.
 */
export interface ChoiceOrigins {
  readonly strategy: string;
  readonly option: (key: string) => string;
  readonly benchmark: string;
  readonly dataset: string;
}

/** The origins of choices all made in the config file `file` (whose parsed YAML is `raw`). */
export function fileOrigins(file: string, raw: unknown): ChoiceOrigins {
  const strategy = (raw as { strategy?: unknown } | null)?.strategy;
  return {
    strategy: `${file}: ${typeof strategy === 'string' ? 'strategy' : 'strategy.name'}`,
    option: (key) => `${file}: strategy.options.${key}`,
    benchmark: `${file}: evaluator.benchmark`,
    dataset: `${file}: evaluator.dataset`,
  };
}

/**
 * Checks the names a config chooses by: the strategy and its options, the benchmark and its dataset.
 * Each is otherwise found unknown only deep inside the run, by code that knows neither the file nor
 * the field; here the message starts with where the choice was made. Nothing is loaded but a user
 * table's YAML (for its dataset), and only when a dataset is given.
 */
export function checkChoices(config: ExperimentConfig, origins: ChoiceOrigins): void {
  const strategies = describeStrategies();
  const { name, options } = config.strategy;
  const strategy = strategies.find((s) => s.name === name);
  if (strategy === undefined) {
    const names = strategies.map((s) => s.name);
    throw new ConfigError(
      `${origins.strategy}: unknown strategy ${quoted(name)}; choose one of ${names.join(', ')}${didYouMean(name, names)}`,
    );
  }
  const known = strategy.options.map((o) => o.name);
  const accepted = strategyOptionNames(name);
  for (const key of Object.keys(options)) {
    if (accepted.includes(key)) continue;
    const list = known.length > 0 ? `known options: ${known.join(', ')}` : 'it takes no options';
    throw new ConfigError(
      `${origins.option(key.length > 60 ? `${key.slice(0, 60)}...` : key)}: unknown option ${quoted(key)} of strategy "${name}" (${list})${didYouMean(key, known)}`,
    );
  }
  const e = config.evaluator;
  if (e.type !== 'benchmark') return;
  const problem = benchmarkChoiceProblem(e.benchmark, e.dataset);
  if (problem !== undefined) throw new ConfigError(`${origins[problem.field]}: ${problem.message}`);
}

/**
 * Reads, validates and resolves an experiment config file. The names it chooses by are not checked
 * here (a run checks them with checkChoices), so a config can be read before its table exists.
 */
export function loadConfigFile(path: string): ExperimentConfig {
  const raw = readYamlFile(path, 'experiment config');
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(`${path}: expected a mapping of settings (name, evaluator, strategy, budget...)`);
  }
  return resolveConfigPaths(parseExperimentConfig(raw, path), dirname(resolve(path)));
}
