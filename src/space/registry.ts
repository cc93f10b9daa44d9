import { ConfigError } from '../core/errors.js';
import { quoted } from '../core/validate.js';
import type { SearchSpace, SpaceSpec } from '../core/space.js';
import { cellSpaceFromSpec } from './cell.js';
import { chainSpaceFromSpec } from './chain.js';
import { declaredSpaceFromConfig } from './declared.js';
import { macroSpaceFromSpec } from './macro.js';
import { morphSpaceFromSpec } from './morph.js';
import { NasbenchMacroSpace } from './nasbench-macro.js';
import { nb201NetSpaceFromSpec } from './nb201-net.js';
import { Nb201Space } from './nb201.js';

/** Builds a space from its spec (a config's `space:` section, or a stored space's toJSON()). */
export type SpaceBuilder = (spec: SpaceSpec) => SearchSpace<unknown>;

// Spaces decode to different architecture types (a cell description, the network IR...).
// A new built-in space adds its line here.
const BUILDERS: Record<string, SpaceBuilder> = {
  nb201: () => new Nb201Space(),
  'nasbench-macro': () => new NasbenchMacroSpace(),
  declared: (spec) => {
    const name = typeof spec['name'] === 'string' && spec['name'] !== '' ? spec['name'] : 'declared';
    return declaredSpaceFromConfig(name, spec['decisions'], `space "${name}"`);
  },
  chain: (spec) => chainSpaceFromSpec(spec),
  macro: (spec) => macroSpaceFromSpec(spec),
  cell: (spec) => cellSpaceFromSpec(spec),
  'nb201-net': (spec) => nb201NetSpaceFromSpec(spec),
  // Networks grown by function-preserving transformations from a start network of another space (eas).
  morph: (spec) => morphSpaceFromSpec(spec, createSpace),
};

/** The space types a config may name. */
export function spaceTypes(): string[] {
  return Object.keys(BUILDERS);
}

/**
 * Makes a space type available to configs, resume and the dashboard (`space: { type: <type>, ... }`).
 * Its toJSON() must carry the same `type`, so a stored experiment rebuilds it.
 */
export function registerSpace(type: string, build: SpaceBuilder): void {
  if (Object.hasOwn(BUILDERS, type)) throw new Error(`space type "${type}" is registered twice`);
  BUILDERS[type] = build;
}

/** Rebuilds a space from its toJSON() (resume, the dashboard). */
export function createSpace(spec: SpaceSpec): SearchSpace<unknown> {
  const build = Object.hasOwn(BUILDERS, spec.type) ? BUILDERS[spec.type] : undefined;
  if (build === undefined) {
    throw new ConfigError(`unknown space type ${quoted(spec.type)}; known types: ${spaceTypes().join(', ')}`);
  }
  return build(spec);
}
