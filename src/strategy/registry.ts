import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { SearchSpace } from '../core/space.js';
import type { Strategy } from '../core/strategy.js';
import { parseConfig, quoted } from '../core/validate.js';
import type { StrategyEntry } from './define.js';
import { boStrategy } from './bo/bo.js';
import { dartsStrategy } from './darts/darts.js';
import { easStrategy } from './eas/eas.js';
import { enasStrategy } from './enas.js';
import { evolutionStrategy } from './evolution/evolution.js';
import { evolutionParetoStrategy } from './evolution/pareto.js';
import { gridStrategy } from './grid.js';
import { mctsStrategy } from './mcts/mcts.js';
import { nsga2Strategy } from './evolution/nsga2.js';
import { ppoStrategy } from './pg/ppo.js';
import { blockqnnStrategy, qlearningStrategy } from './qlearning/qlearning.js';
import { randomStrategy } from './random.js';
import { reinforceStrategy } from './pg/reinforce.js';
import { screenStrategy } from './screen.js';
import { tpeStrategy } from './tpe.js';

const registry = new Map<string, StrategyEntry>();

/** Makes a strategy available by name (to configs, `--strategy` and `--help`). */
export function registerStrategy<O extends z.ZodObject>(entry: StrategyEntry<O>): void {
  if (registry.has(entry.name)) throw new Error(`strategy "${entry.name}" is registered twice`);
  registry.set(entry.name, entry);
}

// Built-in strategies: a new one adds its line here.
registerStrategy(randomStrategy);
registerStrategy(gridStrategy);
registerStrategy(evolutionStrategy);
registerStrategy(reinforceStrategy);
registerStrategy(ppoStrategy);
registerStrategy(mctsStrategy);
registerStrategy(qlearningStrategy);
registerStrategy(blockqnnStrategy);
registerStrategy(enasStrategy);
registerStrategy(easStrategy);
registerStrategy(dartsStrategy);
registerStrategy(nsga2Strategy);
registerStrategy(evolutionParetoStrategy);
registerStrategy(boStrategy);
registerStrategy(tpeStrategy);
// A hoisted function declaration: screen creates its inner strategy through the registry.
registerStrategy(screenStrategy(createStrategy));

export function strategyNames(): string[] {
  return [...registry.keys()];
}

/** The registered strategy: its options schema and what it declares it needs (evaluator, duplicates...). */
export function strategyEntry(name: string): StrategyEntry {
  const entry = registry.get(name);
  if (entry === undefined) {
    throw new ConfigError(
      `unknown strategy ${quoted(name)}; known strategies: ${strategyNames().join(', ')}`,
    );
  }
  return entry;
}

/** The strategy that an option given to `name` asks to wrap it in (`screen: 10` on evolution), if any. */
function wrapperOf(name: string, options: Readonly<Record<string, unknown>>): StrategyEntry | undefined {
  return [...registry.values()].find(
    (e) => e.wrapsWith !== undefined && e.name !== name && Object.hasOwn(options, e.wrapsWith),
  );
}

/** The options strategy `name` accepts: its own, and those that wrap it in another strategy. */
export function strategyOptionNames(name: string): string[] {
  const wrappers = [...registry.values()].filter((e) => e.wrapsWith !== undefined && e.name !== name);
  return [...Object.keys(strategyEntry(name).options.shape), ...wrappers.map((e) => e.wrapsWith as string)];
}

/**
 * Validates `options` against the strategy's schema (defaults filled in) and creates it with its own Rng
 * stream derived from the experiment seed.
 */
export function createStrategy(
  name: string,
  options: Readonly<Record<string, unknown>>,
  space: SearchSpace<unknown>,
  seed: number,
): Strategy {
  const wrapper = wrapperOf(name, options);
  if (wrapper !== undefined) {
    const key = wrapper.wrapsWith as string;
    const { [key]: value, ...innerOptions } = options;
    return createStrategy(wrapper.name, { inner: name, innerOptions, [key]: value }, space, seed);
  }
  const entry = strategyEntry(name);
  const where = `strategy "${name}" options`;
  // zod's own message for an unknown key does not say which keys exist; this one does.
  const known = Object.keys(entry.options.shape);
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    const list = known.length > 0 ? `known options: ${known.join(', ')}` : 'it takes no options';
    throw new ConfigError(`${where}: unknown option ${unknown.map((k) => `"${k}"`).join(', ')} (${list})`);
  }
  const parsed = parseConfig(entry.options, options, where);
  return entry.create({ space, options: parsed, rng: Rng.derive(seed, 'strategy') });
}

export interface OptionDescription {
  readonly name: string;
  readonly default: unknown;
  readonly description?: string;
}

export interface StrategyDescription {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionDescription[];
}

/** Every strategy with its options and their defaults, in registration order (for `--help`). */
export function describeStrategies(): StrategyDescription[] {
  return [...registry.values()].map((entry) => {
    const defaults = entry.options.parse({});
    const options = Object.entries(entry.options.shape).map(([name, field]) => {
      const option: OptionDescription = { name, default: defaults[name] };
      return field.description === undefined ? option : { ...option, description: field.description };
    });
    return { name: entry.name, description: entry.description, options };
  });
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * `--opt key=value` pairs -> an options object: numbers and true/false are typed, anything else stays
 * a string (the strategy's schema then says whether it fits). Every key becomes an own property, even
 * `__proto__` (which plain assignment would turn into the object's prototype, losing it), so the
 * strategy check refuses it like any other unknown option.
 */
export function parseOptionPairs(pairs: readonly string[]): Record<string, unknown> {
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
