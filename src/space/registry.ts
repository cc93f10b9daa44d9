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

// Spaces decode to different architecture types (a cell description, the network IR...).
const BUILDERS: Readonly<Record<string, (spec: SpaceSpec) => SearchSpace<unknown>>> = {
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

export const SPACE_TYPES: readonly string[] = Object.keys(BUILDERS);

/** Rebuilds a space from its toJSON() (resume, the dashboard). */
export function createSpace(spec: SpaceSpec): SearchSpace<unknown> {
  const build = Object.hasOwn(BUILDERS, spec.type) ? BUILDERS[spec.type] : undefined;
  if (build === undefined) {
    throw new ConfigError(`unknown space type ${quoted(spec.type)}; known types: ${SPACE_TYPES.join(', ')}`);
  }
  return build(spec);
}
